-- Live Comtrade API records on the trade_flows grain, as their own source `comtrade_api` (the sample's
-- API rows stay `comtrade`: the two can hold the same record, and import_dependency is computed per
-- source). Totals only: customs procedure C00, mode of transport 0, second partner 0; TOTAL commodity
-- rows dropped (sums of the HS codes beside them).
select
    'comtrade_api' as source,
    case r.freq_code when 'A' then 'comtrade_api_annual' else 'comtrade_api_monthly' end as collection,
    rep.iso3 as reporter_iso3,
    par.iso3 as partner_iso3,
    coalesce(par.is_aggregate, true) as partner_is_aggregate,
    case r.flow_code
        when 'M' then 'import' when 'X' then 'export' when 'RM' then 're-import'
        when 'RX' then 're-export'
    end as flow,
    r.ref_year as year,
    r.month,
    r.cmd_code as hs_code,
    length(r.cmd_code) as hs_level,
    r.hs_vintage,
    r.classification_code,
    r.primary_value_usd as value_usd,
    r.net_weight_kg,
    r.cif_value_usd,
    r.fob_value_usd,
    r.reporter_code::varchar as reporter_source_code,
    r.partner_code::varchar as partner_source_code,
    1 as source_copies,
    r.source_file,
    r.load_id
from {{ ref('stg_comtrade__api_records') }} as r
left join {{ ref('int_country_codes') }} as rep
    on rep.source = 'comtrade' and rep.source_code = r.reporter_code::varchar
left join {{ ref('int_country_codes') }} as par
    on par.source = 'comtrade' and par.source_code = r.partner_code::varchar
where
    r.customs_code = 'C00'
    and r.mot_code = 0
    and r.partner2_code = 0
    and r.cmd_code <> 'TOTAL'
    and r.flow_code in ('M', 'X', 'RM', 'RX')
