-- US Census imports for consumption by HS10 and Census country code. CON_VAL_YR is the year-to-date
-- customs value at the month in `time`: at month 12 it is the calendar year.
select
    _load_id as load_id,
    _file_path as source_file,
    _loaded_at as loaded_at,
    trim(cty_code) as cty_code,
    trim(cty_name) as cty_name,
    trim(i_commodity) as hs10,
    left(trim(i_commodity), 8) as hts8,
    left(trim(i_commodity), 6) as hs6,
    trim(i_commodity_sdesc) as hs10_description,
    cast(left(time, 4) as integer) as year,
    cast(right(time, 2) as integer) as through_month,
    {{ parse_number('CON_VAL_YR') }} as customs_value_usd,
    {{ parse_number('CAL_DUT_YR') }} as calculated_duty_usd
from {{ source('raw_census', 'census__imports_hs10') }}
