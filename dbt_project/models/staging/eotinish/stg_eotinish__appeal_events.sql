{{
    config(
        materialized=('view' if target.type == 'spark' else 'incremental'),
        incremental_strategy='replace_appeals',
        on_schema_change='fail'
    )
}}
{#-
    A table on DuckDB, incremental by appeal (macros/appeals_incremental.sql): the facts, the
    lifecycle and a dozen tests read it, and as a view each of them ranked every copy of every
    event again. An incremental run ranks all copies of the events of the appeals touched by the
    new loads. On Spark a view, as before (its Parquet tables take no delete).
-#}

-- One row per unique appeal history event. A re-sent event (same id in another file) is kept once:
-- the earliest received copy (earliest file day, then load, then file and row). copies_received
-- counts how many times the event arrived.
with source as (
    select copies.* from {{ source('raw', 'eotinish_appeal_events') }} as copies
    {% if is_incremental() %}
        -- every copy of every event that has a copy naming a touched appeal
        where copies.id in (
            select naming.id from {{ source('raw', 'eotinish_appeal_events') }} as naming
            where {{ appeals_window(dbt.cast('naming.appeal_id', dbt.type_string())) }}
        )
    {% endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by id
            order by _partition_date, _loaded_at, _source_file, _source_row
        ) as copy_rank,
        count(*) over (partition by id) as copies_received
    from source
)

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
    _loaded_at
from ranked
where
    copy_rank = 1
    {% if is_incremental() %}
        -- the kept copy's appeal is the one the event counts under (and is deleted by)
        and {{ appeals_window(dbt.cast('appeal_id', dbt.type_string())) }}
    {% endif %}
