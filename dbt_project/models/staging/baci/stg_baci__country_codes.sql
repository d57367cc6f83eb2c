-- CEPII BACI country codes; one row per code from the latest release file that lists it. Since
-- V202401 the file has no full name: the latest full name an earlier release gave is kept.
with releases as (
    select
        cast(country_code as integer) as baci_code,
        trim(country_name_abbreviation) as country_name,
        trim(country_name_full) as country_name_full,
        nullif(nullif(trim(iso_2digit_alpha), 'N/A'), '') as iso2,
        nullif(nullif(trim(iso_3digit_alpha), 'N/A'), '') as iso3,
        regexp_extract(_file_path, 'V([0-9]{6})', 1) as baci_release
    from {{ source('raw_baci', 'baci__country_codes') }}
),

ranked as (
    select
        *,
        row_number() over (partition by baci_code order by baci_release desc) as recency
    from releases
),

full_names as (
    select
        baci_code,
        country_name_full
    from releases
    where country_name_full is not null
    qualify row_number() over (partition by baci_code order by baci_release desc) = 1
)

select
    r.baci_code,
    r.country_name,
    coalesce(r.country_name_full, f.country_name_full) as country_name_full,
    r.iso2,
    r.iso3,
    r.baci_release
from ranked as r
left join full_names as f on r.baci_code = f.baci_code
where r.recency = 1
