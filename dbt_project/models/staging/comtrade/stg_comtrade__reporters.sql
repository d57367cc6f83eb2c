-- Comtrade reporter reference: M49-like codes (USA 842, not ISO 840), ISO3, group flag, validity.
select
    cast(reporterCode as integer) as reporter_code,
    trim(reporterDesc) as reporter_desc,
    trim(reporterNote) as reporter_note,
    nullif(trim(reporterCodeIsoAlpha2), '') as iso2,
    nullif(trim(reporterCodeIsoAlpha3), '') as iso3_as_reported,
    {{ parse_bool('isGroup') }} as is_group,
    cast(entryEffectiveDate as timestamp)::date as valid_from,
    cast(nullif(entryExpiredDate, '') as timestamp)::date as valid_to,
    _load_id as load_id
from {{ source('raw_comtrade', 'comtrade__reporters') }}
