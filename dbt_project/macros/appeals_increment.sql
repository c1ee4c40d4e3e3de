{#-
    The appeals chain (stg_eotinish__appeal_events, int_appeals__current, int_appeal_lifecycle,
    fct_appeal_events) is incremental by appeal on DuckDB; on Spark, whose Parquet tables take no
    delete, these models are tables and is_incremental() is false.

    Each row carries _last_loaded_at: the latest load time of the raw rows it was built from (every
    copy of an event, every snapshot of an appeal). A model's watermark is its largest
    _last_loaded_at. A run rebuilds every appeal with a row loaded after the watermark (a new event,
    a new copy of an event, a new snapshot), from all of that appeal's rows, and keeps the others.

    That is exact while the new loads are days after every day the model has seen: new rows then
    only add to the appeals they touch. A day loaded again (a corrected export) or a day older than
    the latest one seen (a late backfill) can remove rows or move a re-sent event's kept copy to
    another appeal, which the appeals the new rows touch do not show. The loads' records
    (meta.loads) tell, and the run then rebuilds every appeal. A change of the project's code or
    vars still needs --full-refresh, as for every incremental dbt model.
-#}

{#-
    The watermark as a SQL timestamp, or none when the run rebuilds every appeal: not an
    incremental run, a table built before _last_loaded_at existed or empty, or a day of one of
    `feeds` (meta.loads feed names) published after the watermark that is not after every day
    published before it. Asked of the database when the model is compiled, and again by the
    replace_appeals strategy (the same answer: the run has written nothing yet).
-#}
{% macro appeals_watermark(feeds) -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if '_last_loaded_at' not in adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set answer = run_query(
        "with watermark as (
            select max(_last_loaded_at) as loaded_at from " ~ this ~ "
        ),
        published as (
            select feed, partition_key, started_at
            from meta.loads
            where status = 'published' and feed in ('" ~ feeds | join("', '") ~ "')
        ),
        seen as (
            select feed, max(partition_key) as last_day
            from published
            where started_at <= (select loaded_at from watermark)
            group by feed
        )
        select
            strftime((select loaded_at from watermark), '%Y-%m-%d %H:%M:%S.%f') as watermark,
            exists (
                select 1
                from published
                inner join seen on published.feed = seen.feed
                where
                    published.started_at > (select loaded_at from watermark)
                    and published.partition_key <= seen.last_day
            ) as day_seen_again"
    ).rows[0] -%}
    {%- if answer[0] is none or answer[1] -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return("cast('" ~ answer[0] ~ "' as timestamp)") }}
{%- endmacro %}

{#-
    `and appeal_id in (the appeals to rebuild)` for an incremental run, nothing for a full one.
    `touched` is a query of appeal ids.
-#}
{% macro appeals_only_in(watermark, touched, column='appeal_id') -%}
    {%- if watermark is not none %}
    and {{ column }} in ({{ touched }})
    {%- endif -%}
{%- endmacro %}

{#-
    The appeals whose rows in the given relations (with appeal_id and _last_loaded_at) changed
    after the watermark.
-#}
{% macro appeals_changed_after(watermark, relations) -%}
    {%- for relation in relations %}
    select appeal_id from {{ relation }} where _last_loaded_at > {{ watermark }}
    {{ 'union' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#-
    Incremental strategy replace_appeals: delete the stored rows of the appeals the run rebuilt,
    then insert what it built; every stored row when it rebuilt every appeal. The model names the
    feeds it reads in meta.appeals_feeds.
-#}
{% macro get_incremental_replace_appeals_sql(arg_dict) -%}
    {%- if appeals_watermark(config.get('meta')['appeals_feeds']) is none -%}
    delete from {{ arg_dict['target_relation'] }};
    {%- else -%}
    delete from {{ arg_dict['target_relation'] }}
    where appeal_id in (select appeal_id from {{ arg_dict['temp_relation'] }});
    {%- endif %}
    {{ get_incremental_append_sql(arg_dict) }}
{%- endmacro %}
