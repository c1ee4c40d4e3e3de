
    

    create  table
      "warehouse"."marts"."mart_trade_target_progress__dbt_tmp"
  
    
    as (
      -- Progress of each reporting side's KZ–TJ turnover (X + M) towards the bilateral targets (seed
-- bilateral_targets): latest full year and latest rolling 12 months vs target, gap, the compound
-- yearly growth needed to reach the target by the deadline, and the year the trailing trend (CAGR
-- over the last 3 full years) would reach it. One row per target and reporting side.
-- All target arithmetic lives in this model so that it is covered by unit tests.

with targets as (
    select * from "warehouse"."marts"."bilateral_targets"
    where measure = 'turnover'
),

turnover as (
    select * from "warehouse"."marts"."mart_bilateral_turnover"
    where is_complete
),

full_years as (
    select
        reporting_side,
        
    cast(extract(year from period_start) as integer)
 as year,
        turnover_usd
    from turnover
    where grain = 'year'
),

latest_full_year as (
    select
        reporting_side,
        max(year) as latest_year
    from full_years
    group by reporting_side
),

latest_rolling_end as (
    select
        reporting_side,
        max(period_end) as latest_period_end
    from turnover
    where grain = 'rolling_12m'
    group by reporting_side
),

latest_rolling as (
    select
        turnover.reporting_side,
        turnover.period_label,
        turnover.period_end,
        turnover.turnover_usd
    from turnover
    inner join latest_rolling_end
        on
            turnover.reporting_side = latest_rolling_end.reporting_side
            and turnover.period_end = latest_rolling_end.latest_period_end
    where turnover.grain = 'rolling_12m'
),

inputs as (
    select
        latest_full_year.reporting_side,
        latest_full_year.latest_year as latest_full_year,
        latest_values.turnover_usd as latest_full_year_turnover_usd,
        base_values.year as trend_base_year,
        base_values.turnover_usd as trend_base_turnover_usd,
        latest_rolling.period_label as latest_rolling_12m_label,
        latest_rolling.period_end as latest_rolling_12m_end,
        latest_rolling.turnover_usd as latest_rolling_12m_turnover_usd
    from latest_full_year
    inner join full_years as latest_values
        on
            latest_full_year.reporting_side = latest_values.reporting_side
            and latest_full_year.latest_year = latest_values.year
    left join full_years as base_values
        on
            latest_full_year.reporting_side = base_values.reporting_side
            and base_values.year = latest_full_year.latest_year - 3
    left join latest_rolling
        on latest_full_year.reporting_side = latest_rolling.reporting_side
),

combined as (
    select
        targets.target_id,
        targets.target_name,
        targets.measure,
        targets.target_value_musd,
        targets.target_value_musd * 1000000 as target_value_usd,
        targets.set_date,
        targets.baseline_period,
        targets.baseline_value_musd,
        targets.baseline_annualised_musd,
        targets.deadline_date,
        targets.deadline_is_assumed,
        targets.note as target_note,
        
    cast(extract(year from targets.deadline_date) as integer)
 as deadline_year,
        inputs.*
    from targets
    cross join inputs
),

growth as (
    select
        *,
        deadline_year - latest_full_year as years_to_deadline,
        -- The exponent as a double: Spark divides 1.0 by the literal 3 in decimals, to 6 places.
        case
            when trend_base_turnover_usd > 0 and latest_full_year_turnover_usd > 0
                then power(
                    latest_full_year_turnover_usd / trend_base_turnover_usd,
                    1 / cast(3 as double)
                ) - 1
        end as trend_cagr
    from combined
)

select
    target_id,
    target_name,
    reporting_side,
    measure,
    target_value_musd,
    target_value_usd,
    set_date,
    baseline_period,
    baseline_value_musd,
    baseline_annualised_musd,
    deadline_date,
    deadline_year,
    deadline_is_assumed,
    target_note,
    latest_full_year,
    latest_full_year_turnover_usd,
    latest_rolling_12m_label,
    latest_rolling_12m_end,
    latest_rolling_12m_turnover_usd,
    trend_base_year,
    trend_base_turnover_usd,
    years_to_deadline,
    round(latest_full_year_turnover_usd / target_value_usd * 100, 2) as progress_full_year_pct,
    round(latest_rolling_12m_turnover_usd / target_value_usd * 100, 2) as progress_rolling_12m_pct,
    target_value_usd - latest_full_year_turnover_usd as gap_full_year_usd,
    target_value_usd - latest_rolling_12m_turnover_usd as gap_rolling_12m_usd,
    case
        when latest_full_year_turnover_usd >= target_value_usd then 0
        when years_to_deadline > 0 and latest_full_year_turnover_usd > 0
            then round(
                (
                    power(target_value_usd / latest_full_year_turnover_usd, 1.0 / years_to_deadline) - 1
                ) * 100,
                4
            )
    end as required_cagr_pct,
    round(trend_cagr * 100, 4) as trend_cagr_pct,
    case
        when latest_full_year_turnover_usd >= target_value_usd then latest_full_year
        when trend_cagr > 0
            then latest_full_year + 
    cast(ceil(ln(target_value_usd / latest_full_year_turnover_usd) / ln(1 + trend_cagr)) as integer)

    end as trend_target_year,
    case
        when latest_full_year_turnover_usd >= target_value_usd then true
        when trend_cagr > 0
            then latest_full_year + 
    cast(ceil(ln(target_value_usd / latest_full_year_turnover_usd) / ln(1 + trend_cagr)) as integer)
 <= deadline_year
        else false
    end as is_on_track
from growth
    );
    
  