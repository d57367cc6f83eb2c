-- The tariff regimes priced side by side: the named regimes (seed tariff_regimes), the as-of date
-- (var as_of_date, default the day of the run) and each user-defined scenario (seed
-- tariff_scenarios), which starts from the rates in force on its base date.
select
    regime,
    'named' as regime_kind,
    regime_date,
    description
from {{ ref('tariff_regimes') }}

union all

select
    'as_of_date' as regime,
    'as_of_date' as regime_kind,
    {{ as_of_date_sql() }} as regime_date,
    'Rates in force on the as-of date (var as_of_date; default the day of the run)' as description

union all

select
    scenario as regime,
    'scenario' as regime_kind,
    min(base_date) as regime_date,
    min(description) as description
from {{ ref('tariff_scenarios') }}
group by scenario
