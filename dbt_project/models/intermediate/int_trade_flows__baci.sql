-- CEPII BACI flows on the trade_flows grain.
-- BACI reconciles the two declarations of each flow (the importer's CIF, the exporter's FOB) into one
-- FOB value: a record is one bilateral flow, not one country's declaration. It becomes one row seen
-- from the importer (flow 'import', reporter = importer j, partner = exporter i), so import_dependency
-- reads it like any import. The exporter's view is the same row with reporter and partner swapped;
-- a second 'export' row would double every year file without adding a fact: exports of X are the
-- rows with partner_iso3 = X.
-- One HS edition per year: when archives of several editions are loaded (HS17 and HS22 both carry
-- 2022), the latest edition covering the year wins, so no flow is counted twice.
-- BACI areas without an ISO3 code ('Europe EFTA, nes' 697, 'US Misc. Pacific Isds' 849) are UNS.
-- (stg is read twice rather than through a shared CTE: DuckDB would materialise tens of millions of rows)
with year_editions as (
    select
        year,
        max(hs_vintage) as hs_vintage
    from (
        select distinct
            year,
            hs_vintage
        from {{ ref('stg_baci__trade_flows') }}
    ) as loaded
    group by year
),

baci_codes as (
    select
        source_code,
        iso3,
        is_aggregate
    from {{ ref('int_country_codes') }}
    where source = 'baci'
)

select
    'baci' as source,
    'baci_' || lower(f.hs_edition) || '_v' || f.baci_release as collection,
    coalesce(imp.iso3, 'UNS') as reporter_iso3,
    coalesce(exp.iso3, 'UNS') as partner_iso3,
    coalesce(exp.iso3 is not null and exp.is_aggregate, false) as partner_is_aggregate,
    'import' as flow,
    f.year,
    null::integer as month,
    f.hs6 as hs_code,
    6 as hs_level,
    f.hs_vintage,
    f.hs_edition as classification_code,
    f.value_usd,
    f.net_weight_kg,
    null::double as cif_value_usd,
    f.value_usd as fob_value_usd,
    f.importer_baci_code::varchar as reporter_source_code,
    f.exporter_baci_code::varchar as partner_source_code,
    1 as source_copies,
    f.source_file,
    f.load_id
from {{ ref('stg_baci__trade_flows') }} as f
inner join year_editions as e on f.year = e.year and f.hs_vintage = e.hs_vintage
left join baci_codes as imp on f.importer_baci_code::varchar = imp.source_code
left join baci_codes as exp on f.exporter_baci_code::varchar = exp.source_code
