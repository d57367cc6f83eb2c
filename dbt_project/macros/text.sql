{#- Trim ordinary and non-breaking spaces (USGS files carry U+00A0 inside names). -#}
{% macro clean_text(column) -%}
    nullif(trim(regexp_replace({{ column }}, '[\s\x{00a0}]+', ' ', 'g')), '')
{%- endmacro %}

{#- A lookup key for country names: lower case, letters and digits only. -#}
{% macro name_key(column) -%}
    regexp_replace(lower(strip_accents({{ clean_text(column) }})), '[^a-z0-9]', '', 'g')
{%- endmacro %}

{#- Numbers as published: '1,100,000', ' 42 ', '4.5e+05'. Null when the text is not a number. -#}
{% macro parse_number(column) -%}
    try_cast(nullif(regexp_replace({{ column }}, '[,\s\x{00a0}]', '', 'g'), '') as double)
{%- endmacro %}

{#- Comtrade writes booleans as true/True/TRUE. -#}
{% macro parse_bool(column) -%}
    case lower(trim({{ column }})) when 'true' then true when 'false' then false end
{%- endmacro %}
