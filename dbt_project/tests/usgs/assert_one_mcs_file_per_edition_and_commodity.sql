-- An MCS edition's table for a commodity comes from one file: the sample's copy, or the live data
-- release's once one has landed, never both (a country's production would be counted twice).
with files as (
    select 'world' as kind, mcs_edition, commodity_code, source_file
    from {{ ref('stg_usgs__world_production') }}
    union all
    select 'salient' as kind, mcs_edition, commodity_code, source_file
    from {{ ref('stg_usgs__salient_statistics') }}
)

select
    kind,
    mcs_edition,
    commodity_code,
    count(distinct source_file) as files,
    string_agg(distinct source_file, ', ') as source_files
from files
group by all
having count(distinct source_file) > 1
