-- The events behind each commitment: the one where it was made (role 'made') and every event that
-- reaffirmed it (role 'reaffirmed'), one row per commitment and event. The reaffirming events are
-- a list in the source, expanded by macro unnest_list (DuckDB unnest, Spark explode).
with commitments as (
    select * from {{ ref('stg_bilateral__commitments') }}
),

events as (
    select * from {{ ref('stg_bilateral__events') }}
),

made as (
    select
        commitment_id,
        event_id,
        'made' as event_role
    from commitments
),

reaffirmed as (
    select
        commitment_id,
        {{ unnest_list('reaffirmed_by_event_ids') }} as event_id,
        'reaffirmed' as event_role
    from commitments
),

linked as (
    select * from made
    union all
    select * from reaffirmed
)

select
    linked.commitment_id,
    linked.event_id,
    linked.event_role,
    events.event_date,
    events.event_type,
    events.event_title
from linked
inner join events on linked.event_id = events.event_id
