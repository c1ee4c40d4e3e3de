{#-
    The appeals chain (stg_eotinish__appeal_events, int_appeals__current, int_appeal_lifecycle,
    fct_appeal_events, fct_appeals) is incremental by appeal on DuckDB; on Spark, whose Parquet
    tables take no delete, these models are tables and is_incremental() is false.

    Each row carries, per feed it was built from, the latest load time of that feed's raw rows
    behind it (every copy of an event, every snapshot of an appeal). The model names those columns
    in its config (meta.appeals_watermarks: feed -> column); a feed's watermark is its column's
    largest value. A run rebuilds every appeal with a row of a feed loaded after that feed's
    watermark (a new event, a new copy of an event, a new snapshot), from all of the appeal's rows,
    and keeps the others. One watermark per feed, not one for both: a model run while one of its
    upstream models lagged behind its feed would otherwise take the other feed's later time as
    its own and never see the lagging rows.

    That is exact while each feed's new days come after every day of it the model has seen: new
    rows then only add to the appeals they name. A day published again (a corrected export) can
    remove an appeal's rows, and a day older than those seen (a late backfill) can move a re-sent
    event's kept copy to another appeal; the strategy below deletes only the appeals it built rows
    for, and a downstream model only sees the appeal that gained rows. The loads' records
    (meta.loads) tell, and the run then rebuilds every appeal. A change of the project's code
    still needs --full-refresh, as for every incremental dbt model. fct_appeals also keeps
    working-day figures: it stores the working calendar's version and rebuilds every appeal when
    the calendar (or var appeals_deadline_working_days) changes.
-#}

{#-
    {feed: its watermark as a SQL timestamp} for an incremental run, or none when the run
    rebuilds every appeal: not an incremental run; a table without rows, or built before the
    columns existed (without them when the model is compiled; with them, null on every row, when
    the strategy asks again: the materialization adds them in between); a day of a feed
    published by a load after the feed's watermark that is not after every day of it published by
    loads at or before the watermark; or, for a model that names a column in
    meta.appeals_working_calendar, a row built on another working calendar than today's
    (working_calendar_version). Asked of the database when the model is compiled, and again
    by the replace_appeals strategy: the same answer, as the run has written nothing yet and a
    built row has at least one of the columns set.
-#}
{% macro appeals_watermarks() -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set columns = config.get('meta')['appeals_watermarks'] -%}
    {%- set calendar_column = config.get('meta').get('appeals_working_calendar') -%}
    {%- set stored = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- for column in (columns.values() | list) + ([calendar_column] if calendar_column else [])
        if column not in stored -%}
        {{ return(none) }}
    {%- endfor -%}
    {%- set query -%}
        with
        {%- if calendar_column %}
        calendar as (
            {{ working_calendar_version() }}
        ),
        {%- endif %}
        watermarks as (
            {%- for feed, column in columns.items() %}
            select
                '{{ feed }}' as feed,
                max({{ column }}) as loaded_at,
                count(*) as stored_rows,
                count(*) filter (where {{ columns.values() | join(' is null and ') }} is null) as rows_before_columns,
                {%- if calendar_column %}
                count(*) filter (
                    where {{ calendar_column }} is distinct from (select version from calendar)
                ) as rows_of_another_calendar
                {%- else %}
                0 as rows_of_another_calendar
                {%- endif %}
            from {{ this }}
            {{ 'union all' if not loop.last }}
            {%- endfor %}
        ),
        published as (
            select feed, partition_key, started_at
            from meta.loads
            where status = 'published' and feed in (select feed from watermarks)
        ),
        seen as (
            select published.feed, max(published.partition_key) as last_day
            from published
            inner join watermarks on published.feed = watermarks.feed
            where published.started_at <= watermarks.loaded_at
            group by published.feed
        )
        select
            watermarks.feed,
            strftime(
                coalesce(watermarks.loaded_at, timestamp '0001-01-01'), '%Y-%m-%d %H:%M:%S.%f'
            ) as watermark,
            watermarks.stored_rows,
            watermarks.rows_before_columns + watermarks.rows_of_another_calendar as rows_to_rebuild,
            exists (
                select 1
                from published
                inner join seen on published.feed = seen.feed
                where
                    published.feed = watermarks.feed
                    and published.started_at > watermarks.loaded_at
                    and published.partition_key <= seen.last_day
            ) as day_seen_again
        from watermarks
    {%- endset -%}
    {%- set watermarks = {} -%}
    {%- for feed, watermark, stored_rows, rows_to_rebuild, day_seen_again in run_query(query).rows -%}
        {%- if stored_rows == 0 or rows_to_rebuild > 0 or day_seen_again -%}
            {{ return(none) }}
        {%- endif -%}
        {%- do watermarks.update({feed: "cast('" ~ watermark ~ "' as timestamp)"}) -%}
    {%- endfor -%}
    {{ return(watermarks) }}
{%- endmacro %}

{#-
    `and appeal_id in (the appeals to rebuild)` for an incremental run, nothing for a full one.
    `touched` is a query of appeal ids; `bounds`, if given, is appeal_id_bounds' predicate on
    appeal_id (so only with the default `column`).
-#}
{% macro appeals_only_in(watermarks, touched, column='appeal_id', bounds='') -%}
    {%- if watermarks is not none %}
    and {{ column }} in ({{ touched }})
    {{- bounds }}
    {%- endif -%}
{%- endmacro %}

{#-
    `and appeal_id between <the least> and <the greatest>` of the appeal ids `touched` gives, asked
    of the database when the model is compiled (an incremental run; nothing otherwise), for
    appeals_only_in's `bounds`. It implies nothing the `in` does not, but DuckDB compares constants
    with each row group's least and greatest value and skips the row groups outside. eOtinish
    appeal ids begin with their registration day (YYMMDD, then a counter) and a raw table is in
    load order, so the row groups of appeals registered before the earliest one touched are not
    read (int_appeals__current at 10M events: 15 of 57 row groups of the snapshots; its query on
    a copy of the warehouse 0.53 -> 0.22 s, its statement in bench_incremental's increment 0.63 ->
    0.28 s). Only for a scan of a raw table (the chain's own tables are in no such order:
    the bounds cost a comparison per row there, and fct_appeal_events took 0.58 -> 0.98 s), and a
    `touched` that is cheap to ask twice. No appeal touched: `and false`, as the `in` would give.
-#}
{% macro appeal_id_bounds(watermarks, touched) -%}
    {%- if watermarks is not none and execute -%}
        {%- set least, greatest = run_query(
            'select min(appeal_id), max(appeal_id) from (' ~ touched ~ ') as touched (appeal_id)'
        ).rows[0] -%}
        {%- if least is none %}
    and false
        {%- else %}
    and appeal_id between {{ appeal_id_literal(least) }} and {{ appeal_id_literal(greatest) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro appeal_id_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{#-
    The appeals with a row loaded after its feed's watermark in the chain's two upstream models
    (their _last_loaded_at is that feed's load time): what the lifecycle and fct_appeal_events
    rebuild.
-#}
{% macro appeals_changed_in_chain(watermarks) -%}
    {%- if watermarks is not none %}
    select appeal_id from {{ ref('int_appeals__current') }}
    where _last_loaded_at > {{ watermarks['eotinish_appeals'] }}
    union
    select appeal_id from {{ ref('stg_eotinish__appeal_events') }}
    where _last_loaded_at > {{ watermarks['eotinish_appeal_events'] }}
    {%- endif -%}
{%- endmacro %}

{#-
    Incremental strategy replace_appeals: delete the stored rows of the appeals the run rebuilt,
    then insert what it built; every stored row when it rebuilt every appeal.
-#}
{% macro get_incremental_replace_appeals_sql(arg_dict) -%}
    {%- if appeals_watermarks() is none -%}
    delete from {{ arg_dict['target_relation'] }};
    {%- else -%}
    delete from {{ arg_dict['target_relation'] }}
    where appeal_id in (select appeal_id from {{ arg_dict['temp_relation'] }});
    {%- endif %}
    {{ get_incremental_append_sql(arg_dict) }}
{%- endmacro %}

{#-
    What fct_appeals rebuilds on an incremental run: the appeals whose lifecycle row or current
    snapshot changed after its watermarks (a new snapshot or event; the snapshot also while the
    lifecycle lags behind, as the fact reads both); then every appeal of their applicants, under
    the old applicant_key or the new: an appeal's place among its applicant's appeals
    (is_repeat_applicant) is counted over the rebuilt ones, so they must all be there. On the
    other rows only the figures that move with as_of_date change, in place: an open appeal's age
    and overdue flag (open_appeals_aged), every row's as_of_date (appeals_as_of_date_moved).
-#}
{% macro appeals_fact_rebuilds(watermarks) -%}
    {%- if watermarks is not none %}
    with changed as (
        select appeal_id from {{ ref('int_appeal_lifecycle') }}
        where
            _snapshots_loaded_at > {{ watermarks['eotinish_appeals'] }}
            or _events_loaded_at > {{ watermarks['eotinish_appeal_events'] }}
        union
        select appeal_id from {{ ref('int_appeals__current') }}
        where _last_loaded_at > {{ watermarks['eotinish_appeals'] }}
    ),

    applicants as (
        select applicant_key from {{ ref('int_appeals__current') }}
        where appeal_id in (select appeal_id from changed)
        union
        select applicant_key from {{ this }}
        where appeal_id in (select appeal_id from changed)
    )

    select appeal_id from changed
    union
    select appeal_id from {{ ref('int_appeals__current') }}
    where applicant_key in (select applicant_key from applicants)
    {%- endif -%}
{%- endmacro %}

{#- The data's last day: the latest export day of appeals or events, or var appeals_as_of_date. -#}
{% macro appeals_as_of_date() -%}
    {%- set as_of_var = var('appeals_as_of_date', none) -%}
    select max({{ dbt.cast("'" ~ as_of_var ~ "'", 'date') if as_of_var else 'partition_date' }}) as as_of_date
    from (
        select partition_date from {{ ref('stg_eotinish__appeals') }}
        union all
        select partition_date from {{ ref('stg_eotinish__appeal_events') }}
    ) as export_days
{%- endmacro %}

{#-
    fct_appeals' first post-hook: after an incremental run, the open appeals it did not rebuild
    take their age and overdue flag as of the new as_of_date (as the model computes them), and
    that date. An update of these rows' three columns, not a rebuild of every open appeal each day.
-#}
{% macro open_appeals_aged() -%}
    {%- if is_incremental() %}
    update {{ this }} as fact
    set
        as_of_date = aged.as_of_date,
        working_days_open = aged.working_days_open,
        is_overdue_open = aged.is_overdue_open
    from (
        select
            open_appeals.appeal_id,
            latest.as_of_date,
            {{ working_days_between('start_wd', 'as_of_wd') }} as working_days_open,
            coalesce(latest.as_of_date > open_appeals.deadline_date, false) as is_overdue_open
        from {{ this }} as open_appeals
        cross join ({{ appeals_as_of_date() }}) as latest
        {{ working_day_join('start_wd', 'open_appeals.start_date') }}
        {{ working_day_join('as_of_wd', 'latest.as_of_date') }}
        where open_appeals.is_open and open_appeals.as_of_date is distinct from latest.as_of_date
    ) as aged
    where fact.appeal_id = aged.appeal_id
    {%- endif -%}
{%- endmacro %}

{#-
    fct_appeals' second post-hook: after an incremental run, the rows it did not rebuild take the new
    as_of_date (even when it rebuilt none: a new day of events of appeals without a snapshot moves
    it too).
-#}
{% macro appeals_as_of_date_moved() -%}
    {%- if is_incremental() %}
    update {{ this }} as fact
    set as_of_date = latest.as_of_date
    from ({{ appeals_as_of_date() }}) as latest
    where fact.as_of_date is distinct from latest.as_of_date
    {%- endif -%}
{%- endmacro %}
