-- IEEPA rate periods by programme and partner. Two sources: the tariffs/us compilation and the
-- team's policy timeline. The compilation has only the latest China rates (reciprocal 10% from
-- 2025-04-09, fentanyl 20% to 2025-11-14) and misses the April 2025 escalation, so for every
-- programme x partner the timeline names, its rows replace the compilation's. Exemption rows
-- (Annex II, Section 232, US content) are not rates: int_tariffs__line_rates applies them.
with compiled as (
    select
        case r.program when 'fentanyl' then 'ieepa_fentanyl' when 'reciprocal' then 'ieepa_reciprocal' end
            as tariff_program,
        c.iso3 as partner_iso3,
        r.duty_rate as rate,
        r.effective_start,
        r.effective_end,
        'tariffs_us' as rate_source,
        r.source_document as reference
    from {{ ref('stg_tariffs__ieepa_rates') }} as r
    inner join {{ ref('stg_baci__country_codes') }} as c on r.country_iso2 = c.iso2
    where r.rate_type = 'ad_valorem'
),

timeline as (
    select
        tariff_program,
        target_iso3 as partner_iso3,
        rate,
        effective_date as effective_start,
        end_date as effective_end,
        'policy_events' as rate_source,
        event_id as reference
    from {{ ref('int_policy__event_scope') }}
    where
        tariff_program in ('ieepa_fentanyl', 'ieepa_reciprocal')
        and actor_iso3 = 'USA'
        and status <> 'unverified'
        and rate is not null
        and target_iso3 <> 'ALL'
),

unioned as (
    select * from timeline
    union all
    select c.*
    from compiled as c
    where not exists (
        select 1 from timeline as t
        where t.tariff_program = c.tariff_program and t.partner_iso3 = c.partner_iso3
    )
)

select *
from unioned
-- a step replaced before it took effect (end before start) was never in force
where effective_end is null or effective_end >= effective_start
