-- Unit value = value / net weight (USD per kg) by product, reporter, partner, flow and period, with
-- its year-on-year change (the price shock: same month a year earlier for monthly figures). The
-- product is the canonical product (dim_product): codes split in HS2022 (854140 into 854141..854149)
-- are summed back to their HS2017 parent, so a series runs across the 2021/2022 break. Only figures
-- with a positive net weight for every code summed get a unit value; the rest are left out.
with flows as (
    select
        f.source,
        f.reporter_iso3,
        f.partner_iso3,
        f.partner_is_aggregate,
        f.flow,
        f.period_type,
        f.year,
        f.month,
        f.hs_code,
        f.classification_code,
        f.value_usd,
        f.net_weight_kg,
        coalesce(p.canonical_product, f.hs_code) as product,
        p.chain,
        p.stage,
        p.material
    from {{ ref('trade_flows') }} as f
    left join {{ ref('dim_product') }} as p on f.hs_code = p.hs_code
    where f.value_usd is not null and f.reporter_iso3 is not null and f.partner_iso3 is not null
),

grouped as (
    select
        source,
        reporter_iso3,
        partner_iso3,
        partner_is_aggregate,
        flow,
        period_type,
        year,
        month,
        product,
        any_value(chain) as chain,
        any_value(stage) as stage,
        any_value(material) as material,
        list(distinct hs_code order by hs_code) as hs_codes,
        count(distinct classification_code) as classification_count,
        sum(value_usd) as value_usd,
        sum(net_weight_kg) as net_weight_kg,
        -- every code summed must carry a positive weight, or the ratio mixes weighed and unweighed value
        bool_and(coalesce(net_weight_kg, 0) > 0) as all_weighed
    from flows
    group by all
),

valued as (
    select
        * exclude (all_weighed),
        value_usd / net_weight_kg as unit_value_usd_per_kg
    from grouped
    where all_weighed
)

select
    v.*,
    p.unit_value_usd_per_kg as previous_year_unit_value_usd_per_kg,
    v.unit_value_usd_per_kg / nullif(p.unit_value_usd_per_kg, 0) - 1 as unit_value_change_yoy,
    v.value_usd / nullif(p.value_usd, 0) - 1 as value_change_yoy,
    v.net_weight_kg / nullif(p.net_weight_kg, 0) - 1 as weight_change_yoy
from valued as v
left join valued as p
    on
        v.source = p.source and v.reporter_iso3 = p.reporter_iso3 and v.partner_iso3 = p.partner_iso3
        and v.flow = p.flow and v.period_type = p.period_type and v.month is not distinct from p.month
        and v.product = p.product and p.year = v.year - 1
