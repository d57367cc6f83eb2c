-- Legacy Comtrade downloads (classic website CSV and the retired API), partner World only, on the
-- warehouse grain. Kept as their own source: they predate the v1 revisions. Both downloads carry the
-- same 2016-2017 export records for 903082/903141: keep one (the website's), count the copies.
with legacy as (
    select
        'comtrade_legacy_website' as collection,
        classification_code,
        hs_vintage,
        ref_year,
        trade_flow_code,
        reporter_code,
        partner_code,
        cmd_code,
        trade_value_usd,
        net_weight_kg,
        source_file,
        load_id
    from {{ ref('stg_comtrade__legacy_classic') }}
    union all
    select
        'comtrade_legacy_api',
        classification_code,
        hs_vintage,
        ref_year,
        trade_flow_code,
        reporter_code,
        partner_code,
        cmd_code,
        trade_value_usd,
        net_weight_kg,
        source_file,
        load_id
    from {{ ref('stg_comtrade__legacy_api') }}
)

select
    'comtrade_legacy' as source,
    l.collection,
    rep.iso3 as reporter_iso3,
    par.iso3 as partner_iso3,
    coalesce(par.is_aggregate, true) as partner_is_aggregate,
    case l.trade_flow_code
        when 1 then 'import' when 2 then 'export' when 3 then 're-export'
        when 4 then 're-import'
    end as flow,
    l.ref_year as year,
    null::integer as month,
    l.cmd_code as hs_code,
    length(l.cmd_code) as hs_level,
    l.hs_vintage,
    l.classification_code,
    l.trade_value_usd as value_usd,
    l.net_weight_kg,
    null::double as cif_value_usd,
    null::double as fob_value_usd,
    l.reporter_code::varchar as reporter_source_code,
    l.partner_code::varchar as partner_source_code,
    count(*) over (
        partition by l.reporter_code, l.partner_code, l.trade_flow_code, l.ref_year, l.cmd_code, l.classification_code
    ) as source_copies,
    l.source_file,
    l.load_id
from legacy as l
left join {{ ref('int_country_codes') }} as rep
    on rep.source = 'comtrade' and rep.source_code = l.reporter_code::varchar
left join {{ ref('int_country_codes') }} as par
    on par.source = 'comtrade' and par.source_code = l.partner_code::varchar
where l.cmd_code <> 'TOTAL'
qualify row_number() over (
    partition by l.reporter_code, l.partner_code, l.trade_flow_code, l.ref_year, l.cmd_code, l.classification_code
    order by l.collection = 'comtrade_legacy_website' desc, l.load_id desc
) = 1
