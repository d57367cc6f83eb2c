-- USGS world production, capacity and reserves with the country resolved to ISO3. Names arrive with
-- footnote marks glued on ('Japane', 'Korea, Republic ofe', 'Other countries4', 'World total
-- (rounded)10') and qualifiers ('Russia (recoverable)'): try the name as published, then without
-- its qualifier, then without a trailing footnote 'e', stopping at the first that is known.
with base as (
    select
        *,
        regexp_replace(country_as_published, '[0-9]+$', '') as name_1,
        regexp_replace(regexp_replace(country_as_published, '[0-9]+$', ''), '\s*\([^)]*\)$', '') as name_2,
        regexp_extract(country_as_published, '\(([^)]*)\)', 1) as country_qualifier
    from {{ ref('stg_usgs__world_production') }}
),

names as (
    select
        name_key,
        iso3
    from {{ ref('int_country_names') }}
),

resolved as (
    select
        b.*,
        -- 'World total, natural', 'World total (rounded), excluding U.S. production': still the world row
        coalesce(
            n1.iso3, n2.iso3, n3.iso3, n4.iso3, case when lower(b.name_1) like 'world total%' then 'WLD' end
        ) as iso3
    from base as b
    left join names as n1 on n1.name_key = {{ name_key('b.name_1') }}
    left join names as n2 on n2.name_key = {{ name_key('b.name_2') }}
    left join names as n3 on n3.name_key = {{ name_key("regexp_replace(b.name_2, 'e$', '')") }}
    -- 'Kazakhstan, concentrate', 'Chile, ulexite': a product qualifier after the comma
    left join names as n4 on n4.name_key = {{ name_key("split_part(b.name_2, ',', 1)") }}
)

select
    b.mcs_edition,
    b.commodity_code,
    b.iso3,
    b.country_as_published,
    nullif(b.country_qualifier, '') as country_qualifier,
    b.iso3 = 'WLD' as is_world_total,
    b.iso3 = 'OTH' as is_other_countries,
    b.production_type,
    b.stage,
    b.measure,
    b.unit,
    b.year,
    b.is_estimated,
    b.value_as_published,
    b.value,
    b.value_flag,
    b.bound_value,
    b.notes,
    b.source_column,
    b.source_row,
    b.source_file,
    b.load_id
from resolved as b
