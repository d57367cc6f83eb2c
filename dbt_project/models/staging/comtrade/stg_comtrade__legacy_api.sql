-- Retired comtrade.un.org/api/get fields as saved by R: NA for missing, 1e+05 style numbers.
select
    _load_id as load_id,
    _file_path as source_file,
    _loaded_at as loaded_at,
    trim(pfcode) as classification_code,
    {{ hs_vintage_of('trim(pfCode)') }} as hs_vintage,
    cast(yr as integer) as ref_year,
    trim(period) as period,
    cast(rgcode as integer) as trade_flow_code,
    trim(rgdesc) as trade_flow,
    cast(rtcode as integer) as reporter_code,
    trim(rttitle) as reporter_desc,
    nullif(trim(rt3iso), '') as reporter_iso_as_reported,
    cast(ptcode as integer) as partner_code,
    trim(pttitle) as partner_desc,
    {{ hs_code_clean('cmdCode') }} as cmd_code,
    trim(cmddesce) as cmd_desc,
    {{ parse_number("nullif(NetWeight, 'NA')") }} as net_weight_kg,
    {{ parse_number("nullif(TradeValue, 'NA')") }} as trade_value_usd,
    nullif(trim(estcode), '') as estimation_code
from {{ source('raw_comtrade', 'comtrade__legacy_api') }}
