-- Imports of each chain stage by importer, year and source, per supplier: the HS codes of a stage
-- (dim_product) summed, so a stage's series stays comparable across the 2021/2022 HS split.
-- Rules, as in import_dependency:
--   * suppliers are countries, plus a bloc the source itemises instead of its members (Census EU
--     group 0003); members listed beside their bloc (Slovakia) are inside it and left out;
--   * World, residual and unspecified partners are never suppliers;
--   * each HS code's denominator is its World row when the source has one, else its itemised plus
--     unallocated partners; the stage's total is the sum of its codes' denominators;
--   * where the same source, importer and year report a heading (2846) and some of its subheadings
--     (284690), the subheadings are dropped: the heading already holds them (dim_product gives a
--     heading a stage only when all its subheadings share it), so no code is counted with its parts.
with flows as (
    select
        f.source,
        f.reporter_iso3 as importer_iso3,
        f.partner_iso3,
        f.partner_is_aggregate,
        f.year,
        f.hs_code,
        f.hs_level,
        p.chain,
        p.stage,
        f.value_usd
    from {{ ref('trade_flows') }} as f
    inner join {{ ref('dim_product') }} as p on f.hs_code = p.hs_code
    where
        f.flow = 'import'
        and f.period_type = 'annual'
        and f.reporter_iso3 is not null
        and f.value_usd is not null
        and p.chain is not null
),

coarsest as (
    select f.*
    from flows as f
    where not exists (
        select 1
        from flows as h
        where
            h.source = f.source
            and h.importer_iso3 = f.importer_iso3
            and h.year = f.year
            and h.hs_level < f.hs_level
            and starts_with(f.hs_code, h.hs_code)
    )
),

classified as (
    {{ classify_import_partners('coarsest') }}
),

code_totals as (
    select
        source,
        importer_iso3,
        year,
        chain,
        stage,
        hs_code,
        sum(value_usd) filter (where partner_role = 'world') as world_value_usd,
        coalesce(sum(value_usd) filter (where partner_role in ('country', 'bloc')), 0) as itemised_value_usd,
        coalesce(sum(value_usd) filter (where partner_role = 'unallocated'), 0) as unallocated_value_usd
    from classified
    group by all
),

stage_totals as (
    select
        source,
        importer_iso3,
        year,
        chain,
        stage,
        sum(coalesce(world_value_usd, itemised_value_usd + unallocated_value_usd)) as total_import_value_usd,
        sum(itemised_value_usd) as itemised_value_usd,
        count(*) as hs_code_count,
        count(world_value_usd) as hs_codes_with_world_total,
        list(hs_code order by hs_code) as hs_codes
    from code_totals
    group by all
),

suppliers as (
    select
        source,
        importer_iso3,
        year,
        chain,
        stage,
        partner_iso3 as supplier_iso3,
        partner_role as supplier_role,
        sum(value_usd) as import_value_usd
    from classified
    where partner_role in ('country', 'bloc')
    group by all
)

select
    s.source,
    s.importer_iso3,
    s.year,
    s.chain,
    s.stage,
    s.supplier_iso3,
    s.supplier_role,
    s.import_value_usd,
    t.total_import_value_usd,
    t.itemised_value_usd,
    t.hs_code_count,
    t.hs_codes_with_world_total,
    t.hs_codes,
    s.import_value_usd / nullif(t.total_import_value_usd, 0) as supplier_share
from suppliers as s
inner join stage_totals as t
    on
        s.source = t.source and s.importer_iso3 = t.importer_iso3 and s.year = t.year
        and s.chain = t.chain and s.stage = t.stage

union all

-- stages with no itemised supplier at all (World rows only) keep a row, supplier null
select
    t.source,
    t.importer_iso3,
    t.year,
    t.chain,
    t.stage,
    null as supplier_iso3,
    null as supplier_role,
    null as import_value_usd,
    t.total_import_value_usd,
    t.itemised_value_usd,
    t.hs_code_count,
    t.hs_codes_with_world_total,
    t.hs_codes,
    null as supplier_share
from stage_totals as t
where not exists (
    select 1
    from suppliers as s
    where
        s.source = t.source and s.importer_iso3 = t.importer_iso3 and s.year = t.year
        and s.chain = t.chain and s.stage = t.stage
)
