-- US Census imports for consumption by HS10 and Census country code. CON_VAL_YR is the year-to-date
-- customs value at the month in `time`: at month 12 it is the calendar year.
select
    _load_id as load_id,
    _file_path as source_file,
    _loaded_at as loaded_at,
    trim(CTY_CODE) as cty_code,
    trim(CTY_NAME) as cty_name,
    trim(I_COMMODITY) as hs10,
    left(trim(I_COMMODITY), 8) as hts8,
    left(trim(I_COMMODITY), 6) as hs6,
    trim(I_COMMODITY_SDESC) as hs10_description,
    cast(left(time, 4) as integer) as year,
    cast(right(time, 2) as integer) as through_month,
    {{ parse_number('CON_VAL_YR') }} as customs_value_usd,
    {{ parse_number('CAL_DUT_YR') }} as calculated_duty_usd
from {{ source('raw_census', 'census__imports_hs10') }}
