-- The concentration macros (macros/concentration.sql) applied to hand-worked markets
-- (seeds/concentration_worked_examples.csv): where the macros are unit-tested as such, once. Each mart
-- that uses them has its own unit tests for how it feeds them (denominators, coverage, blocs).
-- Ephemeral (dbt_project.yml): nothing is built; the unit tests in metric_concentration.yml run it.

with suppliers as (
    select
        market,
        supplier,
        value_usd,
        total_value_usd,
        value_usd / nullif(total_value_usd, 0) as share,
        row_number() over (partition by market order by value_usd desc, supplier asc) as supplier_rank
    from {{ ref('concentration_worked_examples') }}
),

markets as (
    select
        market,
        sum(value_usd) / nullif(any_value(total_value_usd), 0) as supplier_coverage,
        {{ top_n_share('value_usd', 'total_value_usd', 'supplier_rank') }} as top3_share,
        {{ hhi_of_values('value_usd', 'total_value_usd') }} as hhi_lower_bound,
        {{ hhi_of_shares('share') }} as hhi_of_shares
    from suppliers
    group by market
)

-- rounded to 1e-9: the worked figures are decimals, the arithmetic is binary
select
    market,
    round(supplier_coverage, 9) as supplier_coverage,
    round(top3_share, 9) as top3_share,
    round(hhi_lower_bound, 9) as hhi_lower_bound,
    round(hhi_of_shares, 9) as hhi_of_shares,
    round({{ hhi_upper_bound('hhi_lower_bound', ['1 - supplier_coverage']) }}, 9) as hhi_upper_bound,
    {%- set hhi = hhi_if_covered('hhi_lower_bound', 'supplier_coverage') %}
    round({{ hhi }}, 9) as hhi,
    round({{ effective_suppliers(hhi) }}, 9) as effective_suppliers,
    {{ concentration_band(hhi) }} as concentration_band
from markets
