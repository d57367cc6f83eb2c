{#- The scenario engine of both tariff sides: for each (regime, partner, line) of `grid` whose regime is
    a scenario of seed tariff_scenarios, the replacement rate of each programme of `importer_iso3`'s
    tariff that the scenario names. Where several seed rows match a line, the most specific wins (a
    named partner, then the longest line prefix). `grid` needs regime, partner_iso3 and `line_column`;
    the result has those three, tariff_program and rate. -#}
{% macro tariff_scenario_overrides(grid, importer_iso3, line_column) -%}
    select
        g.regime,
        g.partner_iso3,
        g.{{ line_column }},
        s.tariff_program,
        arg_max(s.rate, struct_pack(a := s.partner_iso3 is not null, b := length(coalesce(s.hts_prefix, ''))))
            as rate
    from {{ grid }} as g
    inner join {{ ref('tariff_scenarios') }} as s
        on
            g.regime = s.scenario
            and s.importer_iso3 = '{{ importer_iso3 }}'
            and (s.partner_iso3 is null or g.partner_iso3 = s.partner_iso3)
            and (s.hts_prefix is null or starts_with(g.{{ line_column }}, s.hts_prefix))
    group by all
{%- endmacro %}
