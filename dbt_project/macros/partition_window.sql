{#-
    The rows of the Dagster partition window that an incremental run of a fact reprocesses:
    min_period / max_period (YYYYMM, inclusive; vars, or the environment variables below) select
    the monthly rows (freq_code 'M') of those months and the annual rows ('A') of the years they
    touch. Without a window, every period. The model reads its input through this predicate and the replace_window strategy
    deletes the stored rows through it: one definition, so what a run replaces is exactly what it
    read. dbt-spark accepts only its own strategies (append, merge, insert_overwrite): on Spark the
    table is partitioned by period, drop_emptied_periods (a pre-hook) drops the window's stored
    periods that have no row upstream any more and insert_overwrite writes what the run built.
-#}
{% macro partition_window_bounds() -%}
    {#- [min_period, max_period] (YYYYMM strings or none). Dagster sets the window in the
        environment (DBT_MIN_PERIOD / DBT_MAX_PERIOD): unlike --vars, a changed environment
        variable does not make dbt re-parse the whole project. Vars, when given, win; both
        bounds come from the same place. -#}
    {%- if var('min_period', none) or var('max_period', none) -%}
        {{ return([var('min_period', none), var('max_period', none)]) }}
    {%- endif -%}
    {{ return([env_var('DBT_MIN_PERIOD', '') or none, env_var('DBT_MAX_PERIOD', '') or none]) }}
{%- endmacro %}

{% macro partition_window() -%}
    {%- set min_period, max_period = partition_window_bounds() -%}
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
    Spark's half of replace_window (a pre-hook of a model partitioned by period, given the relation
    it reads through partition_window): insert_overwrite replaces only the periods the run writes
    rows for, so a period of the window left with no row upstream would keep its old rows. Those
    periods are dropped first: the stored periods of the window (monthly periods YYYYMM within the
    bounds, annual periods YYYY of the years they touch) that the upstream relation no longer has.
    Only those: a run that fails after the hook leaves every other period as it was (Spark's
    Parquet tables have no transaction). Spark's DROP PARTITION takes equalities only, so the
    stored periods are listed and matched here. Other adapters, or a first build: nothing.
-#}
{% macro drop_emptied_periods(upstream) -%}
    {%- if execute and target.type == 'spark' and is_incremental() -%}
        {%- set min_period, max_period = partition_window_bounds() -%}
        {%- set low, high = (min_period or '') | string, (max_period or '') | string -%}
        {%- set upstream_periods = run_query(
            'select distinct period from ' ~ upstream ~ ' where ' ~ partition_window()
        ).columns[0].values() -%}
        {%- set dropped = [] -%}
        {%- for row in run_query('show partitions ' ~ this) -%}
            {%- set period = row[0].split('=', 1)[1] -%}
            {%- set bounds = [low, high] if period | length == 6 else [low[:4], high[:4]] -%}
            {%- if (not bounds[0] or period >= bounds[0]) and (not bounds[1] or period <= bounds[1])
                and period not in upstream_periods -%}
                {%- do dropped.append("partition (period = '" ~ period ~ "')") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if dropped -%}
            {%- do run_query('alter table ' ~ this ~ ' drop if exists ' ~ dropped | join(', ')) -%}
        {%- endif -%}
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

{#-
    Data tests of a model incremental by partition window (tag partition_window) check the rows of
    the run's window when a window is set (Dagster's dbt_incremental, or the vars): the rows the
    run rewrote; the others were tested when they were written, and a full build (no window)
    tests every row. So every such test must hold row by row or within a period: not null,
    accepted values, uniqueness of a key that includes the period. Not relationships: they also
    depend on the table referred to, which can change without the fact, so they read every row.
    Any other test, or one with its own `where` config, is as dbt makes it (this is dbt's
    get_where_subquery with that one addition).
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if not where and execute and model.get('attached_node') -%}
        {%- set tested = graph.nodes.get(model.get('attached_node'), {}) -%}
        {%- set window = partition_window() | trim -%}
        {%- set test_name = model.get('test_metadata', {}).get('name') -%}
        {%- if 'partition_window' in tested.get('tags', []) and window != 'true'
            and test_name != 'relationships' -%}
            {%- set where = window -%}
        {%- endif -%}
    {%- endif -%}
    {%- if where -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
