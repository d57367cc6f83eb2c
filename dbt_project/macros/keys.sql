{#- `left.c = right.c and ...` over a key's columns; the ones that can be null match null to null
    (`is not distinct from`), as `group by` groups them. -#}
{% macro same_key(left, right, columns, nullable=[]) -%}
    {%- for column in columns %}
        {{ 'and ' if not loop.first }}{{ left }}.{{ column }}
        {{- ' is not distinct from ' if column in nullable else ' = ' }}{{ right }}.{{ column }}
    {%- endfor %}
{%- endmacro %}
