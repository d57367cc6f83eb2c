-- Policy events exploded to one row per HS prefix in scope and per target country, so trade rows
-- can be matched to the measures that cover them. Events without an HS list (all goods, entities)
-- get one row with a null prefix; 'ALL' targets stay 'ALL'.
with events as (
    select * from {{ ref('policy_events') }}
),

prefixes as (
    select
        e.event_id,
        p.hs_prefix
    from events as e,
        unnest(coalesce(string_split(e.hs_scope, '|'), [null::varchar])) as p (hs_prefix)
),

targets as (
    select
        e.event_id,
        t.target_iso3
    from events as e,
        unnest(string_split(e.target_iso3, '|')) as t (target_iso3)
)

select
    e.event_id,
    e.actor_iso3,
    t.target_iso3,
    e.instrument,
    e.tariff_program,
    nullif(trim(p.hs_prefix), '') as hs_prefix,
    e.material_scope,
    e.rate,
    e.effective_date,
    e.end_date,
    e.suspended_from,
    e.suspended_until,
    e.status,
    e.verified
from events as e
inner join prefixes as p on e.event_id = p.event_id
inner join targets as t on e.event_id = t.event_id
