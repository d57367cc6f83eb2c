{#- The role each import partner row plays in supplier metrics, for a CTE with source, importer_iso3,
    year, hs_code, partner_iso3 and partner_is_aggregate:
    world; bloc (the EU group itemised instead of its members); bloc_member (a member listed beside its
    bloc, e.g. Slovakia beside Census 0003: already inside the bloc's value); unallocated (unspecified
    or residual partners); other_aggregate; country. Shared by import_dependency and the exposure marts
    so that no aggregate is ever counted with its members. -#}
{% macro classify_import_partners(flows) %}
    select
        f.*,
        case
            when f.partner_iso3 = 'WLD' then 'world'
            when m.member_iso3 is not null then 'bloc_member'
            when f.partner_iso3 = 'EUU' then 'bloc'
            when f.partner_iso3 is null or f.partner_iso3 in ('OTH', 'UNS') then 'unallocated'
            when f.partner_is_aggregate then 'other_aggregate'
            else 'country'
        end as partner_role
    from {{ flows }} as f
    left join (
        select distinct
            b.source,
            b.importer_iso3,
            b.year,
            b.hs_code,
            g.iso3 as member_iso3
        from {{ flows }} as b
        inner join {{ ref('country_groups') }} as g on b.partner_iso3 = 'EUU' and g.group_code = 'EU27'
    ) as m
        on
            f.source = m.source and f.importer_iso3 = m.importer_iso3 and f.year = m.year
            and f.hs_code = m.hs_code and f.partner_iso3 = m.member_iso3
{% endmacro %}
