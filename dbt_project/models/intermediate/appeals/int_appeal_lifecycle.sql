-- A table, not a view: it aggregates every event of every appeal, and the facts and a dozen tests
-- read it (as a view each of them recomputed it: 14-19 s per test at 10M events). Incremental by
-- appeal on DuckDB (macros/appeals_increment.sql): a run recomputes the appeals whose snapshot or
-- events changed after its watermarks.
{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='replace_appeals',
        on_schema_change='append_new_columns',
        meta={
            'appeals_watermarks': {
                'eotinish_appeals': '_snapshots_loaded_at',
                'eotinish_appeal_events': '_events_loaded_at'
            }
        }
    )
}}
{%- set watermarks = appeals_watermarks() %}
{%- set touched = appeals_changed_in_chain(watermarks) %}

-- One row per appeal with the time it entered each state, computed from its events ordered by
-- event time (then record time, then id) regardless of the file they came in, of lateness and of
-- re-sends (stg_eotinish__appeal_events holds each event once). A state counts as entered when an
-- event's state differs from the previous event's, so comments made while in a state do not count.
with appeals as (
    select
        appeal_id,
        started_at,
        finished_at,
        modified_at,
        current_state,
        _last_loaded_at
    from {{ ref('int_appeals__current') }}
    where true
    {{- appeals_only_in(watermarks, touched) }}
),

-- previous_state and event_seq come with the events: their order is taken once, in staging.
events as (
    select
        appeal_id,
        event_type,
        state,
        previous_state,
        event_seq,
        event_at,
        is_late,
        _last_loaded_at
    from {{ ref('stg_eotinish__appeal_events') }}
    where true
    {{- appeals_only_in(watermarks, touched) }}
),

flagged as (
    select
        *,
        coalesce(previous_state, '') <> state as is_state_change,
        event_type = 'PROLONG'
        or (state = 'PROLONGED' and coalesce(previous_state, '') <> 'PROLONGED') as is_prolongation,
        event_type = 'REOPEN'
        or (state = 'REOPENED' and coalesce(previous_state, '') <> 'REOPENED') as is_reopening,
        event_type = 'ANSWER'
        or (state = 'ANSWERED' and coalesce(previous_state, '') <> 'ANSWERED') as is_answer
    from events
),

per_appeal as (
    select
        appeal_id,
        count(*) as event_count,
        sum(case when is_late then 1 else 0 end) as late_event_count,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at,
        min(case when state = 'CREATED' then event_at end) as created_event_at,
        min(case when event_type = 'FORWARD' or state = 'ASSIGNED' then event_at end) as assigned_at,
        min(case when is_prolongation then event_at end) as first_prolonged_at,
        sum(case when is_prolongation then 1 else 0 end) as prolong_count,
        min(case when is_answer then event_at end) as first_answered_event_at,
        sum(case when is_answer then 1 else 0 end) as answer_count,
        max(case when state = 'CLOSED' and is_state_change then event_at end) as closed_at,
        min(case when is_reopening then event_at end) as first_reopened_at,
        sum(case when is_reopening then 1 else 0 end) as reopen_count,
        min(case when state = 'WITHDRAWN' then event_at end) as withdrawn_event_at,
        -- state is never null: the feed's GX suite quarantines an event without one (max_by would
        -- skip a null on DuckDB and return it on Spark)
        max_by(state, event_seq) as last_event_state,
        max(_last_loaded_at) as events_last_loaded_at
    from flagged
    group by appeal_id
)

select
    appeals.appeal_id,
    coalesce(per_appeal.created_event_at, appeals.started_at) as registered_at,
    per_appeal.assigned_at,
    per_appeal.first_prolonged_at,
    coalesce(per_appeal.first_answered_event_at, appeals.finished_at) as answered_at,
    case
        when per_appeal.first_answered_event_at is not null then 'event'
        when appeals.finished_at is not null then 'finish_date'
    end as answered_at_source,
    per_appeal.closed_at,
    per_appeal.first_reopened_at as reopened_at,
    coalesce(
        per_appeal.withdrawn_event_at,
        case when appeals.current_state = 'WITHDRAWN' then appeals.modified_at end
    ) as withdrawn_at,
    coalesce(per_appeal.reopen_count, 0) as reopen_count,
    coalesce(per_appeal.prolong_count, 0) as prolong_count,
    coalesce(per_appeal.answer_count, 0) as answer_count,
    coalesce(per_appeal.event_count, 0) as event_count,
    coalesce(per_appeal.late_event_count, 0) as late_event_count,
    per_appeal.first_event_at,
    per_appeal.last_event_at,
    per_appeal.last_event_state,
    appeals._last_loaded_at as _snapshots_loaded_at,
    per_appeal.events_last_loaded_at as _events_loaded_at,
    {{ built_at() }} as _built_at
from appeals
left join per_appeal
    on appeals.appeal_id = per_appeal.appeal_id
