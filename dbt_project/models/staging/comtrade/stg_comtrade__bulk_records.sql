-- UN Comtrade v1 final bulk files fetched live: one gzipped TSV per reporter and year, every HS code
-- and partner. Bulk files carry codes and figures but no labels (reporterISO, cmdDesc ...: null here).
-- Typed with the same macro as the API rows. A raw table no live run has created yet reads as empty.
{{ comtrade_v1_typed(source_or_empty('raw_comtrade_live', 'comtrade__bulk_annual', comtrade_v1_fields())) }}
