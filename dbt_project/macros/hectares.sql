{#-
    Hectares as an exact number. Sums of DOUBLE depend on the order DuckDB's threads add the rows
    in, so a rebuild from the same files changed totals in their last bits; DECIMAL sums are exact
    in any order. Four decimals (1 m2) hold every stated area and keep derived ones (area times a
    share) to the square metre.
-#}
{% macro hectares(expr) -%}
    {{ dbt.cast(expr, 'decimal(18, 4)') }}
{%- endmacro %}
