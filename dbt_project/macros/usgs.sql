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

{#- Where an MCS file's name says its edition and commodity: mcs2024-raree_world.csv,
    rare_earths_mcs2022-raree_world.csv, and the odd mcs2023tellu_salient.csv without a separator. Only
    the file name counts: a release's folders are named like files (MCS2024_salient_data/...). -#}
{% macro usgs_file_edition(path) -%}
    try_cast(regexp_extract(lower({{ path }}), 'mcs([0-9]{4})[-_]?([a-z-]+)_[^/]*$', 1) as integer)
{%- endmacro %}

{% macro usgs_file_commodity(path) -%}
    nullif(regexp_extract(lower({{ path }}), 'mcs([0-9]{4})[-_]?([a-z-]+)_[^/]*$', 2), '')
{%- endmacro %}

{#- The cells of one kind of MCS table ('world' or 'salient') from the sample's files and from the live
    MCS data releases (raw.usgs__mcs_release_cells, once a live run has landed one). Where both hold
    the same edition and commodity, only the release's files are kept: they are what ScienceBase serves
    now, the sample is an earlier copy; otherwise a country's figure would be counted twice. -#}
{% macro usgs_mcs_cells(sample_table, kind) %}
    {%- set release = source_or_empty(
        'raw_usgs_live', 'usgs__mcs_release_cells', ['row_number', 'column_position', 'column_name', 'value']
    ) -%}
    with landed as (
        select _file_path, _load_id, row_number, column_position, column_name, value, 0 as preference
        from {{ source('raw_usgs', sample_table) }}
        union all
        select _file_path, _load_id, row_number, column_position, column_name, value, 1 as preference
        from {{ release }}
        where regexp_matches(lower(_file_path), '_{{ kind }}\.csv$')
    ),

    files as (
        select
            _file_path,
            {{ usgs_file_edition('_file_path') }} as mcs_edition,
            {{ usgs_file_commodity('_file_path') }} as commodity_code,
            max(preference) as preference
        from landed
        group by all
    ),

    kept as (
        select _file_path
        from files
        qualify rank() over (partition by mcs_edition, commodity_code order by preference desc) = 1
    )

    select * exclude (preference)
    from landed
    where _file_path in (select k._file_path from kept as k)
{% endmacro %}
