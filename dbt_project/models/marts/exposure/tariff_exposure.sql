-- US imports by partner x HS10 line x year, priced under every tariff regime: the stacked ad valorem
-- rate (MFN + Section 301 + IEEPA fentanyl + IEEPA reciprocal + Section 232) in force on the
-- regime's date, the duty it implies on the year's customs value, and the change against the
-- baseline regime (var tariff_baseline_regime). The Census calculated duty of the data year is
-- beside it as a check on the statutory rates (exclusions, FTA preferences and drawbacks make the
-- two differ).
--
-- Partners: countries, and the EU group (Census 0003) whose members are not itemised except
-- Slovakia, which sits inside it: counted_in_totals is false for such members, so summing rows
-- with counted_in_totals never counts a value twice.
with imports as (
    select
        cc.iso3 as partner_iso3,
        coalesce(cc.is_aggregate, false) as partner_is_aggregate,
        i.year,
        i.hs10,
        i.hts8,
        i.hs6,
        sum(i.customs_value_usd) as import_value_usd,
        sum(i.calculated_duty_usd) as observed_duty_usd
    from {{ ref('stg_census__imports_hs10') }} as i
    inner join {{ ref('int_country_codes') }} as cc on cc.source = 'census' and i.cty_code = cc.source_code
    -- CON_VAL_YR at month 12 is the calendar year
    where i.through_month = 12 and cc.iso3 is not null
    group by all
),

bloc_members as (
    select distinct
        i.year,
        i.hs10,
        g.iso3 as member_iso3
    from imports as i
    inner join {{ ref('country_groups') }} as g on i.partner_iso3 = 'EUU' and g.group_code = 'EU27'
),

rates as (
    select * from {{ ref('int_tariffs__line_rates') }}
),

baseline as (
    select
        partner_iso3,
        hs10,
        stacked_rate
    from rates
    where regime = '{{ exposure_setting("tariff_baseline_regime") }}'
)

select
    r.regime,
    r.regime_kind,
    r.regime_date,
    'census' as source,
    'USA' as importer_iso3,
    i.partner_iso3,
    i.partner_is_aggregate,
    b.member_iso3 is null as counted_in_totals,
    i.year,
    i.hs10,
    i.hts8,
    i.hs6,
    p.chain,
    p.stage,
    p.material,
    i.import_value_usd,
    r.mfn_rate,
    r.mfn_rate_text,
    r.mfn_rate_is_ad_valorem,
    r.section_301_rate,
    r.section_301_reference,
    r.ieepa_fentanyl_rate,
    r.ieepa_reciprocal_rate,
    r.ieepa_reciprocal_rate_before_exemptions,
    r.ieepa_reciprocal_exemption,
    r.annex_ii_prefix,
    r.ieepa_rate_basis,
    r.section_232_rate,
    r.section_232_content_rate,
    r.section_232_listed_without_date,
    r.stacked_rate,
    i.import_value_usd * r.stacked_rate as implied_duty_usd,
    base.stacked_rate as baseline_stacked_rate,
    round(r.stacked_rate - base.stacked_rate, 9) as rate_change_vs_baseline,
    i.import_value_usd * round(r.stacked_rate - base.stacked_rate, 9) as duty_change_vs_baseline_usd,
    i.observed_duty_usd,
    i.observed_duty_usd / nullif(i.import_value_usd, 0) as observed_duty_rate
from imports as i
inner join rates as r on i.partner_iso3 = r.partner_iso3 and i.hs10 = r.hs10
left join baseline as base on i.partner_iso3 = base.partner_iso3 and i.hs10 = base.hs10
left join bloc_members as b on i.year = b.year and i.hs10 = b.hs10 and i.partner_iso3 = b.member_iso3
left join {{ ref('dim_product') }} as p on i.hs6 = p.hs_code
