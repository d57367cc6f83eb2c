-- HS 2022 nomenclature: chapters (2), headings (4), subheadings (6). The TOTAL row is dropped.
select
    trim(hscode) as hs_code,
    cast(level as integer) as hs_level,
    trim(description) as description,
    nullif(trim(parent), 'TOTAL') as parent_code,
    trim(section) as section
from {{ source('raw_hs', 'hs__nomenclature_2022') }}
where trim(hscode) <> 'TOTAL'
