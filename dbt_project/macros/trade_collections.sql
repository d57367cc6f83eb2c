{#- Which copy of a flow to read when several collections hold it (the sample's Comtrade API rows
    and a live fetch of the same records, a bulk file beside the API): the most direct wins - a
    country's own statistics office (Census API), then Comtrade's bulk files, its API, the sample's
    API rows, anything else. Higher is preferred. -#}
{% macro trade_collection_rank(collection) -%}
    case {{ collection }}
        when 'census_api_annual' then 4
        when 'comtrade_bulk_annual' then 3
        when 'comtrade_api_annual' then 2
        when 'comtrade_api' then 1
        else 0
    end
{%- endmacro %}
