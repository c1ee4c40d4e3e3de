{#-
    Continuous percentile (linear interpolation) of `expr` as an aggregate, `fraction` in 0..1.
    ANSI ordered-set form (DuckDB, Postgres, Snowflake, ...); Spark gets its percentile() aggregate.
    Written with target.type rather than adapter.dispatch so that sqlfluff's jinja templater (no
    adapter object) renders it too.

    usage: {{ appeals_percentile_cont('working_days_to_answer', 0.9) }} as p90_working_days
-#}
{% macro appeals_percentile_cont(expr, fraction) -%}
    {%- if target is defined and target.type in ('spark', 'databricks') -%}
        percentile({{ expr }}, {{ fraction }})
    {%- else -%}
        percentile_cont({{ fraction }}) within group (order by {{ expr }})
    {%- endif -%}
{%- endmacro %}
