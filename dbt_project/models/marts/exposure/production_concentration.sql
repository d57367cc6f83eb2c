-- Who produces each mineral commodity, and how concentrated production is: commodity x production
-- type x stage x year, one row per producer, from the USGS Mineral Commodity Summaries (world
-- production tables, every edition kept, latest flagged) and the EU CRM 2023 assessment (global
-- supply shares and EU sourcing shares). Metrics of the whole table repeat on each producer row.
--
-- Shares use the published World total as denominator (USGS; the sum of the listed producers when
-- the table has no usable World row and every producer is a number); EU CRM shares are published
-- shares. Withheld ('W'), not available ('NA') and bounded ('<0.1%') cells stay what they are: no
-- share, a lower and an upper bound. HHI bounds: the lower bound counts the producers with a number
-- (and lower bounds); the upper bound adds the 'Other countries' residual and the unaccounted share
-- as if each were one producer (macros/concentration.sql). hhi is given when the two are within var
-- hhi_point_tolerance (100).
with usgs as (
    select
        'usgs_mcs' as source,
        'world_production' as supply_scope,
        mcs_edition as edition,
        is_latest_edition,
        commodity_code as commodity,
        production_type,
        stage,
        unit,
        year,
        producer,
        producer_iso3,
        is_residual,
        producer_as_published,
        value_as_published,
        value,
        value_flag,
        world_total,
        world_label,
        case when value_flag in ('upper_bound', 'lower_bound') then bound_value end as bound_value,
        sum(case when value is null then 1 else 0 end) over table_cells as cells_without_number,
        sum(value) over table_cells as listed_value_sum
    from {{ ref('int_production__usgs_producers') }}
    window table_cells as (partition by mcs_edition, commodity_code, production_type, unit, year)
),

usgs_shares as (
    select
        *,
        coalesce(world_total, case when cells_without_number = 0 then listed_value_sum end) as denominator,
        case
            when world_total is not null then 'published_world_total'
            when cells_without_number = 0 then 'sum_of_listed_producers'
        end as denominator_basis
    from usgs
),

producers as (
    select
        source,
        supply_scope,
        edition,
        is_latest_edition,
        commodity,
        production_type,
        stage,
        unit,
        year,
        producer,
        producer_iso3,
        is_residual,
        producer_as_published,
        value_as_published,
        value,
        value_flag,
        denominator,
        denominator_basis,
        world_label,
        value / nullif(denominator, 0) as share,
        bound_value / nullif(denominator, 0) as bound_share
    from usgs_shares

    union all

    select
        'eu_crm' as source,
        case supply_scope when 'global_supply' then 'world_supply' else supply_scope end as supply_scope,
        assessment_year as edition,
        true as is_latest_edition,
        material as commodity,
        stage_name as production_type,
        case stage_code when 'E' then 'mine' when 'P' then 'refinery' end as stage,
        'share' as unit,
        assessment_year as year,
        producer,
        producer_iso3,
        false as is_residual,
        producer_as_published,
        share_as_published as value_as_published,
        null::double as value,
        share_flag as value_flag,
        1.0 as denominator,
        'published_shares' as denominator_basis,
        null as world_label,
        share,
        share_bound as bound_share
    from {{ ref('int_production__eu_crm_producers') }}
),

tables as (
    select
        source,
        supply_scope,
        edition,
        commodity,
        production_type,
        unit,
        year,
        coalesce({{ share_sum('share') }}, 0) as listed_share_sum,
        coalesce({{ share_sum('share', 'is_residual') }}, 0) as residual_share,
        coalesce({{ share_sum('bound_share', "value_flag = 'lower_bound'") }}, 0) as lower_bound_share_sum,
        {{ hhi_of_shares('share', 'not is_residual') }}
        + {{ hhi_of_shares('bound_share', "value_flag = 'lower_bound'") }} as hhi_lower_bound,
        count(*) filter (where not is_residual and (share > 0 or bound_share > 0)) as producer_count,
        count(*) filter (where share is null) as producers_without_share,
        -- on a tie the first producer in code order (arg_max would pick either, run to run)
        first(producer order by share desc, producer asc) filter (where not is_residual and share is not null)
            as top_producer,
        max(share) filter (where not is_residual) as top_producer_share,
        max(share) filter (where producer_iso3 = '{{ var("focus_country_iso3") }}') as china_share
    from producers
    group by all
),

