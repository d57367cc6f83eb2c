{#- The build window: which (source, year) partitions of the trade data changed since the last build.

    Dagster passes it as `--vars '{"trade_window": {"baci": [2022], "comtrade": [2023, 2024]}}'`
    (orchestration/dbt_window.py). Without it every partition is in the window: a plain `dbt build`
    rebuilds everything, correctly.

    A model opts in with `meta: {trade_window: {by_source: true|false, years_after: 0|1}}`:
      by_source   partitions are (source, year); false: a year of every source (mirror_gaps pairs
                  two sources, so a changed year of one source changes that year's pairs)
      years_after the window also holds the next N years (unit_values: next year's change vs this one)
    Its rows in the window are deleted (pre-hook `delete_trade_window()`) and rebuilt from what the
    window reads (`in_trade_window(years_before)`); rows outside it are never rewritten. Its tests
    read only the window too (default__get_where_subquery below). -#}

{#- A windowed model's config, in one place: `{{ windowed_by_trade_partition(by_source=false) }}`. -#}
{% macro windowed_by_trade_partition(by_source=true, years_after=0) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_trade_window() }}",
        meta={'trade_window': {'by_source': by_source, 'years_after': years_after}},
    ) }}
{%- endmacro %}

{% macro trade_window_spec(node_config) -%}
    {%- do return((node_config.get('meta') or {}).get('trade_window')) -%}
{%- endmacro %}

{#- The predicate for a spec: `true` when no window was passed, `false` when it is empty. -#}
{% macro trade_window_predicate(spec, years_before=0, source_column='source', year_column='year') -%}
    {%- set window = var('trade_window', none) -%}
    {%- if window is none -%}
        true
    {%- else -%}
        {%- set offsets = range(-years_before, (spec.get('years_after') or 0) + 1) | list -%}
        {%- set by_source = {} -%}
        {%- for source, years in window.items() -%}
            {%- set widened = [] -%}
            {%- for y in years -%}{%- for o in offsets -%}{%- do widened.append(y | int + o) -%}{%- endfor -%}{%- endfor -%}
            {%- do by_source.update({source: widened | unique | sort}) -%}
        {%- endfor -%}
        {%- if spec.get('by_source', true) -%}
            {%- set terms = [] -%}
            {%- for source in by_source | sort -%}
                {%- do terms.append("(" ~ source_column ~ " = '" ~ source ~ "' and " ~ year_column ~ " in (" ~ by_source[source] | join(", ") ~ "))") -%}
            {%- endfor -%}
            {{ '(' ~ terms | join(' or ') ~ ')' if terms else 'false' }}
        {%- else -%}
            {%- set years = [] -%}
            {%- for source in by_source -%}{%- do years.extend(by_source[source]) -%}{%- endfor -%}
            {{ year_column ~ ' in (' ~ years | unique | sort | join(', ') ~ ')' if years else 'false' }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- An incremental run of a windowed model (a unit test has no `this`: it never is one). -#}
{% macro is_windowed_increment() -%}
    {%- do return(this is not none and is_incremental()) -%}
{%- endmacro %}

{#- In a windowed model: what its query reads (all rows on a full build). -#}
{% macro in_trade_window(years_before=0, source_column='source', year_column='year') -%}
    {%- if is_windowed_increment() -%}
        {{ trade_window_predicate(trade_window_spec(config), years_before, source_column, year_column) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The pre-hook of a windowed model: its rows in the window go, in the transaction that inserts
    their replacement. Unlike dbt's delete+insert on the keys of the new rows, this also empties a
    partition whose rows all went away. -#}
{% macro delete_trade_window() -%}
    {%- if is_windowed_increment() -%}
        delete from {{ this }} where {{ trade_window_predicate(trade_window_spec(config)) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- dbt's generic tests read `get_where_subquery(model)`: on a windowed model they read its window.
    (`model` is the test; the model it tests is its attached node, looked up once, not searched for.) -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set tested = graph.nodes.get(model.attached_node) if execute and model.attached_node else none -%}
    {%- set spec = trade_window_spec(tested.config) if tested is not none else none -%}
    {%- if spec is not none and var('trade_window', none) is not none -%}
        {%- set window_where = trade_window_predicate(spec) -%}
        {%- set where = '(' ~ where ~ ') and ' ~ window_where if where else window_where -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
