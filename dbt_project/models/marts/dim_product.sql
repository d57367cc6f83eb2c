-- One row per HS code (chapters, headings, subheadings of HS2022 and HS2017) with its place in the
-- chip and rare-earth chains. A heading gets a chain and stage only when every one of its HS2022
-- subheadings is in the taxonomy with that same chain and stage (8542 chips, 8486 equipment).
with hs2022 as (
    select
        hs_code,
        hs_level,
        description
    from {{ ref('stg_hs__nomenclature_2022') }}
),

hs2017 as (
    select
        hs6 as hs_code,
        6 as hs_level,
        description
    from {{ ref('stg_baci__product_codes') }}
    where hs_vintage = 'HS2017'  -- BACI archives of other editions add their own code lists
),

comtrade as (
    select
        hs_code,
        hs_level,
        description
    from {{ ref('stg_comtrade__hs_codes') }}
    where hs_level in (2, 4, 6)
),

codes as (
    select hs_code from hs2022
    union
    select hs_code from hs2017
    union
    select hs_code from comtrade
),

taxonomy as (
    select * from {{ ref('supply_chain_taxonomy') }}
),

headings as (
    select
        h.hs_code as heading,
        count(*) as subheadings,
        count(t.hs6) as in_taxonomy,
        count(distinct t.chain || '/' || t.stage) as chain_stages,
        any_value(t.chain) as chain,
        any_value(t.stage) as stage,
        string_agg(distinct t.material, ', ') as material
    from hs2022 as s
    inner join hs2022 as h on s.hs_level = 6 and h.hs_level = 4 and left(s.hs_code, 4) = h.hs_code
    left join taxonomy as t on s.hs_code = t.hs6
    group by h.hs_code
),

successors as (
    select
        code_before as hs_code,
        list(distinct code_after order by code_after) as hs2022_codes
    from {{ ref('stg_hs__concordance') }}
    where hs_vintage_after = 'HS2022' and hs_vintage_before = 'HS2017'
    group by code_before
)

select
    c.hs_code,
    length(c.hs_code)::integer as hs_level,
    left(c.hs_code, 2) as hs2,
    case when length(c.hs_code) >= 4 then left(c.hs_code, 4) end as hs4,
    coalesce(h22.description, h17.description, ct.description) as description,
    h22.hs_code is not null as in_hs2022,
    h17.hs_code is not null or (t.in_hs2017 is true) as in_hs2017,
    s.hs2022_codes,
    coalesce(t.chain, case when hd.subheadings = hd.in_taxonomy and hd.chain_stages = 1 then hd.chain end)
        as chain,
    coalesce(t.stage, case when hd.subheadings = hd.in_taxonomy and hd.chain_stages = 1 then hd.stage end)
        as stage,
    coalesce(t.material, case when hd.subheadings = hd.in_taxonomy and hd.chain_stages = 1 then hd.material end)
        as material,
    coalesce(t.canonical_product, c.hs_code) as canonical_product,
    t.verified as taxonomy_verified,
    t.label as taxonomy_label
from codes as c
left join hs2022 as h22 on c.hs_code = h22.hs_code
left join hs2017 as h17 on c.hs_code = h17.hs_code
left join comtrade as ct on c.hs_code = ct.hs_code
left join taxonomy as t on c.hs_code = t.hs6
left join headings as hd on c.hs_code = hd.heading
left join successors as s on c.hs_code = s.hs_code
