-- Live US Census API rows summed from HS10 to HS6 per partner, flow and period, as their own source
-- `census_api` (the 2024 sample stays `census`; macros/country_trade_flows.sql). Partners are
-- countries and the EU group (0003); the API's other groups ('-' all countries, nXXX continents, 00nn
-- trade groupings other than the EU) are sums of the countries beside them and stay out.
select
    {{ country_trade_flow_columns(
        source='census_api',
        collection="'census_api_' || i.period_type",
        reporter_iso3='USA',
        partner_iso3='cc.iso3',
        partner_is_aggregate='coalesce(cc.is_aggregate, true)',
        flow='i.flow',
        month='i.month',
        classification_code="case i.flow when 'import' then 'HTS' else 'SCHEDULE_B' end",
        value_usd='i.value_usd',
        partner_source_code='i.cty_code',
        row='i',
    ) }}
from {{ ref('stg_census__api_trade') }} as i
left join {{ ref('int_country_codes') }} as cc on cc.source = 'census' and i.cty_code = cc.source_code
where
    not (
        i.cty_code = '-'
        or i.cty_code like '_XXX'
        or (i.cty_code like '00%' and cc.iso3 is null)
    )
group by all
