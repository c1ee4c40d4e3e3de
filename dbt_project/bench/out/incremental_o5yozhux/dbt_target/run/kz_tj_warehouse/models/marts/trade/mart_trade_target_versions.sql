
    

    create  table
      "warehouse"."marts"."mart_trade_target_versions__dbt_tmp"
  
    
    as (
      -- Each stated version of the USD 2 billion KZ–TJ turnover target (seed bilateral_target_versions)
-- measured against each reporting side's turnover (X + M, mart_bilateral_turnover, closed years):
--   a version whose deadline year is closed in the data: met | missed from that year's turnover;
--   a version whose deadline year is not closed: 'deadline year not closed', with two projections
--     to the deadline year: the straight path (linear from the actual of the last year closed when
--     the version was stated to the target in the deadline year, read at the latest closed year)
--     and the trend (CAGR of the last trend_years closed years, extrapolated to the deadline year);
--   a version without a deadline: 'no deadline' (progress only).
-- One row per target version and reporting side. All arithmetic lives here for the unit tests.

with versions as (
    select * from "warehouse"."marts"."bilateral_target_versions"
    where measure = 'turnover'
),

closed_years as (
    
    select
        reporting_side,
        
    cast(extract(year from period_start) as integer)
 as year,
        turnover_usd
    from "warehouse"."marts"."mart_bilateral_turnover"
    where grain = 'year' and is_complete

),

sides as (
    select
        reporting_side,
        max(year) as latest_closed_year
    from closed_years
    group by reporting_side
),

combined as (
    select
        versions.target_id,
        versions.stated_on,
        versions.stated_at,
        versions.stated_by,
        versions.instrument,
        versions.measure,
        versions.target_value_musd,
        versions.target_value_musd * 1000000 as target_value_usd,
        versions.deadline,
        versions.deadline_basis,
        versions.source_url,
        
    cast(extract(year from versions.deadline) as integer)
 as deadline_year,
        
    cast(extract(year from versions.stated_on) as integer)
 - 1 as path_base_year,
        sides.reporting_side,
        sides.latest_closed_year
    from versions
    cross join sides
),

measured as (
    select
        combined.*,
        deadline_values.turnover_usd as deadline_year_turnover_usd,
        latest_values.turnover_usd as latest_closed_turnover_usd,
        base_values.turnover_usd as path_base_turnover_usd,
        trend_values.year as trend_base_year,
        trend_values.turnover_usd as trend_base_turnover_usd
    from combined
    left join closed_years as deadline_values
        on
            combined.reporting_side = deadline_values.reporting_side
            and combined.deadline_year = deadline_values.year
    left join closed_years as latest_values
        on
            combined.reporting_side = latest_values.reporting_side
            and combined.latest_closed_year = latest_values.year
    left join closed_years as base_values
        on
            combined.reporting_side = base_values.reporting_side
            and combined.path_base_year = base_values.year
    left join closed_years as trend_values
        on
            combined.reporting_side = trend_values.reporting_side
            and combined.latest_closed_year - 3 = trend_values.year
),

projected as (
    select
        *,
        -- Projections only for a version whose deadline year is after the latest closed year.
        coalesce(deadline_year > latest_closed_year, false) as is_projected,
        case
            when
                deadline_year > path_base_year
                and latest_closed_year between path_base_year and deadline_year
                then
                    path_base_turnover_usd
                    + (target_value_usd - path_base_turnover_usd)
                    * (latest_closed_year - path_base_year) / (deadline_year - path_base_year)
        end as path_required_latest_usd,
        -- The exponent as a double: Spark divides 1.0 by the literal 3 in decimals, to 6 places.
        case
            when trend_base_turnover_usd > 0 and latest_closed_turnover_usd > 0
                then power(
                    latest_closed_turnover_usd / trend_base_turnover_usd,
                    1 / cast(3 as double)
                ) - 1
        end as trend_cagr
    from measured
)

select
    target_id,
    reporting_side,
    stated_on,
    stated_at,
    stated_by,
    instrument,
    measure,
    target_value_musd,
    target_value_usd,
    deadline,
    deadline_year,
    deadline_basis,
    source_url,
    latest_closed_year,
    latest_closed_turnover_usd,
    round(latest_closed_turnover_usd / target_value_usd * 100, 2) as progress_latest_closed_pct,
    deadline_year_turnover_usd is not null as is_deadline_year_closed,
    deadline_year_turnover_usd,
    case
        when deadline is null then 'no deadline'
        when deadline_year_turnover_usd is null then 'deadline year not closed'
        when deadline_year_turnover_usd >= target_value_usd then 'met'
        else 'missed'
    end as verdict,
    round(deadline_year_turnover_usd / target_value_usd * 100, 2) as deadline_year_achieved_pct,
    target_value_usd - deadline_year_turnover_usd as deadline_year_gap_usd,
    is_projected,
    case when is_projected then path_base_year end as path_base_year,
    case when is_projected then path_base_turnover_usd end as path_base_turnover_usd,
    case
        when is_projected
            then (target_value_usd - path_base_turnover_usd) / (deadline_year - path_base_year)
    end as path_yearly_step_usd,
    case when is_projected then path_required_latest_usd end as path_required_latest_usd,
    case
        when is_projected then latest_closed_turnover_usd - path_required_latest_usd
    end as path_gap_latest_usd,
    case
        when is_projected and path_required_latest_usd is not null
            then latest_closed_turnover_usd >= path_required_latest_usd
    end as is_on_straight_path,
    case
        when is_projected and latest_closed_turnover_usd > 0
            then round(
                (
                    power(
                        target_value_usd / latest_closed_turnover_usd,
                        1.0 / (deadline_year - latest_closed_year)
                    )
                    - 1
                )
                * 100,
                4
            )
    end as required_cagr_pct,
    3 as trend_years,
    case when is_projected then trend_base_year end as trend_base_year,
    case when is_projected then trend_base_turnover_usd end as trend_base_turnover_usd,
    case when is_projected then round(trend_cagr * 100, 4) end as trend_cagr_pct,
    case
        when is_projected
            then
                round(
                    latest_closed_turnover_usd * power(1 + trend_cagr, deadline_year - latest_closed_year), 0
                )
    end as trend_projection_usd,
    case
        when is_projected
            then round(
                latest_closed_turnover_usd * power(1 + trend_cagr, deadline_year - latest_closed_year)
                / target_value_usd * 100,
                2
            )
    end as trend_projection_pct,
    case
        when is_projected and trend_cagr is not null
            then
                latest_closed_turnover_usd * power(1 + trend_cagr, deadline_year - latest_closed_year)
                >= target_value_usd
    end as is_trend_reaching_target
from projected
    );
    
  