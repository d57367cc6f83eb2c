-- CEPII BACI country codes; one row per code from the latest release file that lists it.
with ranked as (
    select
        cast(country_code as integer) as baci_code,
        trim(country_name_abbreviation) as country_name,
        trim(country_name_full) as country_name_full,
        nullif(nullif(trim(iso_2digit_alpha), 'N/A'), '') as iso2,
        nullif(nullif(trim(iso_3digit_alpha), 'N/A'), '') as iso3,
        regexp_extract(_file_path, 'V([0-9]{6})', 1) as baci_release,
        row_number() over (
            partition by cast(country_code as integer)
            order by regexp_extract(_file_path, 'V([0-9]{6})', 1) desc
        ) as recency
    from {{ source('raw_baci', 'baci__country_codes') }}
)

select
    baci_code,
    country_name,
    country_name_full,
    iso2,
    iso3,
    baci_release
from ranked
where recency = 1
