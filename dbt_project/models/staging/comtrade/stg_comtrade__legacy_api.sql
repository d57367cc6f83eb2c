-- Retired comtrade.un.org/api/get fields as saved by R: NA for missing, 1e+05 style numbers.
select
    _load_id as load_id,
    _file_path as source_file,
    _loaded_at as loaded_at,
    trim(pfCode) as classification_code,
    {{ hs_vintage_of('trim(pfCode)') }} as hs_vintage,
    cast(yr as integer) as ref_year,
    trim(period) as period,
    cast(rgCode as integer) as trade_flow_code,
    trim(rgDesc) as trade_flow,
    cast(rtCode as integer) as reporter_code,
    trim(rtTitle) as reporter_desc,
    nullif(trim(rt3ISO), '') as reporter_iso_as_reported,
    cast(ptCode as integer) as partner_code,
    trim(ptTitle) as partner_desc,
    {{ hs_code_clean('cmdCode') }} as cmd_code,
    trim(cmdDescE) as cmd_desc,
    {{ parse_number("nullif(NetWeight, 'NA')") }} as net_weight_kg,
    {{ parse_number("nullif(TradeValue, 'NA')") }} as trade_value_usd,
    nullif(trim(estCode), '') as estimation_code
from {{ source('raw_comtrade', 'comtrade__legacy_api') }}
