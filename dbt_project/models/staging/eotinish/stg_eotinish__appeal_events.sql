-- A table, not a view: removing re-sends ranks every event, and three models and the tests read
-- the result (as a view each of them ranked every event again). Incremental by appeal on DuckDB
-- (macros/appeals_increment.sql): a run ranks again only the appeals the new loads touched.
{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='replace_appeals',
        on_schema_change='append_new_columns',
        meta={'appeals_watermarks': {'eotinish_appeal_events': '_last_loaded_at'}}
    )
}}
{%- set watermarks = appeals_watermarks() %}

-- One row per unique appeal history event. A re-sent event (same id in another file) is kept once:
-- the earliest received copy (earliest file day, then load, then file and row). copies_received
-- counts how many times the event arrived. event_seq and previous_state place the event in its
-- appeal's history (by event time, record time, id): computed once here, where the events are
-- written anyway, and not again in the lifecycle and the fact (each sort of 10M events ~15 s).
-- `nulls last` is explicit because Spark puts nulls first in an ascending order, DuckDB last.
{%- set raw_events = source('raw', 'eotinish_appeal_events') %}
{#- the appeals of the events with a copy loaded after the watermark (any copy: a re-send counts) #}
{%- set touched_appeals -%}
    select appeal_id from {{ raw_events }}
    where id in (
        select id from {{ raw_events }}
        where _loaded_at > {{ (watermarks or {}).get('eotinish_appeal_events') }}
    )
{%- endset %}
{%- set their_events = 'select id from ' ~ raw_events ~ ' where appeal_id in (' ~ touched_appeals ~ ')' %}

-- every copy of every event of those appeals (all of them in a full run)
with source as (
    select * from {{ raw_events }}
    where true
    {{- appeals_only_in(watermarks, their_events, column='id') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by id
            order by _partition_date, _loaded_at, _source_file, _source_row
        ) as copy_rank,
        count(*) over (partition by id) as copies_received,
        max(_loaded_at) over (partition by id) as last_copy_loaded_at
    from source
),

unique_events as (
    select
        {{ dbt.cast('id', dbt.type_string()) }} as event_id,
        {{ dbt.cast('appeal_id', dbt.type_string()) }} as appeal_id,
        type as event_type,
        state,
        working_state,
        {{ dbt.cast('actor_org_id', dbt.type_int()) }} as actor_org_id,
        {{ dbt.cast('target_org_id', dbt.type_int()) }} as target_org_id,
        actor_user_id,
        {{ dbt.cast('date', dbt.type_timestamp()) }} as event_at,
        {{ dbt.cast('date', 'date') }} as event_date,
        {{ dbt.cast('created_date', dbt.type_timestamp()) }} as recorded_at,
        coalesce(is_late, {{ dbt.cast('date', 'date') }} < _partition_date) as is_late,
        {{ dbt.cast('_partition_date', 'date') }} as partition_date,
        copies_received,
        _source_file,
        _source_row,
        _file_sha256,
        _load_id,
        _loaded_at,
        last_copy_loaded_at as _last_loaded_at
    from ranked
    -- (a kept copy can sit in an appeal the new rows did not touch: that appeal keeps its rows)
    where copy_rank = 1
    {{- appeals_only_in(watermarks, touched_appeals) }}
)

select
    *,
    row_number() over (
        partition by appeal_id
        order by event_at, recorded_at nulls last, event_id
    ) as event_seq,
    lag(state) over (
        partition by appeal_id
        order by event_at, recorded_at nulls last, event_id
    ) as previous_state,
    {{ built_at() }} as _built_at
from unique_events
