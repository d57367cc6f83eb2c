{#- The 47 fields of a Comtrade v1 record, as the data API names them. -#}
{% macro comtrade_v1_fields() %}
    {{ return([
        'typeCode', 'freqCode', 'refPeriodId', 'refYear', 'refMonth', 'period', 'reporterCode', 'reporterISO',
        'reporterDesc', 'flowCode', 'flowDesc', 'partnerCode', 'partnerISO', 'partnerDesc', 'partner2Code',
        'partner2ISO', 'partner2Desc', 'classificationCode', 'classificationSearchCode',
        'isOriginalClassification', 'cmdCode', 'cmdDesc', 'aggrLevel', 'isLeaf', 'customsCode', 'customsDesc',
        'mosCode', 'motCode', 'motDesc', 'qtyUnitCode', 'qtyUnitAbbr', 'qty', 'isQtyEstimated',
        'altQtyUnitCode', 'altQtyUnitAbbr', 'altQty', 'isAltQtyEstimated', 'netWgt', 'isNetWgtEstimated',
        'grossWgt', 'isGrossWgtEstimated', 'cifvalue', 'fobvalue', 'primaryValue', 'legacyEstimationFlag',
        'isReported', 'isAggregate']) }}
{% endmacro %}

{#- Type and rename one raw table in the Comtrade v1 layout (47 fields). Shared by the API rows and
    the website exports, which carry the same fields in different encodings. -#}
{% macro comtrade_v1_typed(relation) %}
select
    _load_id as load_id,
    _file_path as source_file,
    _loaded_at as loaded_at,
    trim(typeCode) as type_code,
    trim(freqCode) as freq_code,
    cast(refYear as integer) as ref_year,
    cast(refMonth as integer) as ref_month,
    -- refMonth 52 marks an annual figure, not a month.
    case when cast(refMonth as integer) between 1 and 12 then cast(refMonth as integer) end as month,
    trim(period) as period,
    cast(reporterCode as integer) as reporter_code,
    nullif(trim(reporterISO), '') as reporter_iso_as_reported,
    nullif(trim(reporterDesc), '') as reporter_desc,
    trim(flowCode) as flow_code,
    cast(partnerCode as integer) as partner_code,
    nullif(trim(partnerISO), '') as partner_iso_as_reported,
    nullif(trim(partnerDesc), '') as partner_desc,
    cast(partner2Code as integer) as partner2_code,
    trim(classificationCode) as classification_code,
    {{ hs_vintage_of('trim(classificationCode)') }} as hs_vintage,
    {{ parse_bool('isOriginalClassification') }} as is_original_classification,
    {{ hs_code_clean('cmdCode') }} as cmd_code,
    nullif(trim(cmdDesc), '') as cmd_desc,
    trim(customsCode) as customs_code,
    cast(trim(motCode) as integer) as mot_code,
    cast(trim(mosCode) as integer) as mos_code,
    cast(qtyUnitCode as integer) as qty_unit_code,
    nullif(trim(qtyUnitAbbr), '') as qty_unit_abbr,
    {{ parse_number('qty') }} as qty,
    {{ parse_number('altQty') }} as alt_qty,
    cast(altQtyUnitCode as integer) as alt_qty_unit_code,
    {{ parse_number('netWgt') }} as net_weight_kg,
    {{ parse_bool('isNetWgtEstimated') }} as is_net_weight_estimated,
    {{ parse_number('grossWgt') }} as gross_weight_kg,
    {{ parse_number('cifvalue') }} as cif_value_usd,
    {{ parse_number('fobvalue') }} as fob_value_usd,
    {{ parse_number('primaryValue') }} as primary_value_usd,
    cast(legacyEstimationFlag as integer) as legacy_estimation_flag,
    {{ parse_bool('isReported') }} as is_reported,
    {{ parse_bool('isAggregate') }} as is_aggregate
from {{ relation }}
{% endmacro %}

{#- Typed Comtrade records on the trade_flows grain. Only the totals over customs procedure (C00),
    mode of transport (0) and second partner (0) are kept: the breakdown rows are parts of those
    totals. TOTAL commodity rows are dropped: they are sums of the HS codes beside them. -#}
{% macro comtrade_trade_flows(records, source, collection, copies) %}
select
    '{{ source }}' as source,
    {{ collection }} as collection,
    rep.iso3 as reporter_iso3,
    par.iso3 as partner_iso3,
    coalesce(par.is_aggregate, true) as partner_is_aggregate,
    case r.flow_code
        when 'M' then 'import' when 'X' then 'export' when 'RM' then 're-import'
        when 'RX' then 're-export'
    end as flow,
    r.ref_year as year,
    r.month,
    r.cmd_code as hs_code,
    length(r.cmd_code) as hs_level,
    r.hs_vintage,
    r.classification_code,
    r.primary_value_usd as value_usd,
    r.net_weight_kg,
    r.cif_value_usd,
    r.fob_value_usd,
    r.reporter_code::varchar as reporter_source_code,
    r.partner_code::varchar as partner_source_code,
    {{ copies }} as source_copies,
    r.source_file,
    r.load_id
from {{ records }} as r
left join {{ ref('int_country_codes') }} as rep
    on rep.source = 'comtrade' and rep.source_code = r.reporter_code::varchar
left join {{ ref('int_country_codes') }} as par
    on par.source = 'comtrade' and par.source_code = r.partner_code::varchar
where
    r.customs_code = 'C00'
    and r.mot_code = 0
    and r.partner2_code = 0
    and r.cmd_code <> 'TOTAL'
    and r.flow_code in ('M', 'X', 'RM', 'RX')
{% endmacro %}

{#- One row per Comtrade record (its 11-field grain) of `relation`: the most recently landed copy,
    with `copies` counting the landed copies. -#}
{% macro comtrade_latest_copy(relation) %}
select * exclude (copy_rank),
from (
    select
        *,
        count(*) over grain as copies,
        row_number() over (grain_ordered) as copy_rank
    from {{ relation }}
    window
        grain as (
            partition by
                type_code, freq_code, period, reporter_code, flow_code, partner_code,
                partner2_code, classification_code, cmd_code, customs_code, mot_code
        ),
        grain_ordered as (
            partition by
                type_code, freq_code, period, reporter_code, flow_code, partner_code,
                partner2_code, classification_code, cmd_code, customs_code, mot_code
            order by loaded_at desc, source_file desc
        )
)
where copy_rank = 1
{% endmacro %}
