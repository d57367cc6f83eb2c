-- Live US Census API rows summed from HS10 to HS6 per partner, flow and period, as their own source
-- `census_api` (the 2024 sample stays `census`). Partners are countries and the EU group (0003);
-- the API's other groups ('-' all countries, nXXX continents, 00nn trade groupings other than the
-- EU) are sums of the countries beside them and stay out.
select
    'census_api' as source,
    'census_api_' || i.period_type as collection,
    'USA' as reporter_iso3,
    cc.iso3 as partner_iso3,
    coalesce(cc.is_aggregate, true) as partner_is_aggregate,
    i.flow,
    i.year,
    i.month,
    i.hs6 as hs_code,
    6 as hs_level,
    {{ hs_vintage_in_force('i.year') }} as hs_vintage,
    case i.flow when 'import' then 'HTS' else 'SCHEDULE_B' end as classification_code,
    sum(i.value_usd) as value_usd,
    null::double as net_weight_kg,
    null::double as cif_value_usd,
    null::double as fob_value_usd,
    'USA' as reporter_source_code,
    i.cty_code as partner_source_code,
    count(*) as source_copies,
    min(i.source_file) as source_file,
    min(i.load_id) as load_id
from {{ ref('stg_census__api_trade') }} as i
left join {{ ref('int_country_codes') }} as cc on cc.source = 'census' and i.cty_code = cc.source_code
where
    not (
        i.cty_code = '-'
        or i.cty_code like '_XXX'
        or (i.cty_code like '00%' and cc.iso3 is null)
    )
group by all
