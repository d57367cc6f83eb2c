-- Every live Comtrade record once: the data API's annual and monthly rows and the annual bulk files.
-- A bulk reporter-year and an API request of the same reporter and year hold the same records; the
-- most recently landed copy of each grain is kept (a republished bulk file or a refetched payload is
-- the newer figure) and `copies` counts how many landed copies there are.
with unioned as (
    select
        *,
        case freq_code when 'A' then 'comtrade_api_annual' else 'comtrade_api_monthly' end as collection
    from {{ ref('stg_comtrade__api_records') }}
    union all by name
    select
        *,
        'comtrade_bulk_annual' as collection
    from {{ ref('stg_comtrade__bulk_records') }}
)

{{ comtrade_latest_copy('unioned') }}
