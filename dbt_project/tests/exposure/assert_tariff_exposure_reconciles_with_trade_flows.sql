-- Reconciliation: under every regime, tariff_exposure prices exactly the Census imports of
-- trade_flows (same partner, HS6 and year), and its rows with counted_in_totals add up to
-- import_dependency's totals (the EU group counted once, Slovakia inside it).
with priced as (
    select
        regime,
        partner_iso3,
        hs6,
        year,
        sum(import_value_usd) as priced_usd
    from {{ ref('tariff_exposure') }}
    group by all
),

flows as (
    select
        partner_iso3,
        hs_code as hs6,
        year,
        sum(value_usd) as flow_usd
    from {{ ref('trade_flows') }}
    where source = 'census' and flow = 'import' and period_type = 'annual'
    group by all
),

by_partner as (
    select
        p.regime,
        p.partner_iso3,
        p.hs6,
        p.year,
        'partner' as check_level,
        p.priced_usd,
        f.flow_usd as expected_usd
    from priced as p
    full outer join flows as f on p.partner_iso3 = f.partner_iso3 and p.hs6 = f.hs6 and p.year = f.year
),

totals as (
    select
        t.regime,
        null as partner_iso3,
        t.hs6,
        t.year,
        'total' as check_level,
        sum(t.import_value_usd) filter (where t.counted_in_totals) as priced_usd,
        any_value(d.total_import_value_usd) as expected_usd
    from {{ ref('tariff_exposure') }} as t
    inner join {{ ref('import_dependency') }} as d
        on d.source = 'census' and d.importer_iso3 = 'USA' and t.hs6 = d.hs_code and t.year = d.year
    group by all
)

select *
from (
    select * from by_partner
    union all by name
    select * from totals
)
where
    priced_usd is null
    or expected_usd is null
    or abs(priced_usd - expected_usd) > 1e-6 * greatest(1, abs(expected_usd))
