-- UN Comtrade v1 records fetched live from the data API (or its keyless preview), annual and monthly,
-- typed like the sample's API rows. One row per record as landed; each payload replaces its own rows
-- when refetched, so a record appears once. A raw table no live run has created yet reads as empty.
with records as (
    {{ comtrade_v1_typed(source_or_empty('raw_comtrade_live', 'comtrade__api_annual', comtrade_v1_fields())) }}
    union all by name
    {{ comtrade_v1_typed(source_or_empty('raw_comtrade_live', 'comtrade__api_monthly', comtrade_v1_fields())) }}
)

select * from records
