-- A live MCS release file whose name is not mcs<edition>-<commodity>_world.csv or _salient.csv lands in
-- raw (validated) but no staging model reads it: MCS 2025 and later may publish other layouts. A
-- warning, not an error: the known tables still build; the listed files need a staging model.
{{ config(severity='warn') }}

with files as (
    select distinct _file_path
    from {{ source_or_empty('raw_usgs_live', 'usgs__mcs_release_cells', ['row_number', 'column_position', 'column_name', 'value']) }}
)

select _file_path
from files
where
    {{ usgs_file_edition('_file_path') }} is null
    or not regexp_matches(lower(_file_path), '_(world|salient)\.csv$')
