-- HTS column-1 general (MFN) rates by HTS8. The ad valorem rate is complete only when the published
-- rate is 'Free' or a percentage; specific and compound rates ('1¢/kg', '$1.034/kg + 17%') have no
-- ad valorem equivalent here and stay flagged.
select
    _load_id as load_id,
    _file_path as source_file,
    _loaded_at as loaded_at,
    trim(hts_8digit) as hts8,
    left(trim(hts_8digit), 6) as hs6,
    {{ clean_text('description') }} as description,
    {{ clean_text('general_rate_raw') }} as general_rate_text,
    cast(general_ad_valorem_rate as double) as mfn_ad_valorem_rate,
    coalesce(regexp_full_match(trim(general_rate_raw), 'Free|[0-9]+(\.[0-9]+)?%'), false) as mfn_rate_is_ad_valorem,
    {{ clean_text('special_rate_raw') }} as special_rate_text,
    {{ clean_text('other_rate_raw') }} as column2_rate_text,
    trim(edition_label) as hts_edition
from {{ source('raw_tariffs', 'tariffs__mfn_base_rates') }}
