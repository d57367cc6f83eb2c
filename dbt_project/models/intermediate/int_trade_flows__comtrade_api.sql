-- Live Comtrade API records on the trade_flows grain, as their own source `comtrade_api` (the sample's
-- API rows stay `comtrade`: the two can hold the same record, and import_dependency is computed per
-- source).
{{ comtrade_trade_flows(
    ref('stg_comtrade__api_records'),
    'comtrade_api',
    "case r.freq_code when 'A' then 'comtrade_api_annual' else 'comtrade_api_monthly' end",
    '1'
) }}
