-- US Census imports summed from HS10 to HS6 per partner and year. The EU group (0003) stays one
-- aggregate partner; its members listed beside it (Slovakia) stay as countries: consumers must not
-- add the two (see import_dependency).
select
    'census' as source,
    'census_imports_for_consumption' as collection,
    'USA' as reporter_iso3,
    cc.iso3 as partner_iso3,
    coalesce(cc.is_aggregate, true) as partner_is_aggregate,
    'import' as flow,
    i.year,
    null::integer as month,
    i.hs6 as hs_code,
    6 as hs_level,
    {{ hs_vintage_in_force('i.year') }} as hs_vintage,
    'HTS' as classification_code,
    sum(i.customs_value_usd) as value_usd,
    null::double as net_weight_kg,
    null::double as cif_value_usd,
    null::double as fob_value_usd,
    'USA' as reporter_source_code,
    i.cty_code as partner_source_code,
    count(*) as source_copies,
    min(i.source_file) as source_file,
    min(i.load_id) as load_id
from {{ ref('stg_census__imports_hs10') }} as i
left join {{ ref('int_country_codes') }} as cc on cc.source = 'census' and i.cty_code = cc.source_code
-- only full years: CON_VAL_YR at month 12 is the calendar year
where i.through_month = 12
group by all
