{%- set deadline_days = var('appeals_deadline_working_days', 15) -%}

-- One row per calendar date with its working-day index: the one place working days are counted.
-- working days between two dates = difference of their indexes (see macros/working_days.sql).
with calendar as (
    select * from {{ ref('stg_ref__kz_working_calendar') }}
),

indexed as (
    select
        calendar_date,
        is_working_day,
        holiday_name,
        sum(case when is_working_day then 1 else 0 end) over (
            order by calendar_date
            rows between unbounded preceding and current row
        ) as working_day_index
    from calendar
),

working_dates as (
    select
        calendar_date as working_date,
        working_day_index
    from indexed
    where is_working_day
)

select
    indexed.calendar_date,
    indexed.is_working_day,
    indexed.holiday_name,
    indexed.working_day_index,
    next_working.working_date as next_working_date,
    deadline.working_date as deadline_date
from indexed
left join working_dates as next_working
    on next_working.working_day_index = indexed.working_day_index + 1
left join working_dates as deadline
    on deadline.working_day_index = indexed.working_day_index + {{ deadline_days }}
