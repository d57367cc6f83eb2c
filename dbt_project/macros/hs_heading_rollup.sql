{#- HS6 rows summed to their heading (HS4) per source, reporter, partner, flow and period, as a series
    of its own where a source reports subheadings but not the heading itself (a heading the source
    reports is its own row and is never summed again). Used by mirror_gaps and rerouting_indicators.
      flows      a CTE with source, reporter_iso3, partner_iso3, flow, period_type, year, month,
                 hs_code, hs_level, value_usd (aliased r here)
      join       restricts the headings (rerouting: only those whose every subheading is reported)
      min_codes  the fewest subheadings a sum needs (mirror_gaps: 2, a single code is no roll-up)
      columns    further aggregate columns of the caller's -#}
{% macro hs_heading_rollup(flows, join='', min_codes=1, columns=[]) %}
    select
        r.source,
        r.reporter_iso3,
        r.partner_iso3,
        r.flow,
        r.period_type,
        r.year,
        r.month,
        left(r.hs_code, 4) as hs_code,
        4 as hs_level,
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        sum(r.value_usd) as value_usd
    from {{ flows }} as r
    {{ join }}
    where
        r.hs_level = 6
        and not exists (
            select 1
            from {{ flows }} as h
            where
                h.hs_level = 4 and h.hs_code = left(r.hs_code, 4) and h.source = r.source
                and h.reporter_iso3 = r.reporter_iso3 and h.partner_iso3 = r.partner_iso3 and h.flow = r.flow
                and h.year = r.year and h.month is not distinct from r.month
        )
    group by r.source, r.reporter_iso3, r.partner_iso3, r.flow, r.period_type, r.year, r.month, left(r.hs_code, 4)
    {%- if min_codes > 1 %}
    having count(*) >= {{ min_codes }}
    {%- endif %}
{% endmacro %}
