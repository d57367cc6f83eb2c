{#- Settings of the exposure marts. Each is a dbt var with the default below, so a run can override
    it (`dbt build --vars '{as_of_date: 2025-06-30}'`) without editing the project. -#}
{% macro exposure_setting(name) -%}
    {%- set defaults = {
        'as_of_date': none,
        'tariff_baseline_regime': 'baseline_2024',
        'cif_fob_factor': 1.06,
        'crma_single_country_max_share': 0.65,
        'ec_dependency_hhi_screen': 4000,
        'hhi_point_tolerance': 100,
        'rerouting_origins': ['CHN', 'TWN'],
        'rerouting_destination_iso3': 'USA',
        'rerouting_tariff_target_iso3': 'CHN',
    } -%}
    {%- if name not in defaults -%}
        {{ exceptions.raise_compiler_error("unknown exposure setting " ~ name) }}
    {%- endif -%}
    {{- return(var(name, defaults[name])) -}}
{%- endmacro %}

{#- The date the marts read "now" at: var as_of_date, or the day of the run. -#}
{% macro as_of_date_sql() -%}
    {%- set value = exposure_setting('as_of_date') -%}
    {%- if value is none or value == '' -%}current_date{%- else -%}date '{{ value }}'{%- endif -%}
{%- endmacro %}

{#- A policy event's status on a date: never_in_force (replaced before taking effect),
    not_yet_in_force, in_force, suspended, ended; investigations are under_investigation while open. -#}
{% macro policy_status_on(event, on_date) -%}
    case
        when {{ event }}.end_date < {{ event }}.effective_date then 'never_in_force'
        when {{ on_date }} < {{ event }}.effective_date then 'not_yet_in_force'
        when {{ on_date }} > {{ event }}.end_date then 'ended'
        when {{ on_date }} between {{ event }}.suspended_from and coalesce({{ event }}.suspended_until, date '9999-12-31')
            then 'suspended'
        when {{ event }}.instrument = 'investigation' then 'under_investigation'
        else 'in_force'
    end
{%- endmacro %}

{#- Days of [start_date, end_date] on which an event is in force (not before it starts, not after it
    ends, not while suspended). All bounds inclusive. -#}
{% macro policy_days_in_force(event, start_date, end_date) -%}
    (greatest(0,
        datediff('day',
            greatest({{ start_date }}, {{ event }}.effective_date),
            least({{ end_date }}, coalesce({{ event }}.end_date, date '9999-12-31'))
        ) + 1
    )
    - case when {{ event }}.suspended_from is null then 0 else greatest(0,
        datediff('day',
            greatest({{ start_date }}, {{ event }}.effective_date, {{ event }}.suspended_from),
            least({{ end_date }}, coalesce({{ event }}.end_date, date '9999-12-31'),
                coalesce({{ event }}.suspended_until, date '9999-12-31'))
        ) + 1
    ) end)
{%- endmacro %}
