-- US Census imports summed from HS10 to HS6 per partner and year (macros/country_trade_flows.sql).
-- The EU group (0003) stays one aggregate partner; its members listed beside it (Slovakia) stay as
-- countries: consumers must not add the two (see import_dependency).
select
    {{ country_trade_flow_columns(
        source='census',
        collection="'census_imports_for_consumption'",
        reporter_iso3='USA',
        partner_iso3='cc.iso3',
        partner_is_aggregate='coalesce(cc.is_aggregate, true)',
        flow="'import'",
        month='null::integer',
        classification_code="'HTS'",
        value_usd='i.customs_value_usd',
        partner_source_code='i.cty_code',
        row='i',
    ) }}
from {{ ref('stg_census__imports_hs10') }} as i
left join {{ ref('int_country_codes') }} as cc on cc.source = 'census' and i.cty_code = cc.source_code
-- only full years: CON_VAL_YR at month 12 is the calendar year
where i.through_month = 12
group by all
