-- Section 301 rate periods on goods of China by HTS prefix, from the tariffs/us compilation (one
-- HTS8 per row) and the team's timeline (HS prefixes, e.g. 280461 polysilicon 50% from 2025-01-01,
-- which the compilation keeps at 25%). On a date the action that started last wins
-- (int_tariffs__line_rates): Section 301 rates replace each other, they do not add up.
select
    hts8 as hts_prefix,
    case when role = 'exclude' then 0 else duty_rate end as rate,
    effective_start,
    effective_end,
    role,
    'tariffs_us' as rate_source,
    list_name || ' (' || chapter_99_code || ')' as reference
from {{ ref('stg_tariffs__section_301_rates') }}

union all

select
    hs_prefix,
    rate,
    effective_date as effective_start,
    end_date as effective_end,
    'impose' as role,
    'policy_events' as rate_source,
    event_id as reference
from {{ ref('int_policy__event_scope') }}
where
    tariff_program = 'section_301'
    and actor_iso3 = 'USA'
    and status <> 'unverified'
    and hs_prefix is not null
    and rate is not null
    and target_iso3 = 'CHN'
    and (end_date is null or end_date >= effective_date)
