-- Country names as spelled by any source -> ISO3, for sources that name countries instead of coding
-- them (USGS, Taiwan customs). Keys ignore case, accents and punctuation; the team's aliases win,
-- then BACI, Comtrade and Census spellings.
with candidates as (
    select
        {{ name_key('name') }} as name_key,
        iso3,
        1 as priority,
        'alias' as origin
    from {{ ref('country_name_aliases') }}
    union all
    select
        {{ name_key('area_name') }},
        iso3,
        1,
        'reference_area'
    from {{ ref('reference_areas') }}
    union all
    select
        {{ name_key('country_name') }},
        iso3,
        2,
        'baci'
    from {{ ref('stg_baci__country_codes') }}
    where iso3 is not null
    union all
    select
        {{ name_key('country_name_full') }},
        iso3,
        3,
        'baci_full'
    from {{ ref('stg_baci__country_codes') }}
    where iso3 is not null
    union all
    select
        {{ name_key('source_name') }},
        iso3,
        4,
        source
    from {{ ref('int_country_codes') }}
    where iso3 is not null and valid_to is null
)

select
    name_key,
    iso3,
    origin
from candidates
where name_key is not null and iso3 is not null
qualify row_number() over (partition by name_key order by priority, iso3) = 1
