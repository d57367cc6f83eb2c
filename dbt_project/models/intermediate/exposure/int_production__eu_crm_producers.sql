-- EU CRM 2023 supply shares by producer: global supply shares and EU sourcing shares, one row per
-- scope x material x stage x country (ISO3). Names resolve through the team's EU CRM spellings
-- first, then the shared country-name resolver. Two spellings of one country in a table (Brasil,
-- Brazil) are summed.
with shares as (
    select * from {{ ref('stg_eu_crm__global_supply_shares') }}
    union all by name
    select * from {{ ref('stg_eu_crm__eu_supply_shares') }}
),

resolved as (
    select
        s.*,
        coalesce(a.iso3, n.iso3) as producer_iso3
    from shares as s
    left join {{ ref('eu_crm_country_names') }} as a on s.country_as_published = a.name
    left join {{ ref('int_country_names') }} as n on n.name_key = {{ name_key('s.country_as_published') }}
)

select
    supply_scope,
    assessment_year,
    material,
    stage_code,
    stage_name,
    coalesce(producer_iso3, country_as_published) as producer,
    any_value(producer_iso3) as producer_iso3,
    string_agg(country_as_published, ' + ' order by country_as_published) as producer_as_published,
    string_agg(share_text, ' + ' order by country_as_published) as share_as_published,
    count(*) as source_rows,
    case when count(*) = count(share) then sum(share) end as share,
    case
        when count(*) = count(share) and bool_or(share_flag = 'missing_percent_sign') then 'missing_percent_sign'
        when count(*) = count(share) then 'reported'
        else 'upper_bound'
    end as share_flag,
    sum(share_bound) as share_bound,
    min(source_file) as source_file
from resolved
group by all
