-- One row per parcel history event with the parcel's state before and after it: a state interval
-- [state_valid_from, state_valid_to) per event. A parcel starts HELD (with its holder, nothing
-- open); NOTICE_ISSUED puts it UNDER_NOTICE; WITHDRAWN (returned to the state), REDISTRIBUTED
-- (to a new holder) and BACK_IN_USE (the holder started using it after a notice) are states named
-- after their events. Events are ordered by event_date, then the lifecycle order of their type
-- (a notice before a withdrawal before a redistribution on the same day), then recorded_at and
-- event_id, whatever file and order they arrived in. The state of a parcel on a date d is the
-- row with state_valid_from <= d < state_valid_to (state_valid_to null = still current); before
-- its first event a parcel is HELD.
with events as (
    select * from {{ ref('stg_land__parcel_events') }}
),

parcels as (
    select
        cadastral_number,
        area_ha as parcel_area_ha
    from {{ ref('int_land_parcels__current') }}
),

sequenced as (
    select
        events.*,
        case events.event_type
            when 'NOTICE_ISSUED' then 'UNDER_NOTICE'
            else events.event_type
        end as state,
        row_number() over (
            partition by events.cadastral_number
            order by
                events.event_date,
                case events.event_type
                    when 'NOTICE_ISSUED' then 1
                    when 'WITHDRAWN' then 2
                    when 'BACK_IN_USE' then 2
                    when 'REDISTRIBUTED' then 3
                end,
                events.recorded_at,
                events.event_id
        ) as event_seq
    from events
),

neighbours as (
    select
        *,
        lag(state) over (partition by cadastral_number order by event_seq) as lag_state,
        lag(event_date) over (
            partition by cadastral_number order by event_seq
        ) as previous_event_date,
        lead(event_type) over (
            partition by cadastral_number order by event_seq
        ) as next_event_type,
        lead(state) over (partition by cadastral_number order by event_seq) as next_state,
        lead(event_date) over (partition by cadastral_number order by event_seq) as next_event_date,
        count(*) over (partition by cadastral_number) as parcel_event_count
    from sequenced
),

with_previous as (
    select
        *,
        coalesce(lag_state, 'HELD') as previous_state
    from neighbours
)

select
    with_previous.cadastral_number,
    with_previous.event_id,
    with_previous.event_seq,
    with_previous.parcel_event_count,
    with_previous.event_type,
    with_previous.event_date,
    with_previous.recorded_at,
    with_previous.reason,
    with_previous.channel,
    with_previous.new_holder_type,
    coalesce(with_previous.area_ha, parcels.parcel_area_ha) as area_ha,
    parcels.parcel_area_ha,
    coalesce(
        with_previous.area_ha < parcels.parcel_area_ha - 0.005, false
    ) as is_partial,
    with_previous.previous_state,
    with_previous.state,
    with_previous.next_state,
    with_previous.next_event_type,
    with_previous.previous_event_date,
    {{ dbt.datediff('with_previous.previous_event_date', 'with_previous.event_date', 'day') }}
        as days_since_previous_event,
    with_previous.event_date as state_valid_from,
    with_previous.next_event_date as state_valid_to,
    with_previous.next_event_date is null as is_current_state,
    (
        (with_previous.previous_state = 'HELD' and with_previous.event_type = 'NOTICE_ISSUED')
        or (
            with_previous.previous_state = 'UNDER_NOTICE'
            and with_previous.event_type in ('WITHDRAWN', 'BACK_IN_USE')
        )
        or (with_previous.previous_state = 'WITHDRAWN' and with_previous.event_type = 'REDISTRIBUTED')
        or (
            with_previous.previous_state in ('BACK_IN_USE', 'REDISTRIBUTED')
            and with_previous.event_type = 'NOTICE_ISSUED'
        )
    ) as is_expected_transition
from with_previous
left join parcels
    on with_previous.cadastral_number = parcels.cadastral_number
