-- Section 301 actions on goods of China, one row per HTS8 x chapter 99 heading x start: the rate an
-- action imposes (0 for an exclusion) over its window. effective_end is the last day in force: the
-- 2024 review rows end on 2024-12-31 and their successors start on 2025-01-01.
select
    _load_id as load_id,
    _file_path as source_file,
    _loaded_at as loaded_at,
    trim(hts_8digit) as hts8,
    left(trim(hts_8digit), 6) as hs6,
    trim(chapter_99_code) as chapter_99_code,
    cast(duty_rate as double) as duty_rate,
    cast(effective_start as date) as effective_start,
    cast(nullif(trim(effective_end), '') as date) as effective_end,
    trim(list_name) as list_name,
    trim(source) as source_document,
    trim(role) as role
from {{ source('raw_tariffs', 'tariffs__section_301_rates') }}
