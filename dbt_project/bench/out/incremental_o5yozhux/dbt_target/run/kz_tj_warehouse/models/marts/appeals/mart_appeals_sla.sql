
    

    create  table
      "warehouse"."marts"."mart_appeals_sla__dbt_tmp"
  
    
    as (
      -- SLA by executing agency, region, category and month. Receipts (received, repeat, complaint) count
-- by the month the appeal started; answers (answered, on time, working days to answer) by the month
-- of the first answer; backlog and overdue appeals are those still open at the end of the month
-- (at as_of_date for the current month). Only combinations with any activity or backlog have rows.
with appeals as (
    select * from "warehouse"."marts"."fct_appeals"
),

bounds as (
    select
        min(start_date) as first_date,
        max(as_of_date) as as_of_date
    from appeals
),

months as (
    select distinct
        
    cast(date_trunc('month', calendar.calendar_date) as date)
 as month_start
    from "warehouse"."intermediate"."int_working_days" as calendar
    inner join bounds
        on calendar.calendar_date between bounds.first_date and bounds.as_of_date
),

month_ends as (
    select
        months.month_start,
        case
            when 
    cast(cast(
        

    (

    (date_trunc('month', months.month_start) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date)
 < bounds.as_of_date
                then 
    cast(cast(
        

    (

    (date_trunc('month', months.month_start) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date)

            else bounds.as_of_date
        end as period_end_date
    from months
    cross join bounds
),

received as (
    select
        executive_org_id,
        region_kato_2digit,
        category_id,
        start_month as month_start,
        count(*) as received_count,
        sum(case when is_repeat_applicant then 1 else 0 end) as repeat_count,
        sum(case when is_complaint then 1 else 0 end) as complaint_count,
        0 as answered_count,
        0 as answered_on_time_count,
        
    cast(null as float)
 as median_working_days_to_answer,
        
    cast(null as float)
 as p90_working_days_to_answer,
        0 as open_backlog_count,
        0 as overdue_open_count
    from appeals
    group by executive_org_id, region_kato_2digit, category_id, start_month
),

answered as (
    select
        executive_org_id,
        region_kato_2digit,
        category_id,
        answered_month as month_start,
        0 as received_count,
        0 as repeat_count,
        0 as complaint_count,
        count(*) as answered_count,
        sum(case when answered_on_time then 1 else 0 end) as answered_on_time_count,
        percentile_cont(0.5) within group (order by working_days_to_answer) as median_working_days_to_answer,
        percentile_cont(0.9) within group (order by working_days_to_answer) as p90_working_days_to_answer,
        0 as open_backlog_count,
        0 as overdue_open_count
    from appeals
    where answered_date is not null
    group by executive_org_id, region_kato_2digit, category_id, answered_month
),

backlog as (
    select
        appeals.executive_org_id,
        appeals.region_kato_2digit,
        appeals.category_id,
        month_ends.month_start,
        0 as received_count,
        0 as repeat_count,
        0 as complaint_count,
        0 as answered_count,
        0 as answered_on_time_count,
        
    cast(null as float)
 as median_working_days_to_answer,
        
    cast(null as float)
 as p90_working_days_to_answer,
        count(*) as open_backlog_count,
        sum(
            case when appeals.deadline_date < month_ends.period_end_date then 1 else 0 end
        ) as overdue_open_count
    from appeals
    inner join month_ends
        on
            appeals.start_date <= month_ends.period_end_date
            and (appeals.resolved_date is null or appeals.resolved_date > month_ends.period_end_date)
    group by appeals.executive_org_id, appeals.region_kato_2digit, appeals.category_id, month_ends.month_start
),

combined as (
    select * from received
    union all
    select * from answered
    union all
    select * from backlog
),

aggregated as (
    select
        executive_org_id,
        region_kato_2digit,
        category_id,
        month_start,
        sum(received_count) as received_count,
        sum(answered_count) as answered_count,
        sum(answered_on_time_count) as answered_on_time_count,
        max(median_working_days_to_answer) as median_working_days_to_answer,
        max(p90_working_days_to_answer) as p90_working_days_to_answer,
        sum(open_backlog_count) as open_backlog_count,
        sum(overdue_open_count) as overdue_open_count,
        sum(repeat_count) as repeat_count,
        sum(complaint_count) as complaint_count
    from combined
    group by executive_org_id, region_kato_2digit, category_id, month_start
)

select
    executive_org_id,
    region_kato_2digit,
    category_id,
    month_start,
    
    cast(cast(
        

    (

    (date_trunc('month', month_start) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date)
 as month_end,
    received_count,
    answered_count,
    answered_on_time_count,
    
    cast(answered_on_time_count as double)
 / nullif(answered_count, 0) as on_time_rate,
    median_working_days_to_answer,
    p90_working_days_to_answer,
    open_backlog_count,
    overdue_open_count,
    repeat_count,
    
    cast(repeat_count as double)
 / nullif(received_count, 0) as repeat_rate,
    complaint_count,
    
    cast(complaint_count as double)
 / nullif(received_count, 0) as complaint_rate
from aggregated
    );
    
  