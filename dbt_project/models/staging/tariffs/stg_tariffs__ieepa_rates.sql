-- IEEPA rates by country as compiled: fentanyl and reciprocal programmes, plus the zero-rate rows
-- that name the reciprocal exemptions (Annex II, goods under Section 232, US content).
select
    _load_id as load_id,
    _file_path as source_file,
    _loaded_at as loaded_at,
    trim(program_type) as program,
    upper(trim(country_code)) as country_iso2,
    trim(chapter_99_code) as chapter_99_code,
    cast(duty_rate as double) as duty_rate,
    nullif(trim(variant), '') as variant,
    trim(rate_type) as rate_type,
    cast(effective_start as date) as effective_start,
    cast(nullif(trim(effective_end), '') as date) as effective_end,
    trim(source_doc) as source_document
from {{ source('raw_tariffs', 'tariffs__ieepa_rates') }}
