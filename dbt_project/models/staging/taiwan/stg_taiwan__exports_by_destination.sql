-- Taiwan customs exports by 11-digit CCC code and destination (Chinese names), USD.
select
    _load_id as load_id,
    _file_path as source_file,
    _loaded_at as loaded_at,
    cast(year as integer) as year,
    trim(country) as destination_name_zh,
    trim("HS Code") as ccc_code,
    left(trim("HS Code"), 6) as hs6,
    trim(description) as description,
    {{ parse_number('"Export Value (USD)"') }} as export_value_usd
from {{ source('raw_taiwan', 'taiwan__exports_by_destination') }}
