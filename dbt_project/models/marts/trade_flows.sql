{{ windowed_by_trade_partition() }}
-- Incremental by (source, year) partitions of the trade data: macros/trade_window.sql.
-- The unified trade fact: every source on one grain (reporter, partner, flow, period, HS code).
-- Aggregate partners (World, the EU group) are rows here, flagged: never add them to countries.
with unioned as (
    select * from {{ ref('int_trade_flows__comtrade') }}
    union all by name
    select * from {{ ref('int_trade_flows__comtrade_legacy') }}
    union all by name
    select * from {{ ref('int_trade_flows__census') }}
    union all by name
    select * from {{ ref('int_trade_flows__taiwan') }}
    union all by name
    select * from {{ ref('int_trade_flows__baci') }}
    union all by name
    select * from {{ ref('int_trade_flows__comtrade_api') }}
    union all by name
    select * from {{ ref('int_trade_flows__census_api') }}
)

select
    md5(concat_ws(
        '|', u.source, u.reporter_source_code, u.partner_source_code, u.flow, u.year,
        coalesce(u.month, 0), u.hs_code, u.classification_code
    )) as trade_flow_id,
    u.source,
    u.collection,
    u.reporter_iso3,
    u.partner_iso3,
    u.partner_is_aggregate,
    u.flow,
    u.year,
    u.month,
    case when u.month is null then 'annual' else 'monthly' end as period_type,
    u.hs_code,
    u.hs_level::integer as hs_level,
    u.hs_vintage,
    u.classification_code,
    p.chain,
    p.stage,
    u.value_usd,
    u.net_weight_kg,
    u.cif_value_usd,
    u.fob_value_usd,
    u.reporter_source_code,
    u.partner_source_code,
    u.source_copies,
    u.source_file,
    u.load_id
from unioned as u
left join {{ ref('dim_product') }} as p on u.hs_code = p.hs_code
where {{ in_trade_window(source_column='u.source', year_column='u.year') }}
