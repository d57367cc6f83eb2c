-- A scenario starts from the rates in force on one date: every row of a scenario names the same one.
select
    scenario,
    count(distinct base_date) as base_dates
from {{ ref('tariff_scenarios') }}
group by scenario
having count(distinct base_date) > 1
