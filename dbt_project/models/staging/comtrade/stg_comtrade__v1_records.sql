-- UN Comtrade v1 API rows (saved as CSV by their collector), typed. One row per record as landed.
{{ comtrade_v1_typed(source('raw_comtrade', 'comtrade__v1_records')) }}
