{#- HS codes as text with their leading zeros back: CSV tools drop them (010121 -> 10121).
    An odd length can only be a code that lost one leading zero. -#}
{% macro hs_code_clean(column) -%}
    case
        when trim({{ column }}) = 'TOTAL' then 'TOTAL'
        when length(trim({{ column }})) in (1, 3, 5) then '0' || trim({{ column }})
        else trim({{ column }})
    end
{%- endmacro %}

{#- 'H5' -> 'HS2017': the HS edition a Comtrade classification code stands for. -#}
{% macro hs_vintage_of(classification_code) -%}
    case {{ classification_code }}
        when 'H0' then 'HS1992'
        when 'H1' then 'HS1996'
        when 'H2' then 'HS2002'
        when 'H3' then 'HS2007'
        when 'H4' then 'HS2012'
        when 'H5' then 'HS2017'
        when 'H6' then 'HS2022'
    end
{%- endmacro %}

{#- The HS edition in force in a year, for national tariff nomenclatures that follow each
    amendment on its entry into force (Taiwan CCC, US HTS). -#}
{% macro hs_vintage_in_force(year) -%}
    case
        when {{ year }} >= 2022 then 'HS2022'
        when {{ year }} >= 2017 then 'HS2017'
        when {{ year }} >= 2012 then 'HS2012'
        when {{ year }} >= 2007 then 'HS2007'
        when {{ year }} >= 2002 then 'HS2002'
        when {{ year }} >= 1996 then 'HS1996'
        else 'HS1992'
    end
{%- endmacro %}
