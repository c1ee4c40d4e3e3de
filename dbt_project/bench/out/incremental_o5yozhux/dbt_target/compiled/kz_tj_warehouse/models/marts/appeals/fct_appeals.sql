-- Incremental by appeal on DuckDB (macros/appeals_increment.sql): a run rewrites the appeals
-- whose snapshot or events changed after its watermarks, the appeals stored open and every appeal
-- of their applicants; a post-hook moves every other row's as_of_date. Every appeal when the
-- working calendar changed.


-- One row per appeal (its latest snapshot) with its lifecycle, working-day SLA figures and flags,
-- as of the data's last day (latest export day of appeals or events, or var appeals_as_of_date).
with appeals as (
    select * from "warehouse"."intermediate"."int_appeals__current"
    where true
    and appeal_id in (
    with changed as (
        select appeal_id from "warehouse"."intermediate"."int_appeal_lifecycle"
        where
            _snapshots_loaded_at > cast('2026-12-05 03:14:30.578679' as timestamp)
            or _events_loaded_at > cast('2026-12-05 03:14:31.701001' as timestamp)
        union
        select appeal_id from "warehouse"."intermediate"."int_appeals__current"
        where _last_loaded_at > cast('2026-12-05 03:14:30.578679' as timestamp)
        union
        select appeal_id from "warehouse"."marts"."fct_appeals"
        where is_open
    ),

    applicants as (
        select applicant_key from "warehouse"."intermediate"."int_appeals__current"
        where appeal_id in (select appeal_id from changed)
        union
        select applicant_key from "warehouse"."marts"."fct_appeals"
        where appeal_id in (select appeal_id from changed)
    )

    select appeal_id from changed
    union
    select appeal_id from "warehouse"."intermediate"."int_appeals__current"
    where applicant_key in (select applicant_key from applicants))
),

-- No filter of its own: the inner join below keeps the rebuilt appeals' rows (the set is not
-- computed twice).
lifecycle as (
    select * from "warehouse"."intermediate"."int_appeal_lifecycle"
),

as_of as (
    select max(partition_date) as as_of_date
    from (
        select partition_date from "warehouse"."staging"."stg_eotinish__appeals"
        union all
        select partition_date from "warehouse"."staging"."stg_eotinish__appeal_events"
    ) as export_days
),

calendar as (
    select
        md5(string_agg(
    cast(calendar_date as TEXT)
 || case when is_working_day then ':1:' else ':0:' end || coalesce(
    cast(deadline_date as TEXT)
, ''), ',' order by calendar_date)) as version
    from "warehouse"."intermediate"."int_working_days"
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
        
    cast(lifecycle.answered_at as date)
 as answered_date,
        
    cast(coalesce(lifecycle.answered_at, lifecycle.withdrawn_at) as date)
 as resolved_date,
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
        (answer_wd.working_day_index - start_wd.working_day_index) as working_days_to_answer,
        (as_of_wd.working_day_index - start_wd.working_day_index) as working_days_since_start
    from joined
    left join "warehouse"."intermediate"."int_working_days" as start_wd
        on start_wd.calendar_date = 
    cast(joined.start_date as date)

    left join "warehouse"."intermediate"."int_working_days" as answer_wd
        on answer_wd.calendar_date = 
    cast(joined.answered_date as date)

    left join "warehouse"."intermediate"."int_working_days" as as_of_wd
        on as_of_wd.calendar_date = 
    cast(joined.as_of_date as date)

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
    
    cast(date_trunc('month', start_date) as date)
 as start_month,
    effective_deadline_date as deadline_date,
    deadline_date as reported_deadline_date,
    default_deadline_date,
    registered_at,
    assigned_at,
    first_prolonged_at,
    answered_at,
    answered_at_source,
    answered_date,
    
    cast(date_trunc('month', answered_date) as date)
 as answered_month,
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