{#- Completed years of age on a date: the difference of the years, less one while the birthday is
    still to come in that year. Plain SQL that DuckDB and Spark both read (no strftime on Spark). -#}
{% macro age_in_years(birth_date, on_date) -%}
    extract(year from {{ on_date }}) - extract(year from {{ birth_date }}) - case
        when extract(month from {{ birth_date }}) * 100 + extract(day from {{ birth_date }})
            > extract(month from {{ on_date }}) * 100 + extract(day from {{ on_date }})
            then 1
        else 0
    end
{%- endmacro %}
