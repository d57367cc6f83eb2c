{#- A source table, or an empty relation with its columns (text) and the provenance columns when no
    load has created it yet: live raw tables exist only once a live run has landed something. -#}
{% macro source_or_empty(source_name, table_name, columns) %}
    {%- set relation = source(source_name, table_name) -%}
    {%- if execute and adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        (select {% for c in columns %}null::varchar as "{{ c }}", {% endfor -%}
         null::varchar as _load_id, null::varchar as _file_path, null::timestamp as _loaded_at where false)
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{% endmacro %}
