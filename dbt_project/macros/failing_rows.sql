{#- The built-in generic tests, returning the offending rows whole instead of the tested value only,
    so a failure can be traced to its source file and load (the provenance columns source_file,
    load_id or _file_path/_load_id the models carry). Counts are unchanged; the orchestration reads a
    few of these rows when a test fails (orchestration/assets/dbt_failures.py). -#}
{% macro default__test_not_null(model, column_name) %}
select *
from {{ model }}
where {{ column_name }} is null
{% endmacro %}

{% macro default__test_unique(model, column_name) %}
select *
from {{ model }}
where {{ column_name }} in (
    select {{ column_name }} from {{ model }} where {{ column_name }} is not null
    group by {{ column_name }} having count(*) > 1
)
{% endmacro %}

{% macro default__test_accepted_values(model, column_name, values, quote=True) %}
select *
from {{ model }}
where {{ column_name }} is not null and {{ column_name }} not in (
    {%- for value in values -%}
        {%- if quote %}'{{ value }}'{% else %}{{ value }}{% endif %}{{ ', ' if not loop.last }}
    {%- endfor -%}
)
{% endmacro %}

{% macro default__test_relationships(model, column_name, to, field) %}
{#- (no alias on `model`: with a `where` config it is already an aliased subquery) #}
select *
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (select parent.{{ field }} from {{ to }} as parent where parent.{{ field }} is not null)
{% endmacro %}
