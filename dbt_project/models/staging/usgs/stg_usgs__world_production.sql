-- USGS MCS world tables, one row per country x type x measure x year. Cells are rebuilt from the raw
-- long layout: identity columns (Source, Country, Type, notes) pivot back onto their row, measure
-- columns (Prod_t_est_2023, Cap_kg_2022, Reserves_t ...) unpivot into measure/unit/year/estimate.
-- Codes stay codes: W, NA, bounds and 'Included in World total' are flags, never zeros. Files of a
-- live MCS data release replace the sample's copy of the same edition and commodity.
with landed as (
    {{ usgs_mcs_cells('usgs__mcs_world_cells', 'world') }}
),

cells as (
    select
        _file_path as source_file,
        _load_id as load_id,
        cast(row_number as integer) as row_number,
        cast(column_position as integer) as column_position,
        lower({{ clean_text('column_name') }}) as header,
        value
    from landed
),

rows_ as (
    select
        source_file,
        load_id,
        row_number,
        max(case when header = 'source' then {{ clean_text('value') }} end) as source_label,
        max(case when header = 'country' then {{ clean_text('value') }} end) as country_as_published,
        max(case when header = 'type' then {{ clean_text('value') }} end) as production_type,
        max(case when header in ('prod_notes', 'prod_note', 'notes') then {{ clean_text('value') }} end)
            as production_notes,
        max(case when header = 'reserves_notes' then {{ clean_text('value') }} end) as reserves_notes,
        max(case when header = 'cap_notes' then {{ clean_text('value') }} end) as capacity_notes
    from cells
    group by all
),

measures as (
    select
        source_file,
        row_number,
        header,
        value,
        regexp_extract(header, '^(prod|cap|reserves)_', 1) as measure_code,
        regexp_extract(header, '_(est)_|_(est)$', 1) = 'est' as is_estimated_column,
        nullif(regexp_extract(header, '_((19|20)[0-9]{2})$', 1), '') as year_text,
        regexp_replace(
            regexp_replace(regexp_replace(header, '^(prod|cap|reserves)_', ''), '_?((19|20)[0-9]{2})$', ''),
            '_?est$', ''
        ) as unit_text
    from cells
    where
        regexp_matches(header, '^(prod|cap|reserves)_')
        and header not in ('prod_notes', 'prod_note', 'reserves_notes', 'cap_notes')
),

files as (
    select distinct
        source_file,
        {{ usgs_file_edition('source_file') }} as mcs_edition,
        {{ usgs_file_commodity('source_file') }} as commodity_code
    from cells
)

select
    f.mcs_edition,
    f.commodity_code,
    r.source_label,
    r.country_as_published,
    r.production_type,
    case
        when lower(r.production_type) like '%mine%' then 'mine'
        when lower(r.production_type) similar to '.*(refinery|smelter|plant|primary production|refined).*'
            then 'refinery'
        else 'other'
    end as stage,
    case m.measure_code when 'prod' then 'production' when 'cap' then 'capacity' else 'reserves' end
        as measure,
    nullif(m.unit_text, '') as unit,
    -- Reserves carry no year in the header: they are as of the year before the edition.
    coalesce(cast(m.year_text as integer), f.mcs_edition - 1) as year,
    m.is_estimated_column or {{ usgs_cell_flag('m.value') }} = 'estimated' as is_estimated,
    {{ usgs_cell_text('m.value') }} as value_as_published,
    case when {{ usgs_cell_flag('m.value') }} = 'zero' then 0 else {{ usgs_cell_number('m.value') }} end as value,
    {{ usgs_cell_flag('m.value') }} as value_flag,
    {{ usgs_cell_bound('m.value') }} as bound_value,
    case m.measure_code
        when 'reserves' then r.reserves_notes
        when 'cap' then r.capacity_notes
        else r.production_notes
    end as notes,
    m.header as source_column,
    r.row_number as source_row,
    r.source_file,
    r.load_id
from measures as m
inner join rows_ as r on m.source_file = r.source_file and m.row_number = r.row_number
inner join files as f on m.source_file = f.source_file
where r.country_as_published is not null
