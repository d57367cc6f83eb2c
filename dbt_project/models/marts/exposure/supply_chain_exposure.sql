-- Importer x chain x stage x year (x source): how much of each stage of the chip and rare-earth
-- chains a country imports, from whom, and how concentrated that supply is; plus whether a single
-- country exceeds the EU Critical Raw Materials Act benchmark (65% from one third country; import
-- share as the proxy for consumption share) and which stage of each chain is the most concentrated.
-- Supplier shares, HHI and its lower bound follow import_dependency (int_exposure__stage_suppliers);
-- the concentration figures are macros/concentration.sql's.
with suppliers as (
    select * from {{ ref('int_exposure__stage_suppliers') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by source, importer_iso3, year, chain, stage
            order by import_value_usd desc nulls last, supplier_iso3 asc
        ) as supplier_rank
    from suppliers
),

stages as (
    select
        source,
        importer_iso3,
        year,
        chain,
        stage,
        any_value(total_import_value_usd) as total_import_value_usd,
        any_value(itemised_value_usd) as itemised_value_usd,
        any_value(hs_code_count) as hs_code_count,
        any_value(hs_codes_with_world_total) as hs_codes_with_world_total,
        any_value(hs_codes) as hs_codes,
        count(supplier_iso3) filter (where import_value_usd > 0) as supplier_count,
        max(supplier_iso3) filter (where supplier_rank = 1 and import_value_usd > 0) as top_supplier_iso3,
        max(supplier_share) filter (where supplier_rank = 1 and import_value_usd > 0) as top_supplier_share,
        {{ top_n_share('import_value_usd', 'total_import_value_usd', 'supplier_rank') }} as top3_share,
        coalesce(sum(import_value_usd) filter (where supplier_iso3 = '{{ var("focus_country_iso3") }}'), 0)
            as china_value_usd,
        {{ hhi_of_values('import_value_usd', 'total_import_value_usd') }} as hhi_itemised
    from ranked
    group by all
),

measured as (
    select
        *,
        itemised_value_usd / nullif(total_import_value_usd, 0) as supplier_coverage,
        greatest(0, 1 - itemised_value_usd / nullif(total_import_value_usd, 0)) as unallocated_share,
        case
            when hs_codes_with_world_total = hs_code_count then 'world_total'
            when hs_codes_with_world_total = 0 then 'itemised_partners'
            else 'mixed'
        end as share_basis
    from stages
),

concentration as (
    select
        *,
        {{ hhi_if_covered('hhi_itemised', 'supplier_coverage') }} as hhi
    from measured
)

select
    c.importer_iso3,
    c.chain,
    c.stage,
    c.year,
    c.source,
    c.hs_codes,
    c.hs_code_count,
    c.total_import_value_usd,
    c.itemised_value_usd,
    c.share_basis,
    c.supplier_coverage,
    c.supplier_count,
    c.top_supplier_iso3,
    c.top_supplier_share,
    -- the top itemised supplier is certainly the largest when no unitemised remainder could exceed it
    c.top_supplier_share >= c.unallocated_share as top_supplier_is_certain,
    c.top3_share,
    c.china_value_usd,
    -- unknown, not 0, when the source names no supplier at all (World rows only)
    case when c.itemised_value_usd > 0 then c.china_value_usd / nullif(c.total_import_value_usd, 0) end
        as china_share,
    c.hhi,
    case when c.itemised_value_usd > 0 then c.hhi_itemised end as hhi_lower_bound,
    {{ effective_suppliers('c.hhi') }} as effective_suppliers,
    {{ concentration_band('c.hhi') }} as concentration_band,
    case when c.itemised_value_usd > 0 then c.hhi_itemised > {{ exposure_setting('ec_dependency_hhi_screen') }} end
        as above_ec_dependency_screen,
    -- true once one supplier is over 65%; false only when neither it nor the unitemised remainder can be
    case
        when c.top_supplier_share > {{ exposure_setting('crma_single_country_max_share') }} then true
        when
            coalesce(c.top_supplier_share, 0) <= {{ exposure_setting('crma_single_country_max_share') }}
            and c.unallocated_share <= {{ exposure_setting('crma_single_country_max_share') }} then false
    end as exceeds_crma_single_country_benchmark,
    first_value(c.stage) over chain_years as most_concentrated_stage,
    c.stage = first_value(c.stage) over chain_years as is_most_concentrated_stage
from concentration as c
window chain_years as (
    partition by c.source, c.importer_iso3, c.year, c.chain
    order by
        coalesce(c.hhi, case when c.itemised_value_usd > 0 then c.hhi_itemised end) desc nulls last,
        c.top_supplier_share desc nulls last, c.stage asc
    rows between unbounded preceding and unbounded following
)
