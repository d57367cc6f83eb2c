-- Imports of products under each export control from the controlling country, by importer, HS code,
-- year and source (China's gallium, germanium, graphite, antimony, tungsten and rare-earth licensing
-- and its US ban; US chip and equipment controls), with the control's status at the end of the
-- year, the days of the year it was in force, and its status on the as-of date (var as_of_date).
-- Flows come from the importer's own report (imports from the controlling country) and, as a mirror,
-- from the controlling country's exports to the importer; is_preferred_basis marks the importer's
-- report where both exist. HS scope is the seed's (approximate where controls go by specification).
with controls as (
    select
        s.event_id,
        s.actor_iso3 as controlling_iso3,
        s.target_iso3,
        s.hs_prefix
    from {{ ref('int_policy__event_scope') }} as s
    where
        s.instrument = 'export_control'
        and s.hs_prefix is not null
        and s.status <> 'unverified'
),

flows as (
    select
        source,
        reporter_iso3,
        partner_iso3,
        partner_is_aggregate,
        flow,
        year,
        hs_code,
        hs_level,
        value_usd
    from {{ ref('trade_flows') }}
    where
        period_type = 'annual'
        and value_usd is not null
        and flow in ('import', 'export')
        and reporter_iso3 is not null
        and partner_iso3 is not null
),

matched as (
    -- the importer's report: imports from the controlling country
    select
        c.event_id,
        c.controlling_iso3,
        f.reporter_iso3 as importer_iso3,
        f.source,
        f.year,
        f.hs_code,
        f.hs_level,
        'importer_reported' as flow_basis,
        f.value_usd,
        starts_with(f.hs_code, c.hs_prefix) as within_controlled_code
    from controls as c
    inner join flows as f
        on
            f.flow = 'import'
            and c.controlling_iso3 = f.partner_iso3
            and (starts_with(f.hs_code, c.hs_prefix) or starts_with(c.hs_prefix, f.hs_code))
            and (c.target_iso3 = 'ALL' or c.target_iso3 = f.reporter_iso3)

    union all

    -- the mirror: the controlling country's exports to the importer
    select
        c.event_id,
        c.controlling_iso3,
        f.partner_iso3 as importer_iso3,
        f.source,
        f.year,
        f.hs_code,
        f.hs_level,
        'controller_reported_mirror' as flow_basis,
        f.value_usd,
        starts_with(f.hs_code, c.hs_prefix) as within_controlled_code
    from controls as c
    inner join flows as f
        on
            f.flow = 'export'
            and c.controlling_iso3 = f.reporter_iso3
            and not f.partner_is_aggregate
            and f.partner_iso3 not in ('OTH', 'UNS')
            and (starts_with(f.hs_code, c.hs_prefix) or starts_with(c.hs_prefix, f.hs_code))
            and (c.target_iso3 = 'ALL' or c.target_iso3 = f.partner_iso3)
),

exposures as (
    -- one row per flow even when several prefixes of a control match it
    select
        event_id,
        controlling_iso3,
        importer_iso3,
        source,
        year,
        hs_code,
        flow_basis,
        any_value(hs_level) as hs_level,
        any_value(value_usd) as value_usd,
        bool_or(within_controlled_code) as within_controlled_code
    from matched
    where importer_iso3 <> controlling_iso3
    group by all
)

select
    x.event_id,
    e.actor as controlling_authority,
    x.controlling_iso3,
    e.measure,
    e.legal_basis,
    e.material_scope,
    e.verified as event_verified,
    x.importer_iso3,
    x.hs_code,
    x.hs_level,
    p.chain,
    p.stage,
    p.material,
    case when x.within_controlled_code then 'within_controlled_code' else 'heading_contains_controlled_codes' end
        as scope_match,
    x.year,
    x.source,
    x.flow_basis,
    x.flow_basis = 'importer_reported' or not exists (
        select 1
        from exposures as i
        where
            i.flow_basis = 'importer_reported' and i.event_id = x.event_id and i.importer_iso3 = x.importer_iso3
            and i.source = x.source and i.year = x.year and i.hs_code = x.hs_code
    ) as is_preferred_basis,
    x.value_usd as import_value_usd,
    case when x.flow_basis = 'importer_reported' then d.total_import_value_usd end as importer_total_import_value_usd,
    case when x.flow_basis = 'importer_reported' then x.value_usd / nullif(d.total_import_value_usd, 0) end
        as share_from_controlling_country,
    e.effective_date,
    e.end_date,
    e.suspended_from,
    e.suspended_until,
    {{ policy_status_on('e', 'make_date(x.year, 12, 31)') }} as status_at_year_end,
    {{ policy_days_in_force('e', 'make_date(x.year, 1, 1)', 'make_date(x.year, 12, 31)') }} as days_in_force_in_year,
    {{ policy_days_in_force('e', 'make_date(x.year, 1, 1)', 'make_date(x.year, 12, 31)') }}
    / (datediff('day', make_date(x.year, 1, 1), make_date(x.year, 12, 31)) + 1) as share_of_year_in_force,
    {{ as_of_date_sql() }} as as_of_date,
    {{ policy_status_on('e', as_of_date_sql()) }} as status_as_of
from exposures as x
inner join {{ ref('policy_events') }} as e on x.event_id = e.event_id
left join {{ ref('dim_product') }} as p on x.hs_code = p.hs_code
left join {{ ref('import_dependency') }} as d
    on
        x.source = d.source and x.importer_iso3 = d.importer_iso3 and x.year = d.year
        and x.hs_code = d.hs_code
