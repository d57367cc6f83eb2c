-- Chinese -> English destination names used by the Taiwan customs file.
select
    trim(name_zh) as name_zh,
    trim(name_en) as name_en
from {{ source('raw_taiwan', 'taiwan__country_names') }}
