-- The US tariff on every (partner, HS10 line) the Census imports carry, under every regime
-- (int_tariffs__regimes), component by component:
--   MFN          column-1 general rate of the HTS8 (2025 edition; null when specific or compound)
--   Section 301  goods of China only; on a date the action that started last wins (ties: longest
--                prefix, then highest rate) - actions replace each other, they never add up
--   IEEPA        fentanyl and reciprocal rates of the partner in force on the date; the reciprocal
--                rate is lifted for Annex II goods (from each prefix's date) and for goods under a
--                full-value Section 232 tariff; the fentanyl rate has no such exemptions
--   Section 232  full-value rates of lines whose section names its effective date; metal-content
--                rates are reported apart (the metal's value is unknown) and never stacked
-- A scenario regime then replaces the components its seed rows name (macro tariff_scenario_overrides,
-- shared with the China side: most specific row wins).
with lines as (
    select distinct
        cc.iso3 as partner_iso3,
        i.hs10,
        i.hts8
    from {{ ref('stg_census__imports_hs10') }} as i
    inner join {{ ref('int_country_codes') }} as cc on cc.source = 'census' and i.cty_code = cc.source_code
    where cc.iso3 is not null
),

grid as (
    select
        r.regime,
        r.regime_kind,
        r.regime_date,
        l.partner_iso3,
        l.hs10,
        l.hts8
    from {{ ref('int_tariffs__regimes') }} as r
    cross join lines as l
),

mfn as (
    select
        hts8,
        mfn_ad_valorem_rate,
        mfn_rate_is_ad_valorem,
        general_rate_text
    from {{ ref('stg_tariffs__mfn_base_rates') }}
),

section_301 as (
    select
        g.regime,
        g.partner_iso3,
        g.hs10,
        arg_max(s.rate, struct_pack(a := s.effective_start, b := length(s.hts_prefix), c := s.rate)) as rate,
        arg_max(
            s.rate_source || ': ' || s.reference,
            struct_pack(a := s.effective_start, b := length(s.hts_prefix), c := s.rate)
        ) as reference
    from grid as g
    inner join {{ ref('int_tariffs__section_301_rates') }} as s
        on
            g.partner_iso3 = 'CHN'
            and starts_with(g.hs10, s.hts_prefix)
            and g.regime_date >= s.effective_start
            and (s.effective_end is null or g.regime_date <= s.effective_end)
    group by all
),

ieepa as (
    select
        g.regime,
        g.partner_iso3,
        g.hs10,
        r.tariff_program,
        arg_max(r.rate, struct_pack(a := r.effective_start, b := r.rate)) as rate,
        arg_max(r.rate_source || ': ' || r.reference, struct_pack(a := r.effective_start, b := r.rate)) as reference
    from grid as g
    inner join {{ ref('int_tariffs__ieepa_rates') }} as r
        on
            g.partner_iso3 = r.partner_iso3
            and g.regime_date >= r.effective_start
            and (r.effective_end is null or g.regime_date <= r.effective_end)
    group by all
),

ieepa_listed as (
    select distinct
        tariff_program,
        partner_iso3,
        rate_source
    from {{ ref('int_tariffs__ieepa_rates') }}
),

annex_ii as (
    select
        g.regime,
        g.partner_iso3,
        g.hs10,
        max(a.hts_prefix_as_published) as annex_ii_prefix
    from grid as g
    inner join {{ ref('stg_tariffs__annex_ii_exemptions') }} as a
        on starts_with(g.hs10, a.hts_prefix) and g.regime_date >= a.effective_date
    group by all
),

section_232 as (
    select
        g.regime,
        g.partner_iso3,
        g.hs10,
        max(s.duty_rate) filter (where s.article_type <> 'content' and g.regime_date >= s.effective_date)
            as full_value_rate,
        max(s.duty_rate) filter (where s.article_type = 'content' and g.regime_date >= s.effective_date)
            as content_rate,
        bool_or(s.effective_date is null) as listed_without_date
    from grid as g
    inner join {{ ref('stg_tariffs__section_232_lines') }} as s on starts_with(g.hs10, s.hts_code)
    group by all
),

overrides as (
    {{ tariff_scenario_overrides('grid', 'USA', 'hs10') }}
),

components as (
    select
        g.*,
        m.general_rate_text as mfn_rate_text,
        coalesce(m.mfn_rate_is_ad_valorem, false) as mfn_rate_is_ad_valorem,
        coalesce(o_mfn.rate, m.mfn_ad_valorem_rate) as mfn_rate,
        coalesce(o_301.rate, s301.rate, 0) as section_301_rate,
        case when o_301.rate is not null then 'scenario' else s301.reference end as section_301_reference,
        coalesce(o_fen.rate, fen.rate, 0) as ieepa_fentanyl_rate,
        case when o_fen.rate is not null then 'scenario' else fen.reference end as ieepa_fentanyl_reference,
        coalesce(o_rec.rate, rec.rate, 0) as ieepa_reciprocal_rate_before_exemptions,
        case when o_rec.rate is not null then 'scenario' else rec.reference end as ieepa_reciprocal_reference,
        coalesce(o_232.rate, s232.full_value_rate, 0) as section_232_rate,
        s232.content_rate as section_232_content_rate,
        coalesce(s232.listed_without_date, false) as section_232_listed_without_date,
        a.annex_ii_prefix
    from grid as g
    left join mfn as m on g.hts8 = m.hts8
    left join section_301 as s301
        on g.regime = s301.regime and g.partner_iso3 = s301.partner_iso3 and g.hs10 = s301.hs10
    left join ieepa as fen
        on
            g.regime = fen.regime and g.partner_iso3 = fen.partner_iso3 and g.hs10 = fen.hs10
            and fen.tariff_program = 'ieepa_fentanyl'
    left join ieepa as rec
        on
            g.regime = rec.regime and g.partner_iso3 = rec.partner_iso3 and g.hs10 = rec.hs10
            and rec.tariff_program = 'ieepa_reciprocal'
    left join annex_ii as a
        on g.regime = a.regime and g.partner_iso3 = a.partner_iso3 and g.hs10 = a.hs10
    left join section_232 as s232
        on g.regime = s232.regime and g.partner_iso3 = s232.partner_iso3 and g.hs10 = s232.hs10
    left join overrides as o_mfn
        on
            g.regime = o_mfn.regime and g.partner_iso3 = o_mfn.partner_iso3 and g.hs10 = o_mfn.hs10
            and o_mfn.tariff_program = 'mfn'
    left join overrides as o_301
        on
            g.regime = o_301.regime and g.partner_iso3 = o_301.partner_iso3 and g.hs10 = o_301.hs10
            and o_301.tariff_program = 'section_301'
    left join overrides as o_fen
        on
            g.regime = o_fen.regime and g.partner_iso3 = o_fen.partner_iso3 and g.hs10 = o_fen.hs10
            and o_fen.tariff_program = 'ieepa_fentanyl'
    left join overrides as o_rec
        on
            g.regime = o_rec.regime and g.partner_iso3 = o_rec.partner_iso3 and g.hs10 = o_rec.hs10
            and o_rec.tariff_program = 'ieepa_reciprocal'
    left join overrides as o_232
        on
            g.regime = o_232.regime and g.partner_iso3 = o_232.partner_iso3 and g.hs10 = o_232.hs10
            and o_232.tariff_program = 'section_232'
),

exempted as (
    select
        *,
        case
            when ieepa_reciprocal_rate_before_exemptions = 0 then null
            when annex_ii_prefix is not null then 'annex_ii'
            when section_232_rate > 0 then 'section_232'
        end as ieepa_reciprocal_exemption
    from components
)

select
    e.regime,
    e.regime_kind,
    e.regime_date,
    e.partner_iso3,
    e.hs10,
    e.hts8,
    e.mfn_rate_text,
    e.mfn_rate_is_ad_valorem,
    e.mfn_rate,
    e.section_301_rate,
    e.section_301_reference,
    e.ieepa_fentanyl_rate,
    e.ieepa_fentanyl_reference,
    case when e.ieepa_reciprocal_exemption is null then e.ieepa_reciprocal_rate_before_exemptions else 0 end
        as ieepa_reciprocal_rate,
    e.ieepa_reciprocal_rate_before_exemptions,
    e.ieepa_reciprocal_exemption,
    e.ieepa_reciprocal_reference,
    e.annex_ii_prefix,
    e.section_232_rate,
    e.section_232_content_rate,
    e.section_232_listed_without_date,
    case
        when exists (select 1 from ieepa_listed as l where l.partner_iso3 = e.partner_iso3 and l.rate_source = 'policy_events')
            then 'policy_events'
        when exists (select 1 from ieepa_listed as l where l.partner_iso3 = e.partner_iso3) then 'tariffs_us'
        else 'partner_not_listed'
    end as ieepa_rate_basis,
    -- rounded to 1e-9: rates are decimals with at most 4 digits, the rest is float noise
    round(
        coalesce(e.mfn_rate, 0) + e.section_301_rate + e.ieepa_fentanyl_rate
        + case when e.ieepa_reciprocal_exemption is null then e.ieepa_reciprocal_rate_before_exemptions else 0 end
        + e.section_232_rate,
        9
    ) as stacked_rate
from exempted as e
