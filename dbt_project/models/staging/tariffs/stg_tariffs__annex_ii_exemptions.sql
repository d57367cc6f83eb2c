-- HTS prefixes (heading, subheading or line) exempt from the IEEPA reciprocal tariff from
-- effective_date; dots dropped so a prefix compares with HTS8 codes.
select
    _load_id as load_id,
    _file_path as source_file,
    _loaded_at as loaded_at,
    replace(trim(hts_prefix), '.', '') as hts_prefix,
    trim(hts_prefix) as hts_prefix_as_published,
    {{ clean_text('description') }} as description,
    trim(exemption_code) as exemption_code,
    trim(category) as category,
    trim(source) as source_document,
    cast(effective_date as date) as effective_date
from {{ source('raw_tariffs', 'tariffs__annex_ii_exemptions') }}
