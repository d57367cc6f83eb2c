-- USGS world production by producer: one row per MCS edition x commodity x production type x year x
-- producer (a country, or 'Other countries' as OTH), with the world total of its table beside it.
-- Names the shared resolver leaves unresolved because a qualifier follows a comma ('Kazakhstan,
-- concentrate', 'Chile, ulexite') are resolved here from the part before the comma. Several rows of
-- one producer (US helium from natural gas and from the Cliffside Field) are summed when all are
-- numbers; otherwise the first non-numeric flag stands for the producer.
with production as (
    select
        * replace (
            -- stg_usgs__world_production keeps the number of a bounded cell ('<100' -> 100) in value
            -- as well as in bound_value; a bound is not a value, so it stays in bound_value only
            case when value_flag in ('upper_bound', 'lower_bound') then null else value end as value
        )
    from {{ ref('int_usgs__world_production') }}
    where measure = 'production'
),

names as (
    select
        name_key,
        iso3
    from {{ ref('int_country_names') }}
),

resolved as (
    select
        p.*,
        coalesce(p.iso3, n.iso3) as producer_iso3,
        coalesce(p.iso3, n.iso3, p.country_as_published) as producer
    from production as p
    left join names as n
        on p.iso3 is null and n.name_key = {{ name_key("split_part(p.country_as_published, ',', 1)") }}
),

worlds as (
    select
        mcs_edition,
        commodity_code,
        production_type,
        unit,
        year,
        count(*) as world_rows,
        max(value) as world_value,
        max(value_flag) as world_value_flag,
        max(country_as_published) as world_label
    from resolved
    where producer_iso3 = 'WLD'
    group by all
),

producers as (
    select
        mcs_edition,
        commodity_code,
        production_type,
        stage,
        unit,
        year,
        producer,
        any_value(producer_iso3) as producer_iso3,
        string_agg(country_as_published, ' + ' order by source_row) as producer_as_published,
        string_agg(value_as_published, ' + ' order by source_row) as value_as_published,
        count(*) as source_rows,
        -- a number only when every row of the producer is one
        case when count(*) = count(value) then sum(value) end as value,
        case
            when count(*) = count(value) and bool_or(value_flag = 'estimated') then 'estimated'
            when count(*) = count(value) then any_value(value_flag)
            else arg_min(value_flag, source_row) filter (where value is null)
        end as value_flag,
        max(bound_value) as bound_value,
        bool_or(is_estimated) as is_estimated,
        min(source_file) as source_file
    from resolved
    where producer_iso3 is distinct from 'WLD'
    group by all
)

select
    p.mcs_edition,
    p.commodity_code,
    p.production_type,
    p.stage,
    p.unit,
    p.year,
    p.producer,
    p.producer_iso3,
    p.producer_iso3 = 'OTH' as is_residual,
    p.producer_as_published,
    p.value_as_published,
    p.source_rows,
    p.value,
    p.value_flag,
    p.bound_value,
    p.is_estimated,
    -- one World row with a number is the table's total; several (titanium: ilmenite, rutile) are none
    case when w.world_rows = 1 then w.world_value end as world_total,
    w.world_label,
    p.mcs_edition = max(p.mcs_edition) over (partition by p.commodity_code, p.year) as is_latest_edition,
    p.source_file
from producers as p
left join worlds as w
    on
        p.mcs_edition = w.mcs_edition and p.commodity_code = w.commodity_code
        and p.production_type = w.production_type and p.unit is not distinct from w.unit and p.year = w.year
