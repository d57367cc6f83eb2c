-- US exports at risk from China's tariffs: every chip and rare-earth line x year, priced under every
-- regime (the US side's named dates, the as-of date and the scenarios), from both ends of the flow:
-- US exports to China as the US reports them (FOB) and China's imports from the US as China reports
-- them (CIF). Both legs are kept; China's customs levies its duty on its own import value, so the
-- China leg is the preferred basis and the US leg stands in where China's is missing. Where a source
-- has the same leg twice (the sample's Comtrade rows and a live fetch of them), the most direct
-- collection wins (macro trade_collection_rank).
-- A subheading whose heading has a value the same year (Comtrade's 2846 against 284610/284690) is
-- inside it: counted_in_totals is false for it, so summing counted rows never counts a value twice.
with flows as (
    select
        case when reporter_iso3 = 'USA' then 'us_exports' else 'china_imports' end as leg,
        year,
        hs_code,
        value_usd,
        source || ':' || collection as basis,
        {{ trade_collection_rank('collection') }} as collection_rank
    from {{ ref('trade_flows') }}
    where
        period_type = 'annual'
        and value_usd is not null
        and (
            (reporter_iso3 = 'USA' and partner_iso3 = 'CHN' and flow = 'export')
            or (reporter_iso3 = 'CHN' and partner_iso3 = 'USA' and flow = 'import')
        )
),

legs as (
    select
        leg,
        year,
        hs_code,
        arg_max(value_usd, struct_pack(r := collection_rank, v := value_usd)) as value_usd,
        arg_max(basis, struct_pack(r := collection_rank, v := value_usd)) as basis
    from flows
    group by all
),

-- the years either side reports any flow between the two
pair_years as (
    select distinct year
    from {{ ref('trade_flows') }}
    where
        period_type = 'annual'
        and (
            (reporter_iso3 = 'USA' and partner_iso3 = 'CHN')
            or (reporter_iso3 = 'CHN' and partner_iso3 = 'USA')
        )
),

lines as (
    select
        p.hs_code,
        p.hs_level,
        p.chain,
        p.stage,
        p.material,
        y.year,
        us.value_usd as us_reported_exports_usd,
        us.basis as us_exports_basis,
        cn.value_usd as china_reported_imports_usd,
        cn.basis as china_imports_basis
    from {{ ref('dim_product') }} as p
    cross join pair_years as y
    left join legs as us on p.hs_code = us.hs_code and y.year = us.year and us.leg = 'us_exports'
    left join legs as cn on p.hs_code = cn.hs_code and y.year = cn.year and cn.leg = 'china_imports'
    where p.chain is not null
),

valued as (
    select
        *,
        case
            when china_reported_imports_usd is not null then 'china_imports'
            when us_reported_exports_usd is not null then 'us_exports'
        end as preferred_basis,
        coalesce(china_reported_imports_usd, us_reported_exports_usd) as value_at_risk_usd,
        case
            when china_reported_imports_usd is null and us_reported_exports_usd is null then 'both'
            when china_reported_imports_usd is null then 'china_imports'
            when us_reported_exports_usd is null then 'us_exports'
        end as missing_leg
    from lines
),

counted as (
    select
        v.*,
        not exists (
            select 1
            from valued as h
            where
                h.year = v.year and h.hs_level < v.hs_level and starts_with(v.hs_code, h.hs_code)
                and h.value_at_risk_usd is not null
        ) as counted_in_totals
    from valued as v
),

rates as (
    select * from {{ ref('int_tariffs__china_line_rates') }}
),

baseline as (
    select
        hs_code,
        stacked_rate
    from rates
    where regime = '{{ exposure_setting("tariff_baseline_regime") }}'
)

select
    r.regime,
    r.regime_kind,
    r.regime_date,
    'CHN' as importer_iso3,
    'USA' as exporter_iso3,
    c.year,
    c.hs_code,
    c.hs_level,
    c.chain,
    c.stage,
    c.material,
    c.us_reported_exports_usd,
    c.us_exports_basis,
    c.china_reported_imports_usd,
    c.china_imports_basis,
    c.china_reported_imports_usd / nullif(c.us_reported_exports_usd, 0) as mirror_ratio,
    c.preferred_basis,
    c.missing_leg,
    c.value_at_risk_usd,
    c.counted_in_totals,
    r.mfn_rate,
    r.mfn_rate_known,
    r.mfn_rate_basis,
    r.counter_reciprocal_rate,
    r.counter_reciprocal_rate_before_exclusions,
    r.counter_reciprocal_reference,
    r.counter_reciprocal_exclusion,
    r.retaliatory_rate,
    r.retaliatory_reference,
    r.retaliatory_exclusion,
    r.unmapped_measures,
    r.stacked_rate,
    r.stacked_rate_is_lower_bound,
    c.value_at_risk_usd * r.stacked_rate as implied_duty_usd,
    b.stacked_rate as baseline_stacked_rate,
    round(r.stacked_rate - b.stacked_rate, 9) as rate_change_vs_baseline,
    c.value_at_risk_usd * round(r.stacked_rate - b.stacked_rate, 9) as duty_change_vs_baseline_usd
from counted as c
inner join rates as r on c.hs_code = r.hs_code
left join baseline as b on c.hs_code = b.hs_code
