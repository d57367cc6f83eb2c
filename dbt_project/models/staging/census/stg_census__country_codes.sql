-- Census CTY_CODE -> ISO3. Palestine and Kosovo have no Census code in this map and are dropped.
select
    trim(CTY_CODE) as CTY_CODE,
    trim(ISO3) as ISO3,
    trim(COUNTRY) as COUNTRY_NAME
from {{ source('raw_census', 'census__country_codes') }}
where nullif(trim(CTY_CODE), '') is not null
