{#-
    The period labels of the marts, built here only (ingest/periods.py builds and reads the quarter
    label in Python): a date -> the label of the month, quarter or half-year it falls in.
-#}

{# Date -> 'YYYY-MM'. #}
{% macro month_label(date_col) -%}
    {{ dbt.concat([dbt.cast("extract(year from " ~ date_col ~ ")", dbt.type_string()), "'-'", month_2d(date_col)]) }}
{%- endmacro %}

{# Date -> 'YYYY-Qn' ('2024-Q2'), also the land feeds' file partitions. #}
{% macro quarter_label(date_col) -%}
    {{ dbt.concat([
        dbt.cast("extract(year from " ~ date_col ~ ")", dbt.type_string()),
        "'-Q'",
        dbt.cast("extract(quarter from " ~ date_col ~ ")", dbt.type_string())
    ]) }}
{%- endmacro %}

{# Date -> 'YYYY-H1' (January..June) or 'YYYY-H2'. #}
{% macro half_year_label(date_col) -%}
    {{ dbt.concat([
        dbt.cast("extract(year from " ~ date_col ~ ")", dbt.type_string()),
        "case when extract(month from " ~ date_col ~ ") <= 6 then '-H1' else '-H2' end"
    ]) }}
{%- endmacro %}
