-- Both sides of the trade war on one row: per regime, chain stage and trade year, the US duty on its
-- imports from China (tariff_exposure) beside China's duty on its imports from the US
-- (china_tariff_exposure), each as the implied duty and the trade-weighted rate
-- (sum(rate x value) / sum(value), over counted rows). The general additional rates each side
-- charges on all goods of the other (US: IEEPA fentanyl + reciprocal; China: its counter-reciprocal
-- tariff) stand beside them, so the April 2025 peak reads 145% / 125% and the Geneva truce 30% / 10%
-- whatever a stage's exemptions.
with us_side as (
    select
        regime,
        chain,
        stage,
        year,
        sum(import_value_usd) as us_imports_from_china_usd,
        sum(implied_duty_usd) as us_duty_usd
    from {{ ref('tariff_exposure') }}
    where partner_iso3 = 'CHN' and counted_in_totals and chain is not null
    group by all
),

china_side as (
    select
        regime,
        chain,
        stage,
        year,
        sum(value_at_risk_usd) filter (where counted_in_totals) as china_imports_from_us_usd,
        sum(implied_duty_usd) filter (where counted_in_totals) as china_duty_usd,
        count(*) filter (where counted_in_totals and value_at_risk_usd is not null) as china_lines_with_value,
        count(*) filter (where missing_leg = 'both') as china_lines_without_value,
        coalesce(bool_or(stacked_rate_is_lower_bound) filter (where value_at_risk_usd is not null), false)
            as china_rate_is_lower_bound
    from {{ ref('china_tariff_exposure') }}
    group by all
),

us_general as (
    select
        regime,
        max(ieepa_fentanyl_rate + ieepa_reciprocal_rate_before_exemptions) as us_general_additional_rate
    from {{ ref('int_tariffs__line_rates') }}
    where partner_iso3 = 'CHN'
    group by all
),

china_general as (
    select
        regime,
        max(counter_reciprocal_rate_before_exclusions) as china_general_additional_rate
    from {{ ref('int_tariffs__china_line_rates') }}
    group by all
),

cells as (
    select
        regime,
        chain,
        stage,
        year
    from us_side
    union
    select
        regime,
        chain,
        stage,
        year
    from china_side
)

select
    r.regime,
    r.regime_kind,
    r.regime_date,
    c.chain,
    c.stage,
    c.year,
    round(ug.us_general_additional_rate, 9) as us_general_additional_rate,
    round(cg.china_general_additional_rate, 9) as china_general_additional_rate,
    us.us_imports_from_china_usd,
    us.us_duty_usd,
    us.us_duty_usd / nullif(us.us_imports_from_china_usd, 0) as us_trade_weighted_rate,
    cn.china_imports_from_us_usd,
    cn.china_duty_usd,
    cn.china_duty_usd / nullif(cn.china_imports_from_us_usd, 0) as china_trade_weighted_rate,
    coalesce(cn.china_lines_with_value, 0) as china_lines_with_value,
    coalesce(cn.china_lines_without_value, 0) as china_lines_without_value,
    coalesce(cn.china_rate_is_lower_bound, false) as china_rate_is_lower_bound
from cells as c
inner join {{ ref('int_tariffs__regimes') }} as r on c.regime = r.regime
left join us_side as us on c.regime = us.regime and c.chain = us.chain and c.stage = us.stage and c.year = us.year
left join china_side as cn on c.regime = cn.regime and c.chain = cn.chain and c.stage = cn.stage and c.year = cn.year
left join us_general as ug on c.regime = ug.regime
left join china_general as cg on c.regime = cg.regime
