-- Live Comtrade records (data API and bulk files) on the trade_flows grain, as their own source
-- `comtrade_api` (the sample's API rows stay `comtrade`: the two can hold the same record, and
-- import_dependency is computed per source).
{{ comtrade_trade_flows(ref('int_comtrade__live_records'), 'comtrade_api', 'r.collection', 'r.copies') }}
