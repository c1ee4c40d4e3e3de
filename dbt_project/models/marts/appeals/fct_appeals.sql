-- Incremental by appeal on DuckDB (macros/appeals_increment.sql): a run rewrites the appeals
-- whose snapshot or events changed after its watermarks and every appeal of their applicants;
-- post-hooks move the other rows' as_of_date and the open ones' age and overdue flag. Every
-- appeal when the working calendar changed.
{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='replace_appeals',
        on_schema_change='append_new_columns',
        meta={
            'appeals_watermarks': {
                'eotinish_appeals': '_snapshots_loaded_at',
                'eotinish_appeal_events': '_events_loaded_at'
            },
            'appeals_working_calendar': '_working_calendar_version'
        },
        post_hook=["{{ open_appeals_aged() }}", "{{ appeals_as_of_date_moved() }}"]
    )
}}
{%- set watermarks = appeals_watermarks() %}
{%- set rebuilt = appeals_fact_rebuilds(watermarks) %}

-- One row per appeal (its latest snapshot) with its lifecycle, working-day SLA figures and flags,
-- as of the data's last day (latest export day of appeals or events, or var appeals_as_of_date).
with appeals as (
    select * from {{ ref('int_appeals__current') }}
    where true
    {{- appeals_only_in(watermarks, rebuilt) }}
),

-- No filter of its own: the inner join below keeps the rebuilt appeals' rows (the set is not
-- computed twice).
lifecycle as (
    select * from {{ ref('int_appeal_lifecycle') }}
),

as_of as (
    {{ appeals_as_of_date() }}
),

calendar as (
    {{ working_calendar_version() }}
),

joined as (
    select
        appeals.*,
        lifecycle.registered_at,
        lifecycle.assigned_at,
        lifecycle.first_prolonged_at,
        lifecycle.answered_at,
        lifecycle.answered_at_source,
        lifecycle.closed_at,
        lifecycle.reopened_at,
        lifecycle.withdrawn_at,
        lifecycle.reopen_count,
        lifecycle.prolong_count as prolong_event_count,
        lifecycle.event_count,
        lifecycle.late_event_count,
        lifecycle._snapshots_loaded_at,
        lifecycle._events_loaded_at,
        {{ dbt.cast('lifecycle.answered_at', 'date') }} as answered_date,
        {{ dbt.cast('coalesce(lifecycle.answered_at, lifecycle.withdrawn_at)', 'date') }} as resolved_date,
        as_of.as_of_date,
        calendar.version as _working_calendar_version,
        row_number() over (
            partition by appeals.applicant_key
            order by appeals.started_at, appeals.appeal_id
        ) as applicant_appeal_seq
    from appeals
    inner join lifecycle
        on appeals.appeal_id = lifecycle.appeal_id
    cross join as_of
    cross join calendar
),

timed as (
    select
        joined.*,
        start_wd.deadline_date as default_deadline_date,
        coalesce(joined.deadline_date, start_wd.deadline_date) as effective_deadline_date,
        {{ working_days_between('start_wd', 'answer_wd') }} as working_days_to_answer,
        {{ working_days_between('start_wd', 'as_of_wd') }} as working_days_since_start
    from joined
    {{ working_day_join('start_wd', 'joined.start_date') }}
    {{ working_day_join('answer_wd', 'joined.answered_date') }}
    {{ working_day_join('as_of_wd', 'joined.as_of_date') }}
)

select
    appeal_id,
    reg_number,
    executive_org_id,
    receiving_org_id,
    region_kato_2digit,
    location_kato,
    category_id,
    subcategory_id,
    appeal_type,
    channel,
    appeal_form,
    appeal_character,
    language_code,
    applicant_key,
    current_state,
    current_working_state,
    started_at,
    start_date,
    {{ dbt.cast(dbt.date_trunc('month', 'start_date'), 'date') }} as start_month,
    effective_deadline_date as deadline_date,
    deadline_date as reported_deadline_date,
    default_deadline_date,
    registered_at,
    assigned_at,
    first_prolonged_at,
    answered_at,
    answered_at_source,
    answered_date,
    {{ dbt.cast(dbt.date_trunc('month', 'answered_date'), 'date') }} as answered_month,
    closed_at,
    reopened_at,
    withdrawn_at,
    resolved_date,
    prolong_count,
    prolong_days,
    prolong_event_count,
    reopen_count,
    event_count,
    late_event_count,
    snapshot_count,
    working_days_to_answer,
    case
        when answered_date is null then null
        else answered_date <= effective_deadline_date
    end as answered_on_time,
    resolved_date is null as is_open,
    coalesce(resolved_date is null and as_of_date > effective_deadline_date, false) as is_overdue_open,
    case when resolved_date is null then working_days_since_start end as working_days_open,
    applicant_key is not null and applicant_appeal_seq > 1 as is_repeat_applicant,
    coalesce(appeal_type = 'COMPLAINT', false) or complaint_exist as is_complaint,
    complaint_exist,
    is_duplicate_of is not null as is_duplicate,
    is_duplicate_of,
    has_lawsuit,
    as_of_date,
    modified_at,
    partition_date as last_partition_date,
    first_partition_date,
    _snapshots_loaded_at,
    _events_loaded_at,
    _working_calendar_version
from timed
