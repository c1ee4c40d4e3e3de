{#-
    Incremental runs of the appeals chain (DuckDB; on Spark, whose Parquet tables take no delete,
    these models stay full tables or views and is_incremental() is false).

    What a run recomputes is every appeal touched by the raw rows loaded since the model's last
    run, whole: all its snapshots and all its events, so windows over an appeal (latest snapshot,
    event order, lifecycle) come out as a full rebuild's. The model's watermark is the max of its
    own `_loaded_at` (always a load the previous run had read, so every raw row loaded at or before
    it was read then: loads and dbt never run at the same time, WRITER_POOL and DuckDB's one
    writing process; a load stamps all its rows with one _loaded_at). A watermark behind the last
    load (a load of re-sent events only) costs work again, never a row.

    An appeal is touched by a new snapshot of it, or by a new copy of any event whose copies name
    it (re-sent events are de-duplicated by event id over every copy, so all copies' appeals).
    A new row for an export day already read means a day file was replaced (feeds.py: a file
    replaces its whole day): rows may have left raw, and no new row says which; then every row is
    recomputed. Known gap: a re-export of the very latest day in both feeds at once is not seen
    as a replacement (no older row of that day is left to compare with); `--full-refresh` then.
-#}

{# The model's watermark (null on an empty table: everything is new). #}
{% macro appeals_since(relation=none) -%}
    coalesce(
        (select max(_loaded_at) from {{ relation or this }}),
        {{ dbt.cast("'1900-01-01'", dbt.type_timestamp()) }}
    )
{%- endmacro %}

{# True when a row loaded since the watermark belongs to an export day already read. #}
{% macro appeals_day_replaced(since) -%}
    exists (
        select 1
        from (
            select _partition_date from {{ source('raw', 'eotinish_appeals') }} where _loaded_at > {{ since }}
            union all
            select _partition_date from {{ source('raw', 'eotinish_appeal_events') }} where _loaded_at > {{ since }}
        ) as new_rows
        where new_rows._partition_date <= (
            select max(_partition_date)
            from (
                select _partition_date from {{ source('raw', 'eotinish_appeals') }} where _loaded_at <= {{ since }}
                union all
                select _partition_date from {{ source('raw', 'eotinish_appeal_events') }} where _loaded_at <= {{ since }}
            ) as old_rows
        )
    )
{%- endmacro %}

{# Appeal ids touched by rows loaded since the watermark (a subquery of one column, appeal_id). #}
{% macro appeals_touched_ids(since) -%}
    select {{ dbt.cast('id', dbt.type_string()) }} as appeal_id
    from {{ source('raw', 'eotinish_appeals') }}
    where _loaded_at > {{ since }}
    union
    select {{ dbt.cast('appeal_id', dbt.type_string()) }} as appeal_id
    from {{ source('raw', 'eotinish_appeal_events') }}
    where id in (
        select id from {{ source('raw', 'eotinish_appeal_events') }} where _loaded_at > {{ since }}
    )
{%- endmacro %}

{#
    The rows an incremental run rebuilds, as a predicate on `column` (an appeal id): the model reads
    its input through it and the replace_appeals strategy deletes the stored rows through it, so
    what a run replaces is exactly what it rebuilt. by_applicant: also every appeal of an applicant
    of a touched appeal (fct_appeals numbers an applicant's appeals), by the applicant key stored
    and the current one. `true` outside an incremental run.
#}
{% macro appeals_window(column='appeal_id', by_applicant=false) -%}
    {%- if is_incremental() -%}
        {%- set since = appeals_since() -%}
        (
            {{ appeals_day_replaced(since) }}
            or {{ column }} in (
                {%- if by_applicant %}
                    with touched as ({{ appeals_touched_ids(since) }}),
                    applicants as (
                        select applicant_key from {{ ref('int_appeals__current') }}
                        where appeal_id in (select appeal_id from touched)
                        union
                        select applicant_key from {{ this }}
                        where appeal_id in (select appeal_id from touched)
                    )
                    select appeal_id from touched
                    union
                    select appeal_id from {{ ref('int_appeals__current') }}
                    where applicant_key in (select applicant_key from applicants)
                {%- else %}
                    {{ appeals_touched_ids(since) }}
                {%- endif %}
            )
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#-
    Incremental strategy replace_appeals: delete every stored row of the appeals the run rebuilt
    (appeals_window, evaluated before the insert, on the same stored state as the run's select),
    then insert what it built. Unlike delete+insert by unique key, rows that left an appeal (an
    event now counted under another appeal, a day file replaced) leave the table too.
-#}
{% macro get_incremental_replace_appeals_sql(arg_dict) -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ appeals_window(by_applicant=config.get('appeals_by_applicant', false)) }};
    {{ get_incremental_append_sql(arg_dict) }}
{%- endmacro %}

{#- The data's last day: the latest export day of appeals or events, or var appeals_as_of_date. -#}
{% macro appeals_as_of_date() -%}
    {%- set as_of_var = var('appeals_as_of_date', none) -%}
    {%- set as_of_expr = dbt.cast("'" ~ as_of_var ~ "'", 'date') if as_of_var else 'partition_date' -%}
    (
        select max({{ as_of_expr }})
        from (
            select partition_date from {{ ref('stg_eotinish__appeals') }}
            union all
            select partition_date from {{ ref('stg_eotinish__appeal_events') }}
        ) as export_days
    )
{%- endmacro %}

{#-
    fct_appeals' post-hook in an incremental run: the rows the run did not rebuild get the new
    as_of_date and what depends on it, computed as the model computes them (working days = index
    difference in int_working_days, null when a date is not in the calendar).
-#}
{% macro fct_appeals_refresh_as_of() -%}
    {%- if is_incremental() -%}
        update {{ this }} as stored
        set
            as_of_date = new_as_of.as_of_date,
            is_overdue_open = coalesce(stored.resolved_date is null and new_as_of.as_of_date > stored.deadline_date, false),
            working_days_open = case
                when stored.resolved_date is null then (
                    (select wd.working_day_index from {{ ref('int_working_days') }} as wd
                     where wd.calendar_date = new_as_of.as_of_date)
                    - (select wd.working_day_index from {{ ref('int_working_days') }} as wd
                       where wd.calendar_date = stored.start_date)
                )
            end
        from (select {{ appeals_as_of_date() }} as as_of_date) as new_as_of
        where stored.as_of_date is distinct from new_as_of.as_of_date
    {%- endif -%}
{%- endmacro %}
