-- Every source's country code and its warehouse ISO3 (the crosswalk dim_country summarises).
select
    source,
    source_code,
    source_name,
    iso3,
    is_aggregate,
    area_type,
    valid_to,
    is_override
from {{ ref('int_country_codes') }}
