-- A table, not a view: removing re-sends ranks every event, and three models and the tests read
-- the result (as a view each of them ranked every event again). Incremental by appeal on DuckDB
-- (macros/appeals_increment.sql): a run ranks again only the appeals the new loads touched.


-- One row per unique appeal history event. A re-sent event (same id in another file) is kept once:
-- the earliest received copy (earliest file day, then load, then file and row). copies_received
-- counts how many times the event arrived. event_seq and previous_state place the event in its
-- appeal's history (by event time, record time, id): computed once here, where the events are
-- written anyway, and not again in the lifecycle and the fact (each sort of 10M events ~15 s).
-- `nulls last` is explicit because Spark puts nulls first in an ascending order, DuckDB last.

-- every copy of every event of those appeals (all of them in a full run)
with source as (
    select * from "warehouse"."raw"."eotinish_appeal_events"
    where true
    and id in (select id from "warehouse"."raw"."eotinish_appeal_events" where appeal_id in (select appeal_id from "warehouse"."raw"."eotinish_appeal_events"
    where id in (
        select id from "warehouse"."raw"."eotinish_appeal_events"
        where _loaded_at > cast('2026-12-05 03:14:31.701001' as timestamp)
    )))
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
        
    cast(id as TEXT)
 as event_id,
        
    cast(appeal_id as TEXT)
 as appeal_id,
        type as event_type,
        state,
        working_state,
        
    cast(actor_org_id as integer)
 as actor_org_id,
        
    cast(target_org_id as integer)
 as target_org_id,
        actor_user_id,
        
    cast(date as timestamp)
 as event_at,
        
    cast(date as date)
 as event_date,
        
    cast(created_date as timestamp)
 as recorded_at,
        coalesce(is_late, 
    cast(date as date)
 < _partition_date) as is_late,
        
    cast(_partition_date as date)
 as partition_date,
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
    and appeal_id in (select appeal_id from "warehouse"."raw"."eotinish_appeal_events"
    where id in (
        select id from "warehouse"."raw"."eotinish_appeal_events"
        where _loaded_at > cast('2026-12-05 03:14:31.701001' as timestamp)
    ))
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
    ) as previous_state
from unique_events