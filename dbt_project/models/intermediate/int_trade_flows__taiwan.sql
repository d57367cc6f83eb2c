-- Taiwan customs exports summed from 11-digit CCC codes to HS6 per destination and year
-- (macros/country_trade_flows.sql). Destinations are named in Chinese: matched through the English
-- name list to ISO3.
select
    {{ country_trade_flow_columns(
        source='taiwan_customs',
        collection="'taiwan_customs_exports'",
        reporter_iso3='TWN',
        partner_iso3='n.iso3',
        partner_is_aggregate='coalesce(a.is_aggregate, false)',
        flow="'export'",
        month='null::integer',
        classification_code="'CCC'",
        value_usd='e.export_value_usd',
        partner_source_code='e.destination_name_zh',
        row='e',
    ) }}
from {{ ref('stg_taiwan__exports_by_destination') }} as e
left join {{ ref('stg_taiwan__country_names') }} as t on e.destination_name_zh = t.name_zh
left join {{ ref('int_country_names') }} as n on n.name_key = {{ name_key('t.name_en') }}
left join {{ ref('reference_areas') }} as a on n.iso3 = a.iso3
where e.export_value_usd is not null
group by all
