-- Reconciliation: the shares of a complete production table add up to one. USGS World totals are
-- rounded (to two or three significant figures), so a complete table may sum to 0.95..1.10; EU CRM
-- global shares are rounded per country and some tables list only the main producers (0.85..1.02).
-- A wrong denominator (a World row counted as a producer, a table mixed with another) falls far outside.
with tables as (
    select distinct
        source,
        supply_scope,
        edition,
        commodity,
        production_type,
        unit,
        year,
        listed_share_sum,
        producers_without_share,
        denominator_basis
    from {{ ref('production_concentration') }}
)

select *
from tables
where
    producers_without_share = 0
    and (
        (source = 'usgs_mcs' and not listed_share_sum between 0.95 and 1.10)
        or (supply_scope = 'world_supply' and not listed_share_sum between 0.85 and 1.02)
        or (denominator_basis = 'sum_of_listed_producers' and abs(listed_share_sum - 1) > 1e-9)
    )
