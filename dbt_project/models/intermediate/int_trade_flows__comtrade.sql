-- Comtrade records from the sample (API rows and website exports, deduplicated) on the warehouse grain.
{{ comtrade_trade_flows(ref('int_comtrade__records'), 'comtrade', 'r.collection', 'r.copies') }}
