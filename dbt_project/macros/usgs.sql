{#- USGS cells carry numbers with separators, 'e' estimate prefixes, bounds ('>95', '<50') and codes
    (W withheld, NA not available, XX not applicable, E net exporter). These macros split a cell into
    a number, a bound operator and a flag, never turning a code into zero. -#}
{% macro usgs_cell_text(column) -%}
    trim(regexp_replace({{ column }}, '[\s\x{00a0}]+', ' ', 'g'))
{%- endmacro %}

{#- A bound ('<100', '>95') is not a value: it goes to usgs_cell_bound, the number stays null. -#}
{% macro usgs_cell_number(column) -%}
    try_cast(regexp_replace(regexp_extract({{ usgs_cell_text(column) }}, '^e?\s*([0-9][0-9,]*(\.[0-9]+)?)$', 1), ',', '', 'g') as double)
{%- endmacro %}

{% macro usgs_cell_flag(column) -%}
    case
        when {{ usgs_cell_text(column) }} in ('W') then 'withheld'
        when {{ usgs_cell_text(column) }} in ('NA', 'Not available') then 'not_available'
        when {{ usgs_cell_text(column) }} in ('XX', 'Not applicable') then 'not_applicable'
        when {{ usgs_cell_text(column) }} = 'E' then 'net_exporter'
        when {{ usgs_cell_text(column) }} in ('—', '–', '-', '--') then 'zero'
        when regexp_full_match({{ usgs_cell_text(column) }}, '>\s*[0-9][0-9,.]*.*') then 'lower_bound'
        when regexp_full_match({{ usgs_cell_text(column) }}, '<\s*[0-9][0-9,.]*.*') then 'upper_bound'
        when regexp_full_match({{ usgs_cell_text(column) }}, 'e\s*[0-9][0-9,]*(\.[0-9]+)?') then 'estimated'
        when regexp_full_match({{ usgs_cell_text(column) }}, '[0-9][0-9,]*(\.[0-9]+)?') then 'reported'
        when lower({{ usgs_cell_text(column) }}) like 'included%' then 'included_elsewhere'
        else 'qualitative'
    end
{%- endmacro %}

{#- The bound's number, also when text follows it ('>1,800,000. In addition ...'). -#}
{% macro usgs_cell_bound(column) -%}
    try_cast(regexp_replace(regexp_extract({{ usgs_cell_text(column) }}, '^[<>]\s*([0-9][0-9,]*(\.[0-9]+)?)', 1), ',', '', 'g') as double)
{%- endmacro %}
