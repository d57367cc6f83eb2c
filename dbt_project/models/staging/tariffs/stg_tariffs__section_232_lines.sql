-- Section 232 HTS list parsed from the file's lines. The file is sections of data lines, each under
-- '#' comment lines that name the action and, for some, its effective date ('(effective 2026-01-15)');
-- a data line takes the comments of the block above it. The first sections (steel, aluminum, copper)
-- have no comment: their effective date is not in the source.
with lines as (
    select
        _load_id as load_id,
        _file_path as source_file,
        _loaded_at as loaded_at,
        cast(line_number as integer) as line_number,
        trim(line) as line
    from {{ source('raw_tariffs', 'tariffs__section_232_lines') }}
),

marked as (
    select
        *,
        line like '#%' as is_comment,
        line <> '' and line not like '#%' and line not like 'hts_code,%' as is_data_line,
        -- a comment block starts at a comment line that follows a non-comment line
        case
            when line like '#%' and coalesce(lag(line) over (partition by source_file order by line_number), '') not like '#%'
                then 1
            else 0
        end as starts_block
    from lines
),

blocked as (
    select
        *,
        sum(starts_block) over (partition by source_file order by line_number) as section_id
    from marked
),

sections as (
    select
        source_file,
        section_id,
        string_agg(ltrim(line, '# '), ' / ' order by line_number) as section_comment,
        max(try_cast(regexp_extract(line, 'effective ([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as date)) as section_effective_date
    from blocked
    where is_comment
    group by all
)

select
    b.load_id,
    b.source_file,
    b.loaded_at,
    b.line_number,
    split_part(b.line, ',', 1) as hts_code_as_published,
    replace(split_part(b.line, ',', 1), '.', '') as hts_code,
    left(replace(split_part(b.line, ',', 1), '.', ''), 8) as hts8,
    split_part(b.line, ',', 2) as material,
    split_part(b.line, ',', 3) as article_type,
    split_part(b.line, ',', 4) as chapter_99_claim,
    split_part(b.line, ',', 5) as chapter_99_disclaim,
    -- guarded: the filter below may run after the projection, and the header's 'duty_rate' is no number
    case when b.is_data_line then cast(split_part(b.line, ',', 6) as double) end as duty_rate,
    s.section_comment,
    s.section_effective_date as effective_date
from blocked as b
left join sections as s on b.source_file = s.source_file and b.section_id = s.section_id
where b.is_data_line
