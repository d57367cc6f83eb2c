-- Reconciliation: a stage's import total is the sum of import_dependency's totals over the stage's
-- HS codes (same source, importer and year): the stage mart adds codes, it never re-counts partners.
with stages as (
    select
        source,
        importer_iso3,
        year,
        chain,
        stage,
        total_import_value_usd,
        unnest(hs_codes) as hs_code
    from {{ ref('supply_chain_exposure') }}
),

summed as (
    select
        s.source,
        s.importer_iso3,
        s.year,
        s.chain,
        s.stage,
        any_value(s.total_import_value_usd) as stage_total,
        sum(d.total_import_value_usd) as dependency_total
    from stages as s
    inner join {{ ref('import_dependency') }} as d
        on
            s.source = d.source and s.importer_iso3 = d.importer_iso3 and s.year = d.year
            and s.hs_code = d.hs_code
    group by all
)

select *
from summed
where abs(stage_total - dependency_total) > 1e-6 * greatest(1, abs(stage_total))
