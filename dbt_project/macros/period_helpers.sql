{#-
    Small portable helpers built only on dbt cross-database macros and ANSI SQL, so the models
    compile for DuckDB and Spark alike.
-#}

{# 'YYYY' or 'YYYYMM' Comtrade period -> first day of the year / month (date). #}
{% macro comtrade_period_start(period_col, freq_col) -%}
    {{ dbt.cast(
        "case when " ~ freq_col ~ " = 'M' then "
        ~ dbt.concat(["substr(" ~ period_col ~ ", 1, 4)", "'-'", "substr(" ~ period_col ~ ", 5, 2)", "'-01'"])
        ~ " else " ~ dbt.concat(["substr(" ~ period_col ~ ", 1, 4)", "'-01-01'"]) ~ " end",
        "date"
    ) }}
{%- endmacro %}

{# Two-digit month number of a date as text ('01'..'12'). #}
{% macro month_2d(date_col) -%}
    {{ dbt.right(dbt.concat(["'0'", dbt.cast("extract(month from " ~ date_col ~ ")", dbt.type_string())]), 2) }}
{%- endmacro %}

{# Date -> 'YYYYMM' Comtrade monthly period. #}
{% macro yyyymm(date_col) -%}
    {{ dbt.concat([dbt.cast("extract(year from " ~ date_col ~ ")", dbt.type_string()), month_2d(date_col)]) }}
{%- endmacro %}

{# Last day of the month containing date_col (date). #}
{% macro month_end(date_col) -%}
    {{ dbt.cast(dbt.last_day(date_col, "month"), "date") }}
{%- endmacro %}

{# Shift a date by n months and return a date (dbt.dateadd may return a timestamp). #}
{% macro add_months(date_col, n) -%}
    {{ dbt.cast(dbt.dateadd("month", n, date_col), "date") }}
{%- endmacro %}
