{{ windowed_by_trade_partition(years_after=1) }}
-- Incremental by (source, year) partitions of the trade data: macros/trade_window.sql.
-- Unit value = value / net weight (USD per kg) by product, reporter, partner, flow and period, with
-- its year-on-year change (the price shock: same month a year earlier for monthly figures). The
-- product is the canonical product (dim_product): codes split in HS2022 (854140 into 854141..854149)
-- are summed back to their HS2017 parent, so a series runs across the 2021/2022 break. Only figures
-- with a positive net weight for every code summed get a unit value; the rest are left out.
-- Read twice (the sums, then the few series that sum several codes): not materialized, as a
-- materialized 10M-row CTE costs more than scanning trade_flows twice.
with flows as not materialized (
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

-- One pass sums every series. Its code list and classification count are distinct aggregates, which
-- over the 10M series of a BACI year took 55 s of the model's 60 s: almost every series sums one
-- code of one classification (min = max says so), and only the series that sum several (HS2022
-- splits summed to their parent) are aggregated again for their exact list and count.
{%- set series_key = [
    'source', 'reporter_iso3', 'partner_iso3', 'partner_is_aggregate', 'flow', 'period_type', 'year',
    'month', 'product',
] %}
{#- the key's columns that can be null (the others are filtered or coalesced in `flows`) #}
{%- set nullable = ['partner_is_aggregate', 'flow', 'period_type', 'year', 'month'] %}
summed as (
    select
        {% for column in series_key %}{{ column }},
        {% endfor -%}
        any_value(chain) as chain,
        any_value(stage) as stage,
        any_value(material) as material,
        min(hs_code) as first_hs_code,
        min(classification_code) as first_classification_code,
        coalesce(min(hs_code) != max(hs_code) or min(classification_code) != max(classification_code), false)
        or count(hs_code) < count(*) as sums_several,
        sum(value_usd) as value_usd,
        sum(net_weight_kg) as net_weight_kg,
        -- every code summed must carry a positive weight, or the ratio mixes weighed and unweighed value
        bool_and(coalesce(net_weight_kg, 0) > 0) as all_weighed
    from flows
    group by all
),

-- the series that sum several codes or classifications
several as (
    select
        {% for column in series_key %}f.{{ column }},
        {% endfor -%}
        list(distinct f.hs_code order by f.hs_code) as hs_codes,
        count(distinct f.classification_code) as classification_count
    from flows as f
    semi join (select * from summed where sums_several) as s
        on {{ same_key('f', 's', series_key, nullable) }}
    group by all
),

-- (the first branch gives the columns their order: the second is matched to it by name)
grouped as (
    select
        {% for column in series_key + ['chain', 'stage', 'material'] %}{{ column }},
        {% endfor -%}
        [first_hs_code] as hs_codes,
        (first_classification_code is not null)::bigint as classification_count,
        value_usd,
        net_weight_kg,
        all_weighed
    from summed
    where not sums_several
    union all by name
    select
        s.* exclude (s.first_hs_code, s.first_classification_code, s.sums_several),
        m.hs_codes,
        m.classification_count
    from summed as s
    inner join several as m
        on {{ same_key('s', 'm', series_key, nullable) }}
    where s.sums_several
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
