{#- The model is not empty: it has at least min_rows rows (optionally matching where_clause). -#}
{% test at_least_rows(model, min_rows=1, where_clause=none) %}
select n from (
    select count(*) as n from {{ model }} {%- if where_clause %} where {{ where_clause }}{% endif %}
) where n < {{ min_rows }}
{% endtest %}
