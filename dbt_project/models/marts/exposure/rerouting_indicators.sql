-- Rerouting indicator (DOMAIN.md; country level, an upper bound): for a product k, an origin o and a
-- hub h (country group REROUTING_HUB: VNM, MYS, THA, MEX), min(h's imports from o, h's exports to
-- the destination d) - no more than this can be o's goods passing through h to d. One row per
-- origin (var rerouting_origins, default CHN and TWN) x hub x HS code x period; monthly where both
-- legs are monthly. Each leg takes the best figure available:
--   into the hub:  the hub's own imports from o, else o's exports to the hub (mirror);
--   out of it:     the hub's exports to d, else d's imports from the hub (mirror), else the hub's
--                  exports to the World - a looser bound (bound_basis = exports_to_world).
-- Where a source reports every HS6 subheading of a heading for a reporter (its extract covers the
-- heading), their sum per heading is a series too (8542 from Taiwan's subheadings meets the hubs'
-- heading-level exports); a partial set would understate a leg and break the bound, so it is not summed. Changes: year on year (same bound basis) and
-- against the last period before the latest US tariff event on China (var
-- rerouting_tariff_target_iso3) in force by the period's end - the rerouting motive.
{%- set origins = exposure_setting('rerouting_origins') %}
{%- set destination = exposure_setting('rerouting_destination_iso3') %}
{#- heading roll-ups: only the headings every subheading of which the source reports -#}
{% set covered_only %}
    inner join covered_headings as c
        on r.source = c.source and r.reporter_iso3 = c.reporter_iso3 and r.flow = c.flow and left(r.hs_code, 4) = c.hs4
{% endset %}
with hubs as (
    select iso3 as hub_iso3
    from {{ ref('country_groups') }}
    where group_code = 'REROUTING_HUB'
),

reported as (
    select
        source,
        reporter_iso3,
        partner_iso3,
        flow,
        period_type,
        year,
        month,
        hs_code,
        hs_level,
        value_usd
    from {{ ref('trade_flows') }}
    where value_usd is not null and reporter_iso3 is not null and partner_iso3 is not null
),

subheadings as (
    select
        hs4,
        count(*) as subheading_count
    from {{ ref('dim_product') }}
    where hs_level = 6 and in_hs2022
    group by hs4
),

covered_headings as (
    -- headings whose every HS2022 subheading the source reports for the reporter and flow
    select
        r.source,
        r.reporter_iso3,
        r.flow,
        left(r.hs_code, 4) as hs4
    from reported as r
    inner join subheadings as s on left(r.hs_code, 4) = s.hs4
    where r.hs_level = 6
    group by r.source, r.reporter_iso3, r.flow, left(r.hs_code, 4)
    having count(distinct r.hs_code) >= any_value(s.subheading_count)
),

rollups as (
    {{ hs_heading_rollup('reported', join=covered_only) }}
),

series as (
    select
        *,
        false as is_heading_rollup
    from reported
    union all by name
    select
        *,
        true as is_heading_rollup
    from rollups
),

into_hub as (
    select
        h.hub_iso3,
        s.partner_iso3 as origin_iso3,
        s.hs_code,
        s.hs_level,
        s.period_type,
        s.year,
        s.month,
        s.value_usd,
        s.source,
        s.is_heading_rollup,
        'hub_reported' as basis,
        1 as priority
    from series as s
    inner join hubs as h on s.reporter_iso3 = h.hub_iso3
    where s.flow = 'import' and s.partner_iso3 in ({{ "'" ~ origins | join("', '") ~ "'" }})

    union all

    select
        h.hub_iso3,
        s.reporter_iso3 as origin_iso3,
        s.hs_code,
        s.hs_level,
        s.period_type,
        s.year,
        s.month,
        s.value_usd,
        s.source,
        s.is_heading_rollup,
        'origin_reported_mirror' as basis,
        2 as priority
    from series as s
    inner join hubs as h on s.partner_iso3 = h.hub_iso3
    where s.flow = 'export' and s.reporter_iso3 in ({{ "'" ~ origins | join("', '") ~ "'" }})
),

out_of_hub as (
    select
        h.hub_iso3,
        s.hs_code,
        s.hs_level,
        s.period_type,
        s.year,
        s.month,
        s.value_usd,
        s.source,
        s.is_heading_rollup,
        case s.partner_iso3 when 'WLD' then 'hub_exports_to_world' else 'hub_reported' end as basis,
        case s.partner_iso3 when 'WLD' then 3 else 1 end as priority
    from series as s
    inner join hubs as h on s.reporter_iso3 = h.hub_iso3
    where s.flow = 'export' and s.partner_iso3 in ('{{ destination }}', 'WLD')

    union all

    select
        h.hub_iso3,
        s.hs_code,
        s.hs_level,
        s.period_type,
        s.year,
        s.month,
        s.value_usd,
        s.source,
        s.is_heading_rollup,
        'destination_reported_mirror' as basis,
        2 as priority
    from series as s
    inner join hubs as h on s.partner_iso3 = h.hub_iso3
    where s.flow = 'import' and s.reporter_iso3 = '{{ destination }}'
),

world_exports as (
    select *
    from out_of_hub
    where basis = 'hub_exports_to_world'
    qualify row_number() over (
        partition by hub_iso3, hs_code, hs_level, period_type, year, month
        order by is_heading_rollup, source
    ) = 1
),

best_in as (
    select *
    from into_hub
    qualify row_number() over (
        partition by hub_iso3, origin_iso3, hs_code, hs_level, period_type, year, month
        order by priority, is_heading_rollup, source
    ) = 1
),

best_out as (
    select *
    from out_of_hub
    qualify row_number() over (
        partition by hub_iso3, hs_code, hs_level, period_type, year, month
        order by priority, is_heading_rollup, source
    ) = 1
),

indicators as (
    select
        i.origin_iso3,
        i.hub_iso3,
        '{{ destination }}' as destination_iso3,
        i.hs_code,
        i.hs_level,
        i.period_type,
        i.year,
        i.month,
        make_date(i.year, coalesce(i.month, 1), 1) as period_start,
        case
            when i.month is null then make_date(i.year, 12, 31)
            else last_day(make_date(i.year, i.month, 1))
        end as period_end,
        i.value_usd as hub_imports_from_origin_usd,
        i.basis as inflow_basis,
        i.source as inflow_source,
        o.value_usd as hub_exports_usd,
        o.basis as outflow_basis,
        o.source as outflow_source,
        i.is_heading_rollup or o.is_heading_rollup as uses_heading_rollup,
        case when o.basis = 'hub_exports_to_world' then 'exports_to_world' else 'exports_to_destination' end
            as bound_basis,
        least(i.value_usd, o.value_usd) as rerouting_upper_bound_usd,
        -- kept beside a destination figure so the looser bound stays comparable over the years
        wld.value_usd as hub_exports_to_world_usd
    from best_in as i
    inner join best_out as o
        on
            i.hub_iso3 = o.hub_iso3 and i.hs_code = o.hs_code and i.hs_level = o.hs_level
            and i.period_type = o.period_type and i.year = o.year and i.month is not distinct from o.month
    left join world_exports as wld
        on
            i.hub_iso3 = wld.hub_iso3 and i.hs_code = wld.hs_code
            and i.hs_level = wld.hs_level and i.period_type = wld.period_type and i.year = wld.year
            and i.month is not distinct from wld.month
),

tariff_events as (
    select
        event_id,
        effective_date
    from {{ ref('int_policy__event_scope') }}
    where
        actor_iso3 = 'USA'
        and instrument = 'tariff'
        and status <> 'unverified'
        and target_iso3 = '{{ exposure_setting("rerouting_tariff_target_iso3") }}'
        and (end_date is null or end_date >= effective_date)
    group by event_id, effective_date
),

with_event as (
    select
        x.*,
        (
            select arg_max(e.event_id, struct_pack(a := e.effective_date, b := e.event_id))
            from tariff_events as e
            where e.effective_date <= x.period_end
        ) as latest_tariff_event_id,
        (
            select max(e.effective_date)
            from tariff_events as e
            where e.effective_date <= x.period_end
        ) as latest_tariff_event_date
    from indicators as x
)

select
    w.*,
    p.rerouting_upper_bound_usd as previous_year_upper_bound_usd,
    w.rerouting_upper_bound_usd - p.rerouting_upper_bound_usd as change_vs_previous_year_usd,
    (w.rerouting_upper_bound_usd - p.rerouting_upper_bound_usd) / nullif(p.rerouting_upper_bound_usd, 0)
        as change_vs_previous_year_pct,
    b.period_start as pre_event_period_start,
    b.rerouting_upper_bound_usd as pre_event_upper_bound_usd,
    w.rerouting_upper_bound_usd - b.rerouting_upper_bound_usd as change_vs_pre_event_usd
from with_event as w
-- the same period a year earlier, on the same bound basis
left join indicators as p
    on
        w.origin_iso3 = p.origin_iso3 and w.hub_iso3 = p.hub_iso3 and w.hs_code = p.hs_code
        and w.hs_level = p.hs_level and w.period_type = p.period_type and w.month is not distinct from p.month
        and p.year = w.year - 1 and w.bound_basis = p.bound_basis
-- the last period of the series (same basis) that ended before the latest tariff event
left join lateral (
    select
        q.period_start,
        q.rerouting_upper_bound_usd
    from indicators as q
    where
        q.origin_iso3 = w.origin_iso3 and q.hub_iso3 = w.hub_iso3 and q.hs_code = w.hs_code
        and q.hs_level = w.hs_level and q.period_type = w.period_type and q.bound_basis = w.bound_basis
        and q.period_end < w.latest_tariff_event_date
    order by q.period_end desc
    limit 1
) as b on true
