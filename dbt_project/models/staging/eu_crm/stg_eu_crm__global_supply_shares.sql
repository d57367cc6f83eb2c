-- EU CRM 2023: each country's share of global supply of a material at extraction or processing.
{{ eu_crm_shares_typed(source('raw_eu_crm', 'eu_crm__global_supply_shares'), 'global_supply') }}
