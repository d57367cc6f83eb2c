-- UN Comtrade v1 records fetched live from the data API (or its keyless preview), annual and monthly,
-- typed like the sample's API rows. One row per record as landed; each payload replaces its own rows
-- when refetched, so a record appears once. A raw table no live run has created yet reads as empty.
{%- set v1_fields = [
    'typeCode', 'freqCode', 'refPeriodId', 'refYear', 'refMonth', 'period', 'reporterCode', 'reporterISO',
    'reporterDesc', 'flowCode', 'flowDesc', 'partnerCode', 'partnerISO', 'partnerDesc', 'partner2Code',
    'partner2ISO', 'partner2Desc', 'classificationCode', 'classificationSearchCode',
    'isOriginalClassification', 'cmdCode', 'cmdDesc', 'aggrLevel', 'isLeaf', 'customsCode', 'customsDesc',
    'mosCode', 'motCode', 'motDesc', 'qtyUnitCode', 'qtyUnitAbbr', 'qty', 'isQtyEstimated', 'altQtyUnitCode',
    'altQtyUnitAbbr', 'altQty', 'isAltQtyEstimated', 'netWgt', 'isNetWgtEstimated', 'grossWgt',
    'isGrossWgtEstimated', 'cifvalue', 'fobvalue', 'primaryValue', 'legacyEstimationFlag', 'isReported',
    'isAggregate'] %}
{%- set parts = [] %}
{%- for table in ['comtrade__api_annual', 'comtrade__api_monthly'] %}
    {%- set relation = source('raw_comtrade_live', table) %}
    {%- if execute and adapter.get_relation(relation.database, relation.schema, relation.identifier) is none %}
        {%- set empty -%}
            (select {% for f in v1_fields %}null::varchar as "{{ f }}", {% endfor -%}
             null::varchar as _load_id, null::varchar as _file_path, null::timestamp as _loaded_at
             where false)
        {%- endset %}
        {%- do parts.append(empty) %}
    {%- else %}
        {%- do parts.append(relation) %}
    {%- endif %}
{%- endfor %}

with records as (
    {{ comtrade_v1_typed(parts[0]) }}
    union all by name
    {{ comtrade_v1_typed(parts[1]) }}
)

select * from records
