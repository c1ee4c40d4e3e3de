
    

    create  table
      "warehouse"."marts"."mart_appeals_daily__dbt_tmp"
  
    
    as (
      -- Daily series for every calendar day from the first appeal's start to as_of_date: appeals filed,
-- answered (first answer), resolved (answered or withdrawn), open at the end of the day (filed on or
-- before the day and not resolved by its end) and overdue open (open and past the deadline), for all
-- appeals (breakdown 'total', region null) and per region of the appeal (breakdown 'region'; region
-- null = unknown location). Open counts are running sums of +1 on filing and -1 on resolution.
with appeals as (
    select
        region_kato_2digit,
        start_date,
        answered_date,
        -- never resolved before filed, never overdue before the deadline has passed
        case when resolved_date < start_date then start_date else resolved_date end as resolved_date,
        
    cast(

    (deadline_date + cast(1 as bigint) * interval 1 day) as date)
 as overdue_from_date,
        as_of_date
    from "warehouse"."marts"."fct_appeals"
),

bounds as (
    select
        min(start_date) as first_date,
        max(as_of_date) as as_of_date
    from appeals
),

days as (
    select calendar.calendar_date
    from "warehouse"."intermediate"."int_working_days" as calendar
    inner join bounds
        on calendar.calendar_date between bounds.first_date and bounds.as_of_date
),

breakdowns as (
    select
        'total' as breakdown,
        
    cast(null as TEXT)
 as region_kato_2digit
    union all
    select distinct
        'region' as breakdown,
        region_kato_2digit
    from appeals
),

-- +1/-1 movements per appeal (filed, answered, resolved, overdue start and end)
movements as (
    select
        region_kato_2digit,
        start_date as calendar_date,
        1 as filed,
        0 as answered,
        0 as resolved,
        1 as open_delta,
        0 as overdue_delta
    from appeals
    union all
    select
        region_kato_2digit,
        answered_date as calendar_date,
        0 as filed,
        1 as answered,
        0 as resolved,
        0 as open_delta,
        0 as overdue_delta
    from appeals
    where answered_date is not null
    union all
    select
        region_kato_2digit,
        resolved_date as calendar_date,
        0 as filed,
        0 as answered,
        1 as resolved,
        -1 as open_delta,
        0 as overdue_delta
    from appeals
    where resolved_date is not null
    union all
    select
        region_kato_2digit,
        overdue_from_date as calendar_date,
        0 as filed,
        0 as answered,
        0 as resolved,
        0 as open_delta,
        1 as overdue_delta
    from appeals
    where overdue_from_date is not null and (resolved_date is null or resolved_date > overdue_from_date)
    union all
    select
        region_kato_2digit,
        resolved_date as calendar_date,
        0 as filed,
        0 as answered,
        0 as resolved,
        0 as open_delta,
        -1 as overdue_delta
    from appeals
    where resolved_date is not null and overdue_from_date is not null and resolved_date > overdue_from_date
),

movements_by_breakdown as (
    select
        'total' as breakdown,
        
    cast(null as TEXT)
 as region_kato_2digit,
        calendar_date,
        filed,
        answered,
        resolved,
        open_delta,
        overdue_delta
    from movements
    union all
    select
        'region' as breakdown,
        region_kato_2digit,
        calendar_date,
        filed,
        answered,
        resolved,
        open_delta,
        overdue_delta
    from movements
    union all
    -- one empty row per day and breakdown so that every day is present
    select
        breakdowns.breakdown,
        breakdowns.region_kato_2digit,
        days.calendar_date,
        0 as filed,
        0 as answered,
        0 as resolved,
        0 as open_delta,
        0 as overdue_delta
    from days
    cross join breakdowns
),

daily as (
    select
        breakdown,
        region_kato_2digit,
        calendar_date,
        sum(filed) as filed_count,
        sum(answered) as answered_count,
        sum(resolved) as resolved_count,
        sum(open_delta) as open_delta,
        sum(overdue_delta) as overdue_delta
    from movements_by_breakdown
    group by breakdown, region_kato_2digit, calendar_date
),

running as (
    select
        breakdown,
        region_kato_2digit,
        calendar_date,
        filed_count,
        answered_count,
        resolved_count,
        sum(open_delta) over (
            partition by breakdown, region_kato_2digit
            order by calendar_date
            rows between unbounded preceding and current row
        ) as open_count,
        sum(overdue_delta) over (
            partition by breakdown, region_kato_2digit
            order by calendar_date
            rows between unbounded preceding and current row
        ) as overdue_open_count
    from daily
)

select running.*
from running
inner join bounds
    on running.calendar_date between bounds.first_date and bounds.as_of_date
    );
    
  