-- EU CRM 2023: each country's share of the EU's sourcing of a material (shares of 1% and more).
{{ eu_crm_shares_typed(source('raw_eu_crm', 'eu_crm__eu_supply_shares'), 'eu_sourcing') }}
