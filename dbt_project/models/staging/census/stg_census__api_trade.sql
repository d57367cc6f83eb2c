-- US Census international trade API rows fetched live: imports (I_COMMODITY, consumption value
-- CON_VAL) and exports (E_COMMODITY, total exports ALL_VAL) by HS10 and Census country code, for a
-- year (year-to-date variables at December) or a month. Columns were read from each payload by
-- header name. A raw table no live run has created yet reads as empty.
{%- set columns = [
    'CTY_CODE', 'CTY_NAME', 'time', 'COMM_LVL', 'I_COMMODITY', 'I_COMMODITY_SDESC', 'CON_VAL_YR',
    'CAL_DUT_YR', 'CON_VAL_MO', 'CAL_DUT_MO', 'E_COMMODITY', 'E_COMMODITY_SDESC', 'ALL_VAL_YR',
    'ALL_VAL_MO'] %}

with unioned as (
    select
        *,
        'annual' as period_type
    from {{ source_or_empty('raw_census_live', 'census__api_annual', columns) }}
    union all by name
    select
        *,
        'monthly' as period_type
    from {{ source_or_empty('raw_census_live', 'census__api_monthly', columns) }}
)

select
    _load_id as load_id,
    _file_path as source_file,
    _loaded_at as loaded_at,
    case when I_COMMODITY is not null then 'import' else 'export' end as flow,
    trim(CTY_CODE) as cty_code,
    {{ clean_text('CTY_NAME') }} as cty_name,
    trim(coalesce(I_COMMODITY, E_COMMODITY)) as commodity_code,
    left(trim(coalesce(I_COMMODITY, E_COMMODITY)), 6) as hs6,
    {{ clean_text('coalesce(I_COMMODITY_SDESC, E_COMMODITY_SDESC)') }} as commodity_description,
    trim(COMM_LVL) as comm_lvl,
    period_type,
    cast(left(time, 4) as integer) as year,
    -- annual payloads hold December's year-to-date figures: the whole year, no month
    case when period_type = 'monthly' then cast(right(time, 2) as integer) end as month,
    case
        when period_type = 'annual' then {{ parse_number('coalesce(CON_VAL_YR, ALL_VAL_YR)') }}
        else {{ parse_number('coalesce(CON_VAL_MO, ALL_VAL_MO)') }}
    end as value_usd,
    case
        when period_type = 'annual' then {{ parse_number('CAL_DUT_YR') }}
        else {{ parse_number('CAL_DUT_MO') }}
    end as calculated_duty_usd
from unioned
