{{ windowed_by_trade_partition() }}
-- Incremental by (source, year) partitions of the trade data: macros/trade_window.sql.
-- Who supplies each importer, per HS code, year and source, and how concentrated that supply is
-- (shares, HHI, its lower bound, effective suppliers and bands: macros/concentration.sql).
--
-- Supplier units are countries, plus a bloc when the source itemises only the bloc (Census's EU group,
-- code 0003): its members listed beside it (Slovakia) are already inside its value and are left out.
-- World, residual and unspecified partners are never suppliers.
-- Denominator: the source's World row when it has one; else the sum of the itemised partners.
-- When the itemised suppliers cover less of the denominator than `full_coverage_threshold` (a World
-- total above the listed partners, or unallocated partners), the shares still use that denominator
-- but HHI is null and only its lower bound is given: computing HHI as if the listed partners were all
-- would overstate concentration.
-- Read twice (cells, classified): not materialized, as writing a BACI year's flows to a temporary
-- table cost more than scanning trade_flows twice (10M flows: 11.7 s materialized, 7.8 s not).
with flows as not materialized (
    select
        source,
        reporter_iso3 as importer_iso3,
        partner_iso3,
        partner_is_aggregate,
        year,
        hs_code,
        hs_level,
        value_usd
    from {{ ref('trade_flows') }}
    where
        flow = 'import'
        and period_type = 'annual'
        and reporter_iso3 is not null
        and value_usd is not null
        and {{ in_trade_window() }}
),

cells as (
    select distinct
        source,
        importer_iso3,
        year,
        hs_code,
        hs_level
    from flows
),

classified as (
    {{ classify_import_partners('flows') }}
),

totals as (
    select
        source,
        importer_iso3,
        year,
        hs_code,
        sum(value_usd) filter (where partner_role = 'world') as world_value_usd,
        coalesce(sum(value_usd) filter (where partner_role in ('country', 'bloc')), 0) as itemised_value_usd,
        coalesce(sum(value_usd) filter (where partner_role = 'unallocated'), 0) as unallocated_value_usd,
        count(*) filter (where partner_role in ('country', 'bloc') and value_usd > 0) as supplier_count,
        count(*) filter (where partner_role = 'bloc' and value_usd > 0) > 0 as includes_bloc_supplier,
        count(*) filter (where partner_role = 'bloc_member') as bloc_member_rows_excluded,
        coalesce(sum(value_usd) filter (where partner_iso3 = '{{ var("focus_country_iso3") }}'), 0)
            as china_value_usd
    from classified
    group by all
),

denominators as (
    select
        *,
        coalesce(world_value_usd, itemised_value_usd + unallocated_value_usd) as total_import_value_usd,
        case when world_value_usd is not null then 'world_total' else 'itemised_partners' end as share_basis,
        case when world_value_usd > 0 then itemised_value_usd / world_value_usd end as partner_coverage,
        -- what the itemised suppliers cover of the denominator: World when given, else itemised plus
        -- unallocated partners (Taiwan's 'Others')
        itemised_value_usd / nullif(coalesce(world_value_usd, itemised_value_usd + unallocated_value_usd), 0)
            as supplier_coverage
    from totals
),

suppliers as (
    select
        c.source,
        c.importer_iso3,
        c.year,
        c.hs_code,
        c.partner_iso3,
        c.value_usd,
        d.total_import_value_usd,
        c.value_usd / nullif(d.total_import_value_usd, 0) as share,
        row_number() over (
            partition by c.source, c.importer_iso3, c.year, c.hs_code
            order by c.value_usd desc, c.partner_iso3 asc
        ) as supplier_rank
    from classified as c
    inner join denominators as d
        on c.source = d.source and c.importer_iso3 = d.importer_iso3 and c.year = d.year and c.hs_code = d.hs_code
    where c.partner_role in ('country', 'bloc') and c.value_usd > 0
),

concentration as (
    select
        source,
        importer_iso3,
        year,
        hs_code,
        max(partner_iso3) filter (where supplier_rank = 1) as top_supplier_iso3,
        max(share) filter (where supplier_rank = 1) as top_supplier_share,
        {{ top_n_share('value_usd', 'total_import_value_usd', 'supplier_rank') }} as top3_share,
        {{ hhi_of_values('value_usd', 'total_import_value_usd') }} as hhi_itemised
    from suppliers
    group by all
)

select
    c.importer_iso3,
    c.hs_code,
    case when c.hs_level = 6 then c.hs_code end as hs6,
    c.hs_level::integer as hs_level,
    c.year,
    c.source,
    p.chain,
    p.stage,
    d.total_import_value_usd,
    d.world_value_usd,
    d.itemised_value_usd,
    d.share_basis,
    d.partner_coverage,
    d.supplier_coverage,
    d.supplier_count,
    k.top_supplier_iso3,
    k.top_supplier_share,
    k.top3_share,
    -- a source that itemises no partner at all (World only) says nothing about China
    case
        when d.supplier_count > 0 or d.china_value_usd > 0
            then d.china_value_usd / nullif(d.total_import_value_usd, 0)
    end as china_share,
    {%- set hhi = hhi_if_covered('k.hhi_itemised', 'd.supplier_coverage') %}
    {{ hhi }} as hhi,
    k.hhi_itemised as hhi_lower_bound,
    {{ concentration_band(hhi) }} as concentration_band,
    {{ effective_suppliers(hhi) }} as effective_suppliers,
    d.includes_bloc_supplier,
    d.bloc_member_rows_excluded
from cells as c
inner join denominators as d
    on c.source = d.source and c.importer_iso3 = d.importer_iso3 and c.year = d.year and c.hs_code = d.hs_code
left join concentration as k
    on c.source = k.source and c.importer_iso3 = k.importer_iso3 and c.year = k.year and c.hs_code = k.hs_code
left join {{ ref('dim_product') }} as p on c.hs_code = p.hs_code
