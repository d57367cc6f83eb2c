-- Trade-remedy cases of the policy timeline (instrument investigation with an HS scope, such as
-- MOFCOM's 2025 anti-dumping case on US analog ICs): for each case, line in its scope and year, the
-- investigating country's imports of the line by supplier (who would gain if duties are imposed),
-- the investigated country's own exports to it (the mirror leg), and the case's status and decision
-- dates as of var as_of_date. Any case added to policy_events gets the same shape.
-- Suppliers are countries or a bloc itemised instead of its members (macro classify_import_partners);
-- shares use the World row when the source has one, else the itemised total. The investigated
-- country always has a row, valued or not; missing_leg says which side the data lack.
with cases as (
    select
        s.event_id,
        s.actor_iso3 as investigating_iso3,
        s.target_iso3 as investigated_iso3,
        s.hs_prefix,
        s.effective_date,
        s.end_date,
        s.suspended_from,
        s.suspended_until,
        s.instrument,
        e.measure,
        e.decision_due,
        e.decision_due_extended
    from {{ ref('int_policy__event_scope') }} as s
    inner join {{ ref('policy_events') }} as e on s.event_id = e.event_id
    where s.instrument = 'investigation' and s.hs_prefix is not null and s.status <> 'unverified'
),

case_lines as (
    select
        c.*,
        p.hs_code,
        p.hs_level,
        p.chain,
        p.stage
    from cases as c
    inner join {{ ref('dim_product') }} as p on starts_with(p.hs_code, c.hs_prefix) and p.chain is not null
),

flows as (
    select
        f.source,
        f.reporter_iso3 as importer_iso3,
        f.partner_iso3,
        f.partner_is_aggregate,
        f.year,
        f.hs_code,
        f.value_usd
    from {{ ref('trade_flows') }} as f
    where
        f.flow = 'import'
        and f.period_type = 'annual'
        and f.value_usd is not null
        and f.reporter_iso3 in (select c.investigating_iso3 from cases as c)
),

classified as (
    {{ classify_import_partners('flows') }}
),

-- one source per importer, line and year: the one that itemises most suppliers
sources as (
    select
        importer_iso3,
        year,
        hs_code,
        arg_max(source, struct_pack(n := count_suppliers, s := source)) as source
    from (
        select
            importer_iso3,
            year,
            hs_code,
            source,
            count(*) filter (where partner_role in ('country', 'bloc')) as count_suppliers
        from classified
        group by all
    )
    group by all
),

imports as (
    select
        c.importer_iso3,
        c.year,
        c.hs_code,
        c.source,
        c.partner_iso3 as supplier_iso3,
        c.partner_role,
        c.value_usd
    from classified as c
    inner join sources as s
        on c.importer_iso3 = s.importer_iso3 and c.year = s.year and c.hs_code = s.hs_code and c.source = s.source
),

denominators as (
    select
        importer_iso3,
        year,
        hs_code,
        coalesce(
            sum(value_usd) filter (where partner_role = 'world'),
            sum(value_usd) filter (where partner_role in ('country', 'bloc', 'unallocated'))
        ) as total_imports_usd
    from imports
    group by all
),

investigated_exports as (
    select
        f.reporter_iso3 as exporter_iso3,
        f.partner_iso3 as importer_iso3,
        f.year,
        f.hs_code,
        arg_max(f.value_usd, struct_pack(r := {{ trade_collection_rank('f.collection') }}, v := f.value_usd))
            as value_usd
    from {{ ref('trade_flows') }} as f
    where
        f.flow = 'export' and f.period_type = 'annual' and f.value_usd is not null
        and f.reporter_iso3 in (select c.investigated_iso3 from cases as c)
    group by all
),

-- the years either country reports any flow with the other
pair_years as (
    select distinct
        c.event_id,
        f.year
    from cases as c
    inner join {{ ref('trade_flows') }} as f
        on
            (
                (c.investigating_iso3 = f.reporter_iso3 and c.investigated_iso3 = f.partner_iso3)
                or (c.investigated_iso3 = f.reporter_iso3 and c.investigating_iso3 = f.partner_iso3)
            )
            and f.period_type = 'annual'
),

grid as (
    select
        l.*,
        y.year
    from case_lines as l
    inner join pair_years as y on l.event_id = y.event_id
),

suppliers as (
    select
        g.event_id,
        g.hs_code,
        g.year,
        i.supplier_iso3,
        i.source,
        i.value_usd
    from grid as g
    inner join imports as i
        on g.investigating_iso3 = i.importer_iso3 and g.year = i.year and g.hs_code = i.hs_code
    where i.partner_role in ('country', 'bloc')
    union
    select
        g.event_id,
        g.hs_code,
        g.year,
        g.investigated_iso3 as supplier_iso3,
        null as source,
        null as value_usd
    from grid as g
    where not exists (
        select 1
        from imports as i
        where
            i.importer_iso3 = g.investigating_iso3 and i.year = g.year and i.hs_code = g.hs_code
            and i.supplier_iso3 = g.investigated_iso3
    )
)

select
    g.event_id,
    g.measure,
    g.investigating_iso3,
    g.investigated_iso3,
    g.hs_code,
    g.hs_level,
    g.chain,
    g.stage,
    g.year,
    s.supplier_iso3,
    s.supplier_iso3 = g.investigated_iso3 as is_investigated_country,
    s.source as imports_source,
    s.value_usd as supplier_imports_usd,
    d.total_imports_usd,
    s.value_usd / nullif(d.total_imports_usd, 0) as supplier_share,
    case
        when s.value_usd is not null
            then rank() over (
                partition by g.event_id, g.hs_code, g.year, s.supplier_iso3 = g.investigated_iso3
                order by s.value_usd desc
            )
    end as rank_among_peers,
    case when s.supplier_iso3 = g.investigated_iso3 then x.value_usd end as investigated_reported_exports_usd,
    case
        when s.supplier_iso3 <> g.investigated_iso3 then null
        when s.value_usd is null and x.value_usd is null then 'both'
        when s.value_usd is null then 'investigator_imports'
        when x.value_usd is null then 'investigated_exports'
    end as missing_leg,
    {{ as_of_date_sql() }} as as_of_date,
    {{ policy_status_on('g', as_of_date_sql()) }} as status_on_as_of_date,
    g.effective_date as initiated_on,
    g.decision_due,
    g.decision_due_extended,
    datediff('day', {{ as_of_date_sql() }}, g.decision_due) as days_to_decision_due,
    datediff('day', {{ as_of_date_sql() }}, g.decision_due_extended) as days_to_extended_decision_due
from grid as g
inner join suppliers as s on g.event_id = s.event_id and g.hs_code = s.hs_code and g.year = s.year
left join denominators as d on g.investigating_iso3 = d.importer_iso3 and g.year = d.year and g.hs_code = d.hs_code
left join investigated_exports as x
    on
        g.investigated_iso3 = x.exporter_iso3 and g.investigating_iso3 = x.importer_iso3
        and g.year = x.year and g.hs_code = x.hs_code
