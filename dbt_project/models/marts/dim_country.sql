-- One row per warehouse country or area code (ISO3, plus WLD/EUU/OTH/UNS), with each source's code.
with codes as (
    select * from {{ ref('int_country_codes') }} where iso3 is not null
),

keys as (
    select iso3 from codes
    union
    select iso3 from {{ ref('reference_areas') }}
    union
    -- countries only named, never coded, by a source (Taiwan customs: Antarctica, Guernsey, Kosovo)
    select iso3 from {{ ref('country_name_aliases') }}
),

baci_releases as (
    select
        cast(baci_code as varchar) as source_code,
        baci_release
    from {{ ref('stg_baci__country_codes') }}
),

ranked_codes as (
    -- BACI lists some countries under two codes with no dates: a former one (280, Fmr Fed. Rep. of
    -- Germany, beside 276) and one a later release replaced (Italy 381 in V202201, 380 since V202301).
    -- The code kept is not a former one and comes from the latest release; the lowest code breaks a
    -- tie, so the pick never depends on row order (it did: two builds gave 280/381 and 276/380).
    select
        c.*,
        (
            c.is_override,
            c.valid_to is null,
            not coalesce(starts_with(c.source_name, 'Fmr '), false),
            coalesce(b.baci_release, ''),
            -coalesce(try_cast(c.source_code as integer), 0)
        ) as code_preference,
        -- a name: a current reference row's (an override's is a note on the code, not a name)
        (
            c.valid_to is null,
            not c.is_override,
            not coalesce(starts_with(c.source_name, 'Fmr '), false),
            coalesce(b.baci_release, ''),
            -coalesce(try_cast(c.source_code as integer), 0)
        ) as name_preference
    from codes as c
    left join baci_releases as b on c.source = 'baci' and c.source_code = b.source_code
),

per_source as (
    select
        iso3,
        -- overrides (Taiwan = 490) first, then current codes
        arg_max(source_code, code_preference) filter (where source = 'comtrade') as comtrade_code,
        arg_max(source_code, code_preference) filter (where source = 'census') as census_code,
        arg_max(source_code, code_preference) filter (where source = 'baci') as baci_code,
        arg_max(source_name, name_preference) filter (where source = 'baci') as baci_name,
        arg_max(source_name, name_preference) filter (where source = 'comtrade') as comtrade_name,
        arg_max(source_name, name_preference) filter (where source = 'census') as census_name
    from ranked_codes
    group by iso3
),

groups as (
    select
        iso3,
        list(group_code order by group_code) as country_groups
    from {{ ref('country_groups') }}
    group by iso3
)

select
    k.iso3,
    coalesce(
        a.area_name, case when k.iso3 = 'TWN' then 'Taiwan' end, p.baci_name, p.comtrade_name, p.census_name,
        al.alias_name
    ) as country_name,
    try_cast(p.comtrade_code as integer) as comtrade_code,
    p.census_code,
    try_cast(p.baci_code as integer) as baci_code,
    coalesce(a.is_aggregate, false) as is_aggregate,
    coalesce(a.area_type, 'country') as area_type,
    coalesce(g.country_groups, []::varchar []) as country_groups,
    coalesce(list_contains(g.country_groups, 'EU27'), false) as is_eu27
from keys as k
left join per_source as p on k.iso3 = p.iso3
left join {{ ref('reference_areas') }} as a on k.iso3 = a.iso3
left join groups as g on k.iso3 = g.iso3
left join (select
    iso3,
    min(name) as alias_name
from {{ ref('country_name_aliases') }} group by iso3) as al
    on k.iso3 = al.iso3
