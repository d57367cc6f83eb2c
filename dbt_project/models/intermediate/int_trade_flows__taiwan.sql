-- Taiwan customs exports summed from 11-digit CCC codes to HS6 per destination and year. Taiwan's
-- CCC follows each HS edition from its entry into force.
select
    'taiwan_customs' as source,
    'taiwan_customs_exports' as collection,
    'TWN' as reporter_iso3,
    n.iso3 as partner_iso3,
    coalesce(a.is_aggregate, false) as partner_is_aggregate,
    'export' as flow,
    e.year,
    null::integer as month,
    e.hs6 as hs_code,
    6 as hs_level,
    {{ hs_vintage_in_force('e.year') }} as hs_vintage,
    'CCC' as classification_code,
    sum(e.export_value_usd) as value_usd,
    null::double as net_weight_kg,
    null::double as cif_value_usd,
    null::double as fob_value_usd,
    'TWN' as reporter_source_code,
    e.destination_name_zh as partner_source_code,
    count(*) as source_copies,
    min(e.source_file) as source_file,
    min(e.load_id) as load_id
from {{ ref('stg_taiwan__exports_by_destination') }} as e
left join {{ ref('stg_taiwan__country_names') }} as t on e.destination_name_zh = t.name_zh
left join {{ ref('int_country_names') }} as n on n.name_key = {{ name_key('t.name_en') }}
left join {{ ref('reference_areas') }} as a on n.iso3 = a.iso3
where e.export_value_usd is not null
group by all
