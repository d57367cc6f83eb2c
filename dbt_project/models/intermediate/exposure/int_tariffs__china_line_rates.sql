-- China's tariff on goods of the US, for every chip and rare-earth line (dim_product codes with a
-- chain: the taxonomy's HS6 lines and the headings sources report, such as 2846), under every regime
-- (int_tariffs__regimes, shared with the US side), component by component:
--   MFN                  seed china_mfn_rates: zero on ITA lines, null where no source here gives
--                        the rate (never taken as zero: stacked_rate is then a lower bound)
--   counter-reciprocal   china_counter_reciprocal, the all-goods answer to the IEEPA reciprocal
--                        tariff (34% -> 84% -> 125% -> 10%): its steps replace each other, so on a date
--                        the step that started last wins
--   retaliatory          china_retaliatory, the HS lists of February and March 2025, added on top;
--                        on a line, the covering list that started last
--   exclusions           events of instrument tariff_exclusion lift the programme they name from the
--                        lines of their scope while in force
-- A measure whose scope is words, not an HS list or 'all goods', is never priced: it is listed in
-- unmapped_measures. Unverified events are never used. A scenario regime then replaces the
-- components its seed rows name (macro tariff_scenario_overrides, shared with the US side).
with lines as (
    select hs_code
    from {{ ref('dim_product') }}
    where chain is not null
),

grid as (
    select
        r.regime,
        r.regime_kind,
        r.regime_date,
        'USA' as partner_iso3,
        l.hs_code
    from {{ ref('int_tariffs__regimes') }} as r
    cross join lines as l
),

measures as (
    select *
    from {{ ref('int_policy__event_scope') }}
    where
        actor_iso3 = 'CHN'
        and target_iso3 = 'USA'
        and instrument in ('tariff', 'tariff_exclusion')
        and status <> 'unverified'
),

in_force as (
    select
        g.regime,
        g.hs_code,
        m.event_id,
        m.instrument,
        m.tariff_program,
        m.hs_prefix,
        m.rate,
        m.effective_date,
        m.hs_prefix is null and coalesce(m.material_scope, '') <> 'all goods' as scope_unmapped
    from grid as g
    inner join measures as m
        on
            {{ policy_status_on('m', 'g.regime_date') }} = 'in_force'
            and (
                (m.hs_prefix is null)
                or starts_with(g.hs_code, m.hs_prefix)
            )
),

priced as (
    select
        regime,
        hs_code,
        tariff_program,
        arg_max(rate, struct_pack(a := effective_date, b := coalesce(length(hs_prefix), 0), c := rate)) as rate,
        arg_max(event_id, struct_pack(a := effective_date, b := coalesce(length(hs_prefix), 0), c := rate))
            as event_id
    from in_force
    where instrument = 'tariff' and not scope_unmapped and rate is not null
    group by all
),

excluded as (
    select
        regime,
        hs_code,
        tariff_program,
        min(event_id) as event_id
    from in_force
    where instrument = 'tariff_exclusion' and not scope_unmapped
    group by all
),

unmapped as (
    select
        regime,
        string_agg(distinct event_id, '|' order by event_id) as event_ids
    from in_force
    where instrument = 'tariff' and scope_unmapped
    group by all
),

overrides as (
    {{ tariff_scenario_overrides('grid', 'CHN', 'hs_code') }}
),

components as (
    select
        g.*,
        coalesce(o_mfn.rate, m.mfn_rate) as mfn_rate,
        case when o_mfn.rate is not null then 'scenario' else m.rate_basis end as mfn_rate_basis,
        coalesce(o_cr.rate, cr.rate, 0) as counter_reciprocal_rate_before_exclusions,
        case when o_cr.rate is not null then 'scenario' else cr.event_id end as counter_reciprocal_reference,
        x_cr.event_id as counter_reciprocal_exclusion,
        coalesce(o_rt.rate, rt.rate, 0) as retaliatory_rate_before_exclusions,
        case when o_rt.rate is not null then 'scenario' else rt.event_id end as retaliatory_reference,
        x_rt.event_id as retaliatory_exclusion,
        u.event_ids as unmapped_measures
    from grid as g
    left join {{ ref('china_mfn_rates') }} as m on g.hs_code = m.hs6
    left join priced as cr
        on g.regime = cr.regime and g.hs_code = cr.hs_code and cr.tariff_program = 'china_counter_reciprocal'
    left join priced as rt
        on g.regime = rt.regime and g.hs_code = rt.hs_code and rt.tariff_program = 'china_retaliatory'
    left join excluded as x_cr
        on g.regime = x_cr.regime and g.hs_code = x_cr.hs_code and x_cr.tariff_program = 'china_counter_reciprocal'
    left join excluded as x_rt
        on g.regime = x_rt.regime and g.hs_code = x_rt.hs_code and x_rt.tariff_program = 'china_retaliatory'
    left join unmapped as u on g.regime = u.regime
    left join overrides as o_mfn
        on g.regime = o_mfn.regime and g.hs_code = o_mfn.hs_code and o_mfn.tariff_program = 'mfn'
    left join overrides as o_cr
        on g.regime = o_cr.regime and g.hs_code = o_cr.hs_code and o_cr.tariff_program = 'china_counter_reciprocal'
    left join overrides as o_rt
        on g.regime = o_rt.regime and g.hs_code = o_rt.hs_code and o_rt.tariff_program = 'china_retaliatory'
),

excluded_components as (
    select
        *,
        case when counter_reciprocal_exclusion is null then counter_reciprocal_rate_before_exclusions else 0 end
            as counter_reciprocal_rate,
        case when retaliatory_exclusion is null then retaliatory_rate_before_exclusions else 0 end
            as retaliatory_rate
    from components
)

select
    regime,
    regime_kind,
    regime_date,
    'CHN' as importer_iso3,
    partner_iso3,
    hs_code,
    mfn_rate,
    mfn_rate is not null as mfn_rate_known,
    mfn_rate_basis,
    counter_reciprocal_rate,
    counter_reciprocal_rate_before_exclusions,
    counter_reciprocal_reference,
    counter_reciprocal_exclusion,
    retaliatory_rate,
    retaliatory_rate_before_exclusions,
    retaliatory_reference,
    retaliatory_exclusion,
    unmapped_measures,
    -- rounded to 1e-9: rates are decimals with at most 4 digits, the rest is float noise
    round(coalesce(mfn_rate, 0) + counter_reciprocal_rate + retaliatory_rate, 9) as stacked_rate,
    mfn_rate is null as stacked_rate_is_lower_bound
from excluded_components