bounded as (
    select
        *,
        -- share of the table no number accounts for (withheld, not available, bounded cells)
        greatest(0, 1 - listed_share_sum - lower_bound_share_sum) as unaccounted_share,
        {{ hhi_upper_bound('hhi_lower_bound', ['residual_share', 'greatest(0, 1 - listed_share_sum - lower_bound_share_sum)']) }}
            as hhi_upper_bound
    from tables
)

select
    p.source,
    p.supply_scope,
    p.edition,
    p.is_latest_edition,
    p.commodity,
    m.material,
    m.material_group,
    m.chain,
    p.production_type,
    p.stage,
    p.unit,
    p.year,
    p.producer,
    p.producer_iso3,
    p.is_residual,
    p.producer_as_published,
    p.value_as_published,
    p.value,
    p.value_flag,
    p.denominator as world_total,
    p.denominator_basis,
    p.world_label,
    round(p.share, 12) as share,
    case
        when p.share is not null then round(p.share, 12)
        when p.value_flag = 'lower_bound' then p.bound_share
        when p.denominator is not null then 0
    end as share_lower_bound,
    case
        when p.share is not null then round(p.share, 12)
        when p.value_flag = 'upper_bound' then p.bound_share
        when p.value_flag = 'lower_bound' then p.bound_share + t.unaccounted_share
        when p.denominator is not null then round(t.unaccounted_share, 12)
    end as share_upper_bound,
    case
        when not p.is_residual and p.share is not null
            then rank() over (
                partition by
                    p.source, p.supply_scope, p.edition, p.commodity, p.production_type, p.unit,
                    p.year, p.is_residual, p.share is null
                order by p.share desc
            )
    end as producer_rank,
    t.producer_count,
    t.producers_without_share,
    -- rounded: shares to 1e-12 and HHI to 1e-6, below any published precision, so sums of
    -- rounded USGS figures do not show float noise
    round(t.listed_share_sum, 12) as listed_share_sum,
    round(t.residual_share, 12) as residual_share,
    round(t.unaccounted_share, 12) as unaccounted_share,
    t.top_producer,
    round(t.top_producer_share, 12) as top_producer_share,
    round(t.china_share, 12) as china_share,
    case when p.denominator is not null then round(t.hhi_lower_bound, 6) end as hhi_lower_bound,
    case when p.denominator is not null then round(t.hhi_upper_bound, 6) end as hhi_upper_bound,
    case
        when p.denominator is not null and t.hhi_upper_bound - t.hhi_lower_bound <= {{ exposure_setting('hhi_point_tolerance') }}
            then round(t.hhi_lower_bound, 6)
    end as hhi,
    case
        when p.denominator is null then null
        when t.top_producer_share > {{ exposure_setting('crma_single_country_max_share') }} then true
        when
            coalesce(t.top_producer_share, 0) <= {{ exposure_setting('crma_single_country_max_share') }}
            and t.unaccounted_share <= {{ exposure_setting('crma_single_country_max_share') }} then false
    end as exceeds_crma_single_country_benchmark
from producers as p
inner join bounded as t
    on
        p.source = t.source and p.supply_scope = t.supply_scope and p.edition = t.edition
        and p.commodity = t.commodity and p.production_type = t.production_type
        and p.unit is not distinct from t.unit and p.year = t.year
left join {{ ref('commodity_materials') }} as m
    on m.source = case p.source when 'usgs_mcs' then 'usgs_mcs' else 'eu_crm' end and p.commodity = m.commodity
