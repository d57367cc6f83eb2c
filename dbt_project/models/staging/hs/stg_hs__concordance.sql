-- UNSD HS correlation between consecutive HS editions, leading zeros restored. Only the HS slices
-- (1996 to 1992 onwards) are kept: the 1962/1976/1988 slices map SITC-era codes. Verbatim repeats
-- in the source are collapsed.
with parsed as (
    select distinct
        lpad(trim("code.after"), 6, '0') as code_after,
        lpad(trim("code.before"), 6, '0') as code_before,
        trim(relationship) as relationship,
        cast(left(adjustment, 4) as integer) as edition_after,
        cast(right(adjustment, 4) as integer) as edition_before
    from {{ source('raw_hs', 'hs__concordance') }}
)

select
    code_after,
    code_before,
    relationship,
    'HS' || edition_after as hs_vintage_after,
    'HS' || edition_before as hs_vintage_before
from parsed
where edition_before >= 1992
