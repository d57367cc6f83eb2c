{#- One EU CRM share table typed: shares arrive as text ('93.8%', '<0.1%', once '6' without its
    percent sign). A '<x%' share is an upper bound, never a number: share stays null and
    share_bound holds x. The tables come from the 2023 assessment (the extraction's data_cleaning.md),
    which carries no year column of its own. -#}
{% macro eu_crm_shares_typed(relation, supply_scope) %}
select
    _load_id as load_id,
    _file_path as source_file,
    _loaded_at as loaded_at,
    2023 as assessment_year,
    '{{ supply_scope }}' as supply_scope,
    {{ clean_text('Material') }} as material,
    trim(Stage) as stage_code,
    case trim(Stage) when 'E' then 'extraction' when 'P' then 'processing' end as stage_name,
    {{ clean_text('Country') }} as country_as_published,
    trim(Share) as share_text,
    case
        when trim(Share) like '<%' then null
        else cast(regexp_extract(trim(Share), '([0-9]+(\.[0-9]+)?)', 1) as double) / 100
    end as share,
    case
        when trim(Share) like '<%' then 'upper_bound'
        when trim(Share) not like '%\%%' escape '\' then 'missing_percent_sign'
        else 'reported'
    end as share_flag,
    case
        when trim(Share) like '<%' then cast(regexp_extract(trim(Share), '([0-9]+(\.[0-9]+)?)', 1) as double) / 100
    end as share_bound,
    try_cast(t as double) as trade_variable_t
from {{ relation }}
{% endmacro %}
