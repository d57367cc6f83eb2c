-- Reconciliation: over the suppliers of a stage, shares add up to the itemised part of the total
-- (one when every partner is itemised), never more: no supplier is counted twice, and no aggregate
-- partner (World, a bloc beside its members) is counted with its members.
select
    source,
    importer_iso3,
    year,
    chain,
    stage,
    sum(supplier_share) as share_sum,
    any_value(itemised_value_usd) / nullif(any_value(total_import_value_usd), 0) as coverage
from {{ ref('int_exposure__stage_suppliers') }}
where supplier_iso3 is not null
group by all
having
    abs(sum(supplier_share) - any_value(itemised_value_usd) / nullif(any_value(total_import_value_usd), 0)) > 1e-9
    or sum(supplier_share) > 1 + 1e-9
