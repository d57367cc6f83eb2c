-- Every Comtrade v1 record from the API rows and the website exports, once. The same record can
-- arrive in several files (the heavy/light REE files overlap; the CHN/KOR/USA comparison export
-- repeats rows of the all-reporter export): keep the most recently landed copy of each grain and
-- count the copies.
with unioned as (
    select
        *,
        'comtrade_api' as collection
    from {{ ref('stg_comtrade__v1_records') }}
    union all by name
    select
        *,
        'comtrade_website_export' as collection
    from {{ ref('stg_comtrade__ui_exports') }}
)

select * exclude (copy_rank),
from (
    select
        *,
        count(*) over grain as copies,
        row_number() over (grain_ordered) as copy_rank
    from unioned
    window
        grain as (
            partition by
                type_code, freq_code, period, reporter_code, flow_code, partner_code,
                partner2_code, classification_code, cmd_code, customs_code, mot_code
        ),
        grain_ordered as (
            partition by
                type_code, freq_code, period, reporter_code, flow_code, partner_code,
                partner2_code, classification_code, cmd_code, customs_code, mot_code
            order by loaded_at desc, source_file desc
        )
)
where copy_rank = 1
