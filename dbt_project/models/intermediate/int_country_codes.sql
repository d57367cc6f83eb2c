-- Every source's country code mapped to the warehouse key (ISO3, or WLD/EUU/UNS for aggregates and
-- unspecified areas). Team overrides win over the reference tables: Comtrade 490 'Other Asia, nes'
-- is Taiwan, partner 0 is World, Census 0003 is the EU group.
with overrides as (
    select
        source,
        source_code,
        iso3,
        note
    from {{ ref('country_code_overrides') }}
),

comtrade as (
    select
        'comtrade' as source,
        cast(reporter_code as varchar) as source_code,
        reporter_desc as source_name,
        case when not is_group and regexp_full_match(iso3_as_reported, '[A-Z]{3}') then iso3_as_reported end
            as iso3,
        valid_to
    from {{ ref('stg_comtrade__reporters') }}
),

census as (
    select
        'census' as source,
        cty_code as source_code,
        country_name as source_name,
        iso3,
        null::date as valid_to
    from {{ ref('stg_census__country_codes') }}
),

baci as (
    select
        'baci' as source,
        cast(baci_code as varchar),
        country_name,
        iso3,
        null::date
    from {{ ref('stg_baci__country_codes') }}
),

reference_codes as (
    select * from comtrade
    union all
    select * from census
    union all
    select * from baci
),

override_only as (
    -- codes that only the overrides know (Comtrade partner 0, legacy Comtrade 381, Census 0003)
    select
        o.source,
        o.source_code,
        coalesce(a.area_name, o.note) as source_name,
        o.iso3,
        null::date as valid_to
    from overrides as o
    left join {{ ref('reference_areas') }} as a on o.iso3 = a.iso3
    where not exists (
        select 1 from reference_codes as r where r.source = o.source and r.source_code = o.source_code
    )
)

select
    c.source,
    c.source_code,
    c.source_name,
    coalesce(o.iso3, c.iso3) as iso3,
    coalesce(a.is_aggregate, c.iso3 is null and o.iso3 is null) as is_aggregate,
    coalesce(a.area_type, case when coalesce(o.iso3, c.iso3) is null then 'group' else 'country' end)
        as area_type,
    c.valid_to,
    o.iso3 is not null as is_override
from (
    select * from reference_codes
    union all
    select * from override_only
) as c
left join overrides as o on c.source = o.source and c.source_code = o.source_code
left join {{ ref('reference_areas') }} as a on coalesce(o.iso3, c.iso3) = a.iso3
