{#-
    The rows of the Dagster partition window that an incremental run of a fact reprocesses:
    min_period / max_period (YYYYMM, inclusive; vars, or the environment variables below) select
    the monthly rows (freq_code 'M') of those months and the annual rows ('A') of the years they
    touch. Without a window, every period. The model reads its input through this predicate and the replace_window strategy
    deletes the stored rows through it: one definition, so what a run replaces is exactly what it
    read. dbt-spark accepts only its own strategies (append, merge, insert_overwrite), so on Spark
    this model needs its own strategy; not done yet.
-#}
{% macro partition_window() -%}
    {#- Dagster sets the window in the environment (DBT_MIN_PERIOD / DBT_MAX_PERIOD): unlike
        --vars, a changed environment variable does not make dbt re-parse the whole project.
        Vars, when given, win; both bounds come from the same place. -#}
    {%- if var('min_period', none) or var('max_period', none) -%}
        {%- set min_period = var('min_period', none) -%}
        {%- set max_period = var('max_period', none) -%}
    {%- else -%}
        {%- set min_period = env_var('DBT_MIN_PERIOD', '') or none -%}
        {%- set max_period = env_var('DBT_MAX_PERIOD', '') or none -%}
    {%- endif -%}
    {%- if not (min_period or max_period) -%}
        true
    {%- else -%}
        (
            (
                freq_code = 'M'
                {% if min_period %}and period >= '{{ min_period | string }}'{% endif %}
                {% if max_period %}and period <= '{{ max_period | string }}'{% endif %}
            )
            or (
                freq_code = 'A'
                {% if min_period %}and period >= '{{ (min_period | string)[:4] }}'{% endif %}
                {% if max_period %}and period <= '{{ (max_period | string)[:4] }}'{% endif %}
            )
        )
    {%- endif -%}
{%- endmacro %}

{#-
    Incremental strategy replace_window: delete every stored row of the partition window, then
    insert what the run built for it. Unlike delete+insert by unique_key, which deletes only the
    keys the new batch holds, a slice removed upstream (a reporter-period or commodity line no
    longer in the source) leaves the table too.
-#}
{% macro get_incremental_replace_window_sql(arg_dict) -%}
    delete from {{ arg_dict['target_relation'] }} where {{ partition_window() }};
    {{ get_incremental_append_sql(arg_dict) }}
{%- endmacro %}
