{#- Concentration of supply (DOMAIN.md, metric definitions), one macro per quantity, used by every
    mart that reports it (import_dependency, supply_chain_exposure, production_concentration) and
    unit-tested once on models/metrics/metric_concentration.

    HHI = sum_j (100 s_j)^2 on 0..10,000, over the suppliers j of one market (importer, product,
    year, source; or a commodity's producers). When the named suppliers do not cover the whole
    market the sum over them is only a lower bound: a point HHI is given only when they cover at
    least var full_coverage_threshold of the denominator. Effective suppliers = 10,000 / HHI.
    Bands: the 2010 US horizontal merger guidelines' 1,500 and 2,500. -#}

{#- Aggregate: HHI of the rows' values against their market's total (the same total on every row).
    Written as 10,000 sum(v^2) / total^2: one rounding instead of one per supplier. -#}
{% macro hhi_of_values(value, total) -%}
    10000 * sum({{ value }} * {{ value }}) / nullif(power(any_value({{ total }}), 2), 0)
{%- endmacro %}

{#- Aggregate: the sum of shares (0..1) or of their squares, the same whatever the order DuckDB's
    threads add the rows in: a double sum is not (gypsum 2023's HHI upper bound, a tie at its 6th
    decimal, came out 741.679688 and 741.679687 from two builds of the same data). Each term is
    rounded to 18 decimals, then added exactly. -#}
{% macro share_sum(term, where='true') -%}
    cast(sum(cast({{ term }} as decimal(38, 18))) filter (where {{ where }}) as double)
{%- endmacro %}

{#- Aggregate: HHI of published shares (0..1) of the rows that pass `where`; 0 when none do. -#}
{% macro hhi_of_shares(share, where='true') -%}
    10000 * coalesce({{ share_sum(share ~ ' * ' ~ share, where) }}, 0)
{%- endmacro %}

{#- Upper bound of HHI: the lower bound plus each unattributed share (a residual 'Other countries',
    a withheld remainder) counted as if one supplier held it all. -#}
{% macro hhi_upper_bound(hhi_lower_bound, unattributed_shares) -%}
    {{ hhi_lower_bound }} + 10000 * (
        {%- for s in unattributed_shares %}power({{ s }}, 2){% if not loop.last %} + {% endif %}{% endfor -%}
    )
{%- endmacro %}

{#- The point HHI: the named suppliers' HHI when they cover the market, else null (the named
    suppliers' figure is then only the lower bound). -#}
{% macro hhi_if_covered(hhi_lower_bound, supplier_coverage) -%}
    case when {{ supplier_coverage }} >= {{ var('full_coverage_threshold') }} then {{ hhi_lower_bound }} end
{%- endmacro %}

{#- Aggregate: share of the market's total held by the `n` largest suppliers (rank 1 = largest). -#}
{% macro top_n_share(value, total, rank, n=3) -%}
    sum({{ value }}) filter (where {{ rank }} <= {{ n }}) / nullif(any_value({{ total }}), 0)
{%- endmacro %}

{#- How many equal suppliers would give the same HHI. -#}
{% macro effective_suppliers(hhi) -%}
    10000 / nullif({{ hhi }}, 0)
{%- endmacro %}

{#- The concentration band of a point HHI (null when the HHI is). -#}
{% macro concentration_band(hhi) -%}
    case
        when {{ hhi }} is null then null
        when {{ hhi }} < 1500 then 'unconcentrated'
        when {{ hhi }} <= 2500 then 'moderately_concentrated'
        else 'highly_concentrated'
    end
{%- endmacro %}
