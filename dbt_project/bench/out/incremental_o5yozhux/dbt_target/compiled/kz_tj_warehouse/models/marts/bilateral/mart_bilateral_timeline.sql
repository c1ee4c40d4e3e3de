-- Bilateral events in date order with KZ–TJ trade turnover in the months around each: the sum of
-- the N calendar months before the event's month and of the N months after it (the event's own
-- month is in neither, and shown apart), and the change in percent when both windows are complete.
-- Turnover is the monthly grain of mart_bilateral_turnover as Kazakhstan reports it.
-- var bilateral_timeline_window_months: N (default 6).

with events as (
    select * from "warehouse"."staging"."stg_bilateral__events"
),

commitments as (
    select * from "warehouse"."intermediate"."int_bilateral__commitment_events"
),

monthly as (
    select
        period_start as month_start,
        turnover_usd
    from "warehouse"."marts"."mart_bilateral_turnover"
    where grain = 'month' and reporting_side = 'KZ'
),

event_months as (
    select
        *,
        
    cast(date_trunc('month', event_date) as date)
 as event_month
    from events
),

windows as (
    select
        event_months.event_id,
        count(case when monthly.month_start < event_months.event_month then 1 end) as months_before_covered,
        sum(case when monthly.month_start < event_months.event_month then monthly.turnover_usd end)
            as turnover_before_usd,
        max(case when monthly.month_start = event_months.event_month then monthly.turnover_usd end)
            as turnover_event_month_usd,
        count(case when monthly.month_start > event_months.event_month then 1 end) as months_after_covered,
        sum(case when monthly.month_start > event_months.event_month then monthly.turnover_usd end)
            as turnover_after_usd
    from event_months
    left join monthly
        on
            monthly.month_start >= 
    cast(

    (event_months.event_month + cast(-6 as bigint) * interval 1 month) as date)

            and monthly.month_start <= 
    cast(

    (event_months.event_month + cast(6 as bigint) * interval 1 month) as date)

    group by event_months.event_id
),

commitment_counts as (
    select
        event_id,
        count(case when event_role = 'made' then 1 end) as commitments_made,
        count(case when event_role = 'reaffirmed' then 1 end) as commitments_reaffirmed
    from commitments
    group by event_id
)

select
    row_number() over (order by event_months.event_date, event_months.event_id) as event_sequence,
    event_months.event_id,
    event_months.event_date,
    event_months.event_type,
    event_months.event_title,
    event_months.parties_label,
    event_months.place,
    event_months.summary,
    event_months.source_url,
    event_months.confidence,
    coalesce(commitment_counts.commitments_made, 0) as commitments_made,
    coalesce(commitment_counts.commitments_reaffirmed, 0) as commitments_reaffirmed,
    'KZ' as reporting_side,
    6 as window_months,
    event_months.event_month,
    
    cast(

    (event_months.event_month + cast(-6 as bigint) * interval 1 month) as date)
 as before_window_start,
    
    cast(cast(
        

    (

    (date_trunc('month', 
    cast(

    (event_months.event_month + cast(-1 as bigint) * interval 1 month) as date)
) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date)
 as before_window_end,
    
    cast(

    (event_months.event_month + cast(1 as bigint) * interval 1 month) as date)
 as after_window_start,
    
    cast(cast(
        

    (

    (date_trunc('month', 
    cast(

    (event_months.event_month + cast(6 as bigint) * interval 1 month) as date)
) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date)
 as after_window_end,
    windows.months_before_covered,
    windows.turnover_before_usd,
    windows.turnover_event_month_usd,
    windows.months_after_covered,
    windows.turnover_after_usd,
    case
        when
            windows.months_before_covered = 6
            and windows.months_after_covered = 6
            then round(
                
    cast(windows.turnover_after_usd - windows.turnover_before_usd as double)

                / nullif(windows.turnover_before_usd, 0) * 100, 2
            )
    end as turnover_change_pct
from event_months
inner join windows on event_months.event_id = windows.event_id
left join commitment_counts on event_months.event_id = commitment_counts.event_id