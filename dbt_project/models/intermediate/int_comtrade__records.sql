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

{{ comtrade_latest_copy('unioned') }}
