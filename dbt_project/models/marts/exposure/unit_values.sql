{{ windowed_by_trade_partition(years_after=1) }}
-- Incremental by (source, year) partitions of the trade data: macros/trade_window.sql.
-- Unit value = value / net weight (USD per kg) by product, reporter, partner, flow and period, with
-- its year-on-year change (the price shock: same month a year earlier for monthly figures). The
-- product is the canonical product (dim_product): codes split in HS2022 (854140 into 854141..854149)
-- are summed back to their HS2017 parent, so a series runs across the 2021/2022 break. Only figures
-- with a positive net weight for every code summed get a unit value; the rest are left out.
with flows as (
    select
        f.source,
        f.reporter_iso3,
        f.partner_iso3,
        f.partner_is_aggregate,
        f.flow,
        f.period_type,
        f.year,
        f.month,
        f.hs_code,
        f.classification_code,
        f.value_usd,
        f.net_weight_kg,
        coalesce(p.canonical_product, f.hs_code) as product,
        p.chain,
        p.stage,
        p.material
    from {{ ref('trade_flows') }} as f
    left join {{ ref('dim_product') }} as p on f.hs_code = p.hs_code
    where
        f.value_usd is not null and f.reporter_iso3 is not null and f.partner_iso3 is not null
        and {{ in_trade_window(source_column='f.source', year_column='f.year') }}
),

grouped as (
    select
        source,
        reporter_iso3,
        partner_iso3,
        partner_is_aggregate,
        flow,
        period_type,
        year,
        month,
        product,
        any_value(chain) as chain,
        any_value(stage) as stage,
        any_value(material) as material,
        list(distinct hs_code order by hs_code) as hs_codes,
        count(distinct classification_code) as classification_count,
        sum(value_usd) as value_usd,
        sum(net_weight_kg) as net_weight_kg,
        -- every code summed must carry a positive weight, or the ratio mixes weighed and unweighed value
        bool_and(coalesce(net_weight_kg, 0) > 0) as all_weighed
    from flows
    group by all
),

valued as (
    select
        * exclude (all_weighed),
        value_usd / net_weight_kg as unit_value_usd_per_kg
    from grouped
    where all_weighed
),

{% if is_windowed_increment() %}
    -- A windowed build: the year before a rebuilt year, when it is not rebuilt itself, is unchanged and
    -- already here, so its series are read from this table instead of summing its flows again.
    series as (
        select * from valued
        union all by name
        select
            source,
            reporter_iso3,
            partner_iso3,
            flow,
            period_type,
            year,
            month,
            product,
            value_usd,
            net_weight_kg,
            unit_value_usd_per_kg
        from {{ this }}
        where {{ in_trade_window(years_before=1) }} and not {{ in_trade_window() }}
    ),
{% endif %}

-- The same series a year earlier, by a window rather than a self-join: joining 10M series to
-- themselves does not fit a 1 GB memory limit, the window does (10M BACI flows: 14.5 s).
previous_year as (
    select
        *,
        lag(year) over by_series as lag_year,
        lag(unit_value_usd_per_kg) over by_series as lag_unit_value_usd_per_kg,
        lag(value_usd) over by_series as lag_value_usd,
        lag(net_weight_kg) over by_series as lag_net_weight_kg
    from {{ 'series' if is_windowed_increment() else 'valued' }}
    window by_series as (
        partition by source, reporter_iso3, partner_iso3, flow, period_type, month, product
        order by year
    )
),

with_previous as (
    select
        * exclude (lag_year, lag_unit_value_usd_per_kg, lag_value_usd, lag_net_weight_kg),
        case when lag_year = year - 1 then lag_unit_value_usd_per_kg end as previous_year_unit_value_usd_per_kg,
        case when lag_year = year - 1 then lag_value_usd end as previous_year_value_usd,
        case when lag_year = year - 1 then lag_net_weight_kg end as previous_year_net_weight_kg
    from previous_year
)

select
    * exclude (previous_year_value_usd, previous_year_net_weight_kg),
    unit_value_usd_per_kg / nullif(previous_year_unit_value_usd_per_kg, 0) - 1 as unit_value_change_yoy,
    value_usd / nullif(previous_year_value_usd, 0) - 1 as value_change_yoy,
    net_weight_kg / nullif(previous_year_net_weight_kg, 0) - 1 as weight_change_yoy
from with_previous
where {{ in_trade_window() }}
