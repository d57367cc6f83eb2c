-- CEPII BACI HS6 product codes (HS2017 release file), leading zeros restored.
select
    lpad(trim(code), 6, '0') as hs6,
    trim(description) as description,
    'HS' || coalesce('20' || nullif(regexp_extract(_file_path, 'HS([0-9]{2})', 1), ''), '2017') as hs_vintage
from {{ source('raw_baci', 'baci__product_codes') }}
