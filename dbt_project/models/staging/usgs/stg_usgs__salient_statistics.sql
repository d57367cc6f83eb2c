-- USGS MCS US salient statistics, one row per commodity x year x variable. Variable names are kept
-- as published (USprod_Concentrate_t, NIR_pct, Price_Nd2O3_dkg ...); their prefix is the group.
-- Net import reliance published as '>95' or 'E' keeps its bound and flag. Files of a live MCS data
-- release replace the sample's copy of the same edition and commodity.
with landed as (
    {{ usgs_mcs_cells('usgs__mcs_salient_cells', 'salient') }}
),

cells as (
    select
        _file_path as source_file,
        _load_id as load_id,
        cast(row_number as integer) as row_number,
        {{ clean_text('column_name') }} as variable,
        value
    from landed
),

rows_ as (
    select
        source_file,
        row_number,
        max(case when lower(variable) = 'datasource' then {{ clean_text('value') }} end) as source_label,
        max(case when lower(variable) = 'commodity' then {{ clean_text('value') }} end) as commodity_name,
        max(case when lower(variable) = 'year' then {{ clean_text('value') }} end) as year_text
    from cells
    group by all
)

select
    {{ usgs_file_edition('c.source_file') }} as mcs_edition,
    {{ usgs_file_commodity('c.source_file') }} as commodity_code,
    r.commodity_name,
    try_cast(regexp_extract(r.year_text, '^([0-9]{4})', 1) as integer) as year,
    r.year_text like '%e%' as is_estimated_year,
    c.variable,
    split_part(c.variable, '_', 1) as variable_group,
    {{ usgs_cell_text('c.value') }} as value_as_published,
    case when {{ usgs_cell_flag('c.value') }} = 'zero' then 0 else {{ usgs_cell_number('c.value') }} end as value,
    {{ usgs_cell_flag('c.value') }} as value_flag,
    {{ usgs_cell_bound('c.value') }} as bound_value,
    c.source_file,
    c.load_id
from cells as c
inner join rows_ as r on c.source_file = r.source_file and c.row_number = r.row_number
where
    c.variable is not null
    and lower(c.variable) not in ('datasource', 'commodity', 'year')
    and r.year_text is not null
