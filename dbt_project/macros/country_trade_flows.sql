{#- The trade_flows columns of a national source that reports one country's trade with its partners
    by HS6 (US Census, its API, Taiwan customs): the rows of `row` (the model's alias of its staging
    relation, with year, hs6, source_file, load_id) summed from national codes (HTS, Schedule B, CCC)
    to HS6 per partner, flow and period. The caller gives from, joins, where and `group by all`.
    Arguments are SQL expressions, except source and reporter_iso3 (the reporter is the source's own
    country, so its ISO3 is also its source code). The national nomenclatures follow each HS edition
    from its entry into force. -#}
{% macro country_trade_flow_columns(
    source, collection, reporter_iso3, partner_iso3, partner_is_aggregate, flow, month,
    classification_code, value_usd, partner_source_code, row
) -%}
    '{{ source }}' as source,
    {{ collection }} as collection,
    '{{ reporter_iso3 }}' as reporter_iso3,
    {{ partner_iso3 }} as partner_iso3,
    {{ partner_is_aggregate }} as partner_is_aggregate,
    {{ flow }} as flow,
    {{ row }}.year,
    {{ month }} as month,
    {{ row }}.hs6 as hs_code,
    6 as hs_level,
    {{ hs_vintage_in_force(row ~ '.year') }} as hs_vintage,
    {{ classification_code }} as classification_code,
    sum({{ value_usd }}) as value_usd,
    null::double as net_weight_kg,
    null::double as cif_value_usd,
    null::double as fob_value_usd,
    '{{ reporter_iso3 }}' as reporter_source_code,
    {{ partner_source_code }} as partner_source_code,
    count(*) as source_copies,
    min({{ row }}.source_file) as source_file,
    min({{ row }}.load_id) as load_id
{%- endmacro %}
