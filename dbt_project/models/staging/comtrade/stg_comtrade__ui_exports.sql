-- UN Comtrade website CSV exports (Latin-1, same 47 fields), typed. One row per record as landed.
{{ comtrade_v1_typed(source('raw_comtrade', 'comtrade__ui_exports')) }}
