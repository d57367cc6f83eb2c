-- CEPII BACI HS6 product codes, leading zeros restored: one row per code and HS edition, from the
-- latest release that lists it (the reference files, and the code file inside each BACI archive).
with codes as (
    select
        lpad(trim(code), 6, '0') as hs6,
        trim(description) as description,
        coalesce(nullif(regexp_extract(_file_path, 'product_codes_HS([0-9]{2})', 1), ''), '17') as edition_code,
        regexp_extract(_file_path, 'V([0-9]{6})[^/]*$', 1) as baci_release,
        _file_path
    from {{ source('raw_baci', 'baci__product_codes') }}
)

select
    hs6,
    description,
    case when edition_code >= '88' then 'HS19' else 'HS20' end || edition_code as hs_vintage,
    baci_release
from codes
qualify row_number() over (partition by hs6, edition_code order by baci_release desc, _file_path desc) = 1
