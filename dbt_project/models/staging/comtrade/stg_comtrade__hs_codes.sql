-- Comtrade combined HS reference (all editions), with standard units.
select
    {{ hs_code_clean('id') }} as hs_code,
    regexp_replace(trim(text), '^[0-9]+ - ', '') as description,
    nullif(nullif(trim(parent), '#'), '') as parent_code,
    trim(isleaf) = '1' as is_leaf,
    cast(aggrlevel as integer) as hs_level,
    nullif(trim(standardunitabbr), 'n/a') as standard_unit,
    _load_id as load_id
from {{ source('raw_comtrade', 'comtrade__hs_codes') }}
