
    

    create  table
      "warehouse"."marts"."mart_commitment_progress__dbt_tmp"
  
    
    as (
      -- Each bilateral commitment with its latest measured value, progress and status, and the events
-- that made or reaffirmed it. The status rule is documented in _bilateral__models.yml; all of it
-- lives in this model so that the unit tests cover it.
--   trade_turnover_usd: the latest complete rolling 12 months of mart_bilateral_turnover as
--     Kazakhstan reports it (the primary measure); Tajikistan's figure is shown beside it.
--   specialists_trained, agreements_signed: the latest value in stg_bilateral__indicator_values.
-- var bilateral_as_of_date ('YYYY-MM-DD', default: today) is the day a deadline is judged against.

with commitments as (
    select * from "warehouse"."staging"."stg_bilateral__commitments"
),

events as (
    select * from "warehouse"."staging"."stg_bilateral__events"
),

commitment_events as (
    select * from "warehouse"."intermediate"."int_bilateral__commitment_events"
),

indicator_values as (
    select * from "warehouse"."staging"."stg_bilateral__indicator_values"
),

rolling_turnover as (
    select
        reporting_side,
        period_label,
        period_end,
        turnover_usd,
        row_number() over (partition by reporting_side order by period_end desc) as recency
    from "warehouse"."marts"."mart_bilateral_turnover"
    where grain = 'rolling_12m' and is_complete
),

trade_measure as (
    select
        'trade_turnover_usd' as indicator,
        
    cast(kz_side.turnover_usd as double)
 as measured_value,
        kz_side.period_end as measured_date,
        kz_side.period_label as measured_period_label,
        
    cast(tj_side.turnover_usd as double)
 as tj_side_measured_value,
        tj_side.period_label as tj_side_period_label
    from rolling_turnover as kz_side
    left join rolling_turnover as tj_side
        on tj_side.reporting_side = 'TJ' and tj_side.recency = 1
    where kz_side.reporting_side = 'KZ' and kz_side.recency = 1
),

latest_values as (
    select
        commitment_id,
        measured_value,
        measured_date,
        row_number() over (partition by commitment_id order by measured_date desc) as recency
    from indicator_values
),

event_lists as (
    select
        commitment_id,
        count(*) as event_count,
        count(case when event_role = 'reaffirmed' then 1 end) as reaffirmation_count,
        max(case when event_role = 'reaffirmed' then event_date end) as last_reaffirmed_date,
        string_agg(
    cast(event_date as TEXT)
 || ' ' || event_title || ' (' || event_role || ')', '; ' order by event_date, event_role, event_id) as events_label
    from commitment_events
    group by commitment_id
),

measured as (
    select
        commitments.*,
        made.event_date as made_at_event_date,
        made.event_title as made_at_event_title,
        case
            when commitments.indicator = 'trade_turnover_usd' then trade_measure.measured_value
            else latest_values.measured_value
        end as measured_value,
        case
            when commitments.indicator = 'trade_turnover_usd' then trade_measure.measured_date
            else latest_values.measured_date
        end as measured_date,
        case
            when commitments.indicator = 'trade_turnover_usd' and trade_measure.measured_value is not null
                then 'mart_bilateral_turnover: KZ, rolling 12 months ' || trade_measure.measured_period_label
            when latest_values.measured_value is not null then 'indicator_values'
        end as measure_source,
        trade_measure.tj_side_measured_value,
        trade_measure.tj_side_period_label,
        coalesce(commitments.baseline_value, 0) as path_baseline_value,
        coalesce(commitments.baseline_date, made.event_date) as path_baseline_date
    from commitments
    inner join events as made on commitments.event_id = made.event_id
    left join trade_measure on commitments.indicator = trade_measure.indicator
    left join latest_values
        on
            commitments.commitment_id = latest_values.commitment_id
            and latest_values.recency = 1
            and commitments.indicator != 'trade_turnover_usd'
),

with_path as (
    select
        *,
        current_date as as_of_date,
        -- The linear path from the baseline (at its date) to the target (at the deadline), read
        -- at the date of the latest measurement; before the baseline date it is the baseline.
        case
            when target_value is not null and deadline_date is not null and measured_date is not null
                then path_baseline_value + (target_value - path_baseline_value) * least(
                    1.0,
                    greatest(
                        0.0,
                        
    cast(
        (date_diff('day', path_baseline_date::timestamp, measured_date::timestamp ))
     as double)

                        / nullif(
        (date_diff('day', path_baseline_date::timestamp, deadline_date::timestamp ))
    , 0)
                    )
                )
        end as path_value_at_measurement
    from measured
)

select
    with_path.commitment_id,
    with_path.commitment_title,
    with_path.indicator,
    with_path.unit,
    with_path.target_value,
    with_path.baseline_value,
    with_path.baseline_date,
    with_path.path_baseline_value,
    with_path.path_baseline_date,
    with_path.deadline_date,
    with_path.deadline_is_assumed,
    with_path.measured_value,
    with_path.measured_date,
    with_path.measure_source,
    with_path.tj_side_measured_value,
    with_path.tj_side_period_label,
    round(with_path.measured_value / with_path.target_value * 100, 2) as progress_pct,
    with_path.target_value - with_path.measured_value as gap_to_target,
    with_path.path_value_at_measurement,
    with_path.measured_value - with_path.path_value_at_measurement as ahead_of_path,
    with_path.as_of_date,
    case
        when with_path.indicator is null then coalesce(with_path.status_override, 'no indicator')
        when with_path.measured_value is null then 'not measured'
        when with_path.target_value is null then 'no target'
        when with_path.measured_value >= with_path.target_value then 'met'
        when with_path.deadline_date < with_path.as_of_date then 'missed'
        when with_path.measured_value >= with_path.path_value_at_measurement then 'on track'
        else 'at risk'
    end as status,
    with_path.status_override is not null and with_path.indicator is null as status_is_reviewed,
    with_path.status_note,
    with_path.event_id as made_at_event_id,
    with_path.made_at_event_date,
    with_path.made_at_event_title,
    with_path.reaffirmed_by_event_ids,
    event_lists.reaffirmation_count,
    event_lists.last_reaffirmed_date,
    event_lists.event_count,
    event_lists.events_label,
    with_path.responsible_parties_label as responsible_parties,
    with_path.source_url,
    with_path.source_note
from with_path
left join event_lists on with_path.commitment_id = event_lists.commitment_id
    );
    
  