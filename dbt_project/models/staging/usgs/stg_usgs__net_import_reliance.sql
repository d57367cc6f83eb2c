-- USGS MCS figure 2: US net import reliance by commodity for the edition's reference year, with the
-- major import sources as published (a comma list, Hong Kong included with China where noted).
with cells as (
    select
        _file_path as source_file,
        _load_id as load_id,
        cast(row_number as integer) as row_number,
        {{ clean_text('column_name') }} as header,
        value
    from {{ source('raw_usgs', 'usgs__mcs_net_import_reliance') }}
)

select
    cast(regexp_extract(max(source_file), 'MCS([0-9]{4})', 1) as integer) as mcs_edition,
    max(case when header = 'Commodity' then {{ clean_text('value') }} end) as commodity_name,
    max(
        cast(regexp_extract(case when header like 'Net_Import_Reliance_pct_%' then header end, '([0-9]{4})$', 1) as integer)
    )
        as year,
    max(case when header like 'Net_Import_Reliance_pct_%' then {{ usgs_cell_text('value') }} end)
        as net_import_reliance_as_published,
    max(case when header like 'Net_Import_Reliance_pct_%' then {{ usgs_cell_number('value') }} end)
        as net_import_reliance_pct,
    max(case when header like 'Net_Import_Reliance_pct_%' then {{ usgs_cell_flag('value') }} end) as value_flag,
    max(case when header like 'Net_Import_Reliance_pct_%' then {{ usgs_cell_bound('value') }} end) as bound_value,
    max(case when header like 'Major_Import_Sources_%' then {{ clean_text('value') }} end) as major_import_sources,
    max(case when header = 'Notes' then {{ clean_text('value') }} end) as notes,
    source_file,
    max(load_id) as load_id,
    row_number as source_row
from cells
group by source_file, row_number
