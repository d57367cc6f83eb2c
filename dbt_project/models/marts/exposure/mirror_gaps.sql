{{ windowed_by_trade_partition(by_source=false) }}
-- Incremental by (source, year) partitions of the trade data: macros/trade_window.sql.
-- The same flow seen from both ends: what the importer reports it bought from the exporter against
-- what the exporter reports it sold to the importer, for the same HS code and period (any two
-- sources: Comtrade US imports vs Comtrade China exports, US Census imports vs Taiwan customs
-- exports, Census vs Comtrade China). Imports are valued CIF (Comtrade) or at customs value, which
-- excludes freight and insurance (Census); exports FOB. A CIF/FOB ratio near var cif_fob_factor
-- (1.06) is normal and gaps of 10-20% are common: the mart reports them, it does not fix them.
-- Aggregate partners (World, the EU group) are never paired. Where both sides report the same two
-- or more HS6 codes of a heading, their sums are paired too (is_heading_rollup): two customs services
-- often file the same chip under different subheadings (Taiwan's 854239 against US 854231), which
-- the heading absorbs. A rollup is paired only with a rollup of the same codes, never with a part.
{#- A flow can pair only where both ends report the same two countries in the same period. -#}
{% set mirrorable %}
    value_usd is not null
    and reporter_iso3 is not null
    and partner_iso3 is not null
    and not partner_is_aggregate
    and partner_iso3 not in ('WLD', 'EUU', 'OTH', 'UNS')
{% endset %}
-- The country pairs and periods reported from both ends, found first from four columns: every later
-- step (the heading rollups with their ordered code lists, the pairing join) then works only on flows
-- that can pair. A BACI year (10M imports, reconciled, no exports) pairs with the few exporters that
-- report their own exports, not with itself; without this step its rollups alone outgrew 3 GB.
with pairs as (
    select
        reporter_iso3 as importer_iso3,
        partner_iso3 as exporter_iso3,
        year,
        month
    from {{ ref('trade_flows') }}
    where flow = 'import' and {{ mirrorable }} and {{ in_trade_window() }}
    intersect
    select
        partner_iso3 as importer_iso3,
        reporter_iso3 as exporter_iso3,
        year,
        month
    from {{ ref('trade_flows') }}
    where flow = 'export' and {{ mirrorable }} and {{ in_trade_window() }}
),

reported as (
    select
        f.source,
        f.collection,
        f.reporter_iso3,
        f.partner_iso3,
        f.flow,
        f.year,
        f.month,
        f.period_type,
        f.hs_code,
        f.hs_level,
        f.value_usd,
        f.cif_value_usd,
        f.fob_value_usd,
        f.net_weight_kg
    from {{ ref('trade_flows') }} as f
    semi join pairs as p
        on
            p.importer_iso3 = case when f.flow = 'import' then f.reporter_iso3 else f.partner_iso3 end
            and p.exporter_iso3 = case when f.flow = 'import' then f.partner_iso3 else f.reporter_iso3 end
            and f.year = p.year
            and f.month is not distinct from p.month
    -- (the columns of `mirrorable` are the flow's: pairs has none of them)
    where f.flow in ('import', 'export') and {{ mirrorable }} and {{ in_trade_window(year_column='f.year') }}
),

rollups as (
    {{ hs_heading_rollup('reported', min_codes=2, columns=[
        'any_value(r.collection) as collection',
        'list(r.hs_code order by r.hs_code) as rolled_up_codes',
        'null::double as cif_value_usd',
        'null::double as fob_value_usd',
        'null::double as net_weight_kg',
    ]) }}
),

flows as (
    select
        *,
        false as is_heading_rollup,
        null::varchar [] as rolled_up_codes
    from reported
    union all by name
    select
        *,
        true as is_heading_rollup
    from rollups
),

imports as (
    select * from flows where flow = 'import'
),

exports as (
    select * from flows where flow = 'export'
),

paired as (
    select
        i.reporter_iso3 as importer_iso3,
        i.partner_iso3 as exporter_iso3,
        i.hs_code,
        i.hs_level,
        i.is_heading_rollup,
        i.rolled_up_codes,
        i.period_type,
        i.year,
        i.month,
        i.source as import_source,
        e.source as export_source,
        case when i.source = 'census' then 'customs_value' else 'cif' end as import_valuation,
        i.value_usd as import_value_usd,
        nullif(i.fob_value_usd, 0) as import_fob_value_usd,
        e.value_usd as export_value_usd,
        i.net_weight_kg as import_net_weight_kg,
        e.net_weight_kg as export_net_weight_kg
    from imports as i
    inner join exports as e
        on
            i.reporter_iso3 = e.partner_iso3
            and i.partner_iso3 = e.reporter_iso3
            and i.hs_code = e.hs_code
            and i.hs_level = e.hs_level
            and i.is_heading_rollup = e.is_heading_rollup
            and i.rolled_up_codes is not distinct from e.rolled_up_codes
            and i.year = e.year
            and i.period_type = e.period_type
            and i.month is not distinct from e.month
)

select
    *,
    (import_source = 'census' and export_source = 'taiwan_customs')
    or (import_source = 'taiwan_customs' and export_source = 'census') as is_taiwan_customs_pair,
    import_value_usd - export_value_usd as mirror_gap_usd,
    import_value_usd / nullif(export_value_usd, 0) as mirror_ratio,
    (import_value_usd - export_value_usd) / nullif(export_value_usd, 0) as mirror_gap_share,
    -- the ratio against the normal CIF/FOB markup: 0 means exactly the expected freight and insurance
    round(import_value_usd / nullif(export_value_usd, 0) / {{ exposure_setting('cif_fob_factor') }} - 1, 12)
        as gap_beyond_cif_fob,
    case
        when export_value_usd is null or export_value_usd = 0 then null
        when abs(import_value_usd / export_value_usd / {{ exposure_setting('cif_fob_factor') }} - 1) <= 0.10
            then 'within_10pct'
        when abs(import_value_usd / export_value_usd / {{ exposure_setting('cif_fob_factor') }} - 1) <= 0.20
            then '10_to_20pct'
        else 'over_20pct'
    end as gap_band,
    -- importer's FOB valuation against the exporter's (no freight on either side)
    import_fob_value_usd / nullif(export_value_usd, 0) as fob_to_fob_ratio
from paired
