
    

    create  table
      "warehouse"."marts"."mart_trade_target_path__dbt_tmp"
  
    
    as (
      -- The straight path and the trend of each projected target version (mart_trade_target_versions:
-- deadline year not yet closed), year by year from the path's base year to the deadline year:
-- the turnover the straight path requires, the actual turnover of closed years and the trend
-- projection for the years after the latest closed one. One row per target, reporting side, year.
with versions as (
    select * from "warehouse"."marts"."mart_trade_target_versions"
    where is_projected and path_base_year is not null
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

offsets as (
    
    select
        generate_series as generated_number
    from generate_series(1, 30)

),

years as (
    select
        versions.*,
        -- an integer on both engines (Spark's generate_series numbers are doubles)
        
    cast(versions.path_base_year + offsets.generated_number - 1 as integer)
 as year
    from versions
    inner join offsets
        on versions.path_base_year + offsets.generated_number - 1 <= versions.deadline_year
)

select
    years.target_id,
    years.reporting_side,
    years.year,
    years.deadline_year,
    years.target_value_usd,
    years.path_base_turnover_usd
    + years.path_yearly_step_usd * (years.year - years.path_base_year) as path_required_usd,
    closed_years.turnover_usd as actual_usd,
    case
        when years.year > years.latest_closed_year
            then round(
                years.latest_closed_turnover_usd
                * power(1 + years.trend_cagr_pct / 100, years.year - years.latest_closed_year),
                0
            )
    end as trend_projection_usd,
    case
        when closed_years.turnover_usd is not null
            then
                closed_years.turnover_usd
                - (
                    years.path_base_turnover_usd
                    + years.path_yearly_step_usd * (years.year - years.path_base_year)
                )
    end as path_gap_usd
from years
left join closed_years
    on
        years.reporting_side = closed_years.reporting_side
        and years.year = closed_years.year
    );
    
  