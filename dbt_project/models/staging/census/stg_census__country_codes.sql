-- Census CTY_CODE -> ISO3. Palestine and Kosovo have no Census code in this map and are dropped.
select
    trim(CTY_CODE) as cty_code,
    trim(ISO3) as iso3,
    trim(country) as country_name
from {{ source('raw_census', 'census__country_codes') }}
where nullif(trim(CTY_CODE), '') is not null
