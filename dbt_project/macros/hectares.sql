{#-
    Hectares as an exact number. Sums of DOUBLE depend on the order DuckDB's threads add the rows
    in, so a rebuild from the same files changed totals in their last bits; DECIMAL sums are exact
    in any order. Four decimals (1 m2) hold every stated area and keep derived ones (area times a
    share) to the square metre.
-#}
{% macro hectares(expr) -%}
    {%- if adapter is defined -%}
        {{ return(adapter.dispatch('hectares')(expr)) }}
    {%- else -%}
        {{ return(default__hectares(expr)) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__hectares(expr) -%}
    {{ dbt.cast(expr, 'decimal(18, 4)') }}
{%- endmacro %}

{#-
    Spark rounds a double cast to decimal from the double's exact binary value; DuckDB multiplies by
    10^4 in double arithmetic first and rounds that half away from zero (93.32085 -> 93.3208 in
    DuckDB, 93.3209 in Spark). Done DuckDB's way here so both engines store the same hectares.
-#}
{% macro spark__hectares(expr) -%}
    cast(cast(round(cast({{ expr }} as double) * 10000, 0) as decimal(24, 0)) / 10000 as decimal(18, 4))
{%- endmacro %}
