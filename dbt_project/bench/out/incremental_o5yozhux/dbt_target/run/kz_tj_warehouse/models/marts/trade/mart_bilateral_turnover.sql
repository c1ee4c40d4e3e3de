
    

    create  table
      "warehouse"."marts"."mart_bilateral_turnover__dbt_tmp"
  
    
    as (
      -- KZ–TJ trade as each side reports it, at grains month, quarter, half_year, year, ytd and
-- rolling_12m: exports (X), imports (M), turnover (= X + M) and balance (= X - M), with
-- year-on-year change. Re-exports (RX) and re-imports (RM) are parts of X and M in Comtrade: shown
-- apart, with their share, never added again. One row per reporting side, grain and period end.
with side_periods as (
    select * from "warehouse"."intermediate"."int_trade__bilateral_by_side"
),

monthly as (
    select
        reporting_side,
        reporter_code,
        partner_code,
        period_date as month_start,
        ref_year as year,
        
    cast(extract(month from period_date) as integer)
 as month,
        
    cast(extract(year from period_date) as TEXT)
 || '-Q' || 
    cast(extract(quarter from period_date) as TEXT)
 as quarter_label,
        case when extract(month from period_date) <= 6 then 1 else 2 end as half_year,
        
    cast(extract(year from period_date) as TEXT)
 || case when extract(month from period_date) <= 6 then '-H1' else '-H2' end as half_year_label,
        exports_usd,
        imports_usd,
        re_exports_usd,
        re_imports_usd
    from side_periods
    where freq_code = 'M'
),

annual as (
    select
        reporting_side,
        reporter_code,
        partner_code,
        period_date as year_start,
        ref_year as year,
        exports_usd,
        imports_usd,
        re_exports_usd,
        re_imports_usd
    from side_periods
    where freq_code = 'A'
),

month_grain as (
    select
        reporting_side,
        reporter_code,
        partner_code,
        'month' as grain,
        
    cast(extract(year from month_start) as TEXT)
 || '-' || 

    right(
        '0' || 
    cast(extract(month from month_start) as TEXT)
,
        2
    ) as period_label,
        month_start as period_start,
        month_start as period_end_month,
        1 as months_covered,
        1 as months_expected,
        'monthly' as value_source,
        exports_usd,
        imports_usd,
        re_exports_usd,
        re_imports_usd
    from monthly
),

quarter_grain as (
    select
        reporting_side,
        reporter_code,
        partner_code,
        'quarter' as grain,
        quarter_label as period_label,
        
    cast(date_trunc('quarter', month_start) as date)
 as period_start,
        
    cast(

    (
    cast(date_trunc('quarter', month_start) as date)
 + cast(2 as bigint) * interval 1 month) as date)
 as period_end_month,
        count(*) as months_covered,
        3 as months_expected,
        'monthly_sum' as value_source,
        sum(exports_usd) as exports_usd,
        sum(imports_usd) as imports_usd,
        sum(re_exports_usd) as re_exports_usd,
        sum(re_imports_usd) as re_imports_usd
    from monthly
    group by
        reporting_side,
        reporter_code,
        partner_code,
        year,
        quarter_label,
        
    cast(date_trunc('quarter', month_start) as date)

),

half_year_grain as (
    select
        reporting_side,
        reporter_code,
        partner_code,
        'half_year' as grain,
        half_year_label as period_label,
        
    cast(

    (
    cast(date_trunc('year', month_start) as date)
 + cast((half_year - 1) * 6 as bigint) * interval 1 month) as date)
 as period_start,
        
    cast(

    (
    cast(date_trunc('year', month_start) as date)
 + cast((half_year - 1) * 6 + 5 as bigint) * interval 1 month) as date)
 as period_end_month,
        count(*) as months_covered,
        6 as months_expected,
        'monthly_sum' as value_source,
        sum(exports_usd) as exports_usd,
        sum(imports_usd) as imports_usd,
        sum(re_exports_usd) as re_exports_usd,
        sum(re_imports_usd) as re_imports_usd
    from monthly
    group by
        reporting_side,
        reporter_code,
        partner_code,
        year,
        half_year,
        half_year_label,
        
    cast(date_trunc('year', month_start) as date)

),

year_from_months as (
    select
        reporting_side,
        reporter_code,
        partner_code,
        year,
        count(*) as months_covered,
        sum(exports_usd) as exports_usd,
        sum(imports_usd) as imports_usd,
        sum(re_exports_usd) as re_exports_usd,
        sum(re_imports_usd) as re_imports_usd
    from monthly
    group by reporting_side, reporter_code, partner_code, year
),

-- The annual Comtrade release where it exists, else the sum of the months.
year_grain as (
    select
        reporting_side,
        reporter_code,
        partner_code,
        'year' as grain,
        
    cast(year as TEXT)
 as period_label,
        year_start as period_start,
        
    cast(

    (year_start + cast(11 as bigint) * interval 1 month) as date)
 as period_end_month,
        12 as months_covered,
        12 as months_expected,
        'annual' as value_source,
        exports_usd,
        imports_usd,
        re_exports_usd,
        re_imports_usd
    from annual
    union all
    select
        year_from_months.reporting_side,
        year_from_months.reporter_code,
        year_from_months.partner_code,
        'year' as grain,
        
    cast(year_from_months.year as TEXT)
 as period_label,
        
    cast(
    cast(year_from_months.year as TEXT)
 || '-01-01' as date)

            as period_start,
        
    cast(
    cast(year_from_months.year as TEXT)
 || '-12-01' as date)

            as period_end_month,
        year_from_months.months_covered,
        12 as months_expected,
        'monthly_sum' as value_source,
        year_from_months.exports_usd,
        year_from_months.imports_usd,
        year_from_months.re_exports_usd,
        year_from_months.re_imports_usd
    from year_from_months
    left join annual
        on
            year_from_months.reporting_side = annual.reporting_side
            and year_from_months.year = annual.year
    where annual.reporting_side is null
),

ytd_grain as (
    select
        month_end.reporting_side,
        month_end.reporter_code,
        month_end.partner_code,
        'ytd' as grain,
        
    cast(month_end.year as TEXT)
 || '-01..' || 
    cast(extract(year from month_end.month_start) as TEXT)
 || '-' || 

    right(
        '0' || 
    cast(extract(month from month_end.month_start) as TEXT)
,
        2
    ) as period_label,
        
    cast(date_trunc('year', month_end.month_start) as date)
 as period_start,
        month_end.month_start as period_end_month,
        count(*) as months_covered,
        month_end.month as months_expected,
        'monthly_sum' as value_source,
        sum(window_months.exports_usd) as exports_usd,
        sum(window_months.imports_usd) as imports_usd,
        sum(window_months.re_exports_usd) as re_exports_usd,
        sum(window_months.re_imports_usd) as re_imports_usd
    from monthly as month_end
    inner join monthly as window_months
        on
            month_end.reporting_side = window_months.reporting_side
            and month_end.year = window_months.year
            and month_end.month_start >= window_months.month_start
    group by
        month_end.reporting_side,
        month_end.reporter_code,
        month_end.partner_code,
        month_end.year,
        month_end.month,
        month_end.month_start
),

rolling_12m_grain as (
    select
        month_end.reporting_side,
        month_end.reporter_code,
        month_end.partner_code,
        'rolling_12m' as grain,
        
    cast(extract(year from 
    cast(

    (month_end.month_start + cast(-11 as bigint) * interval 1 month) as date)
) as TEXT)
 || '-' || 

    right(
        '0' || 
    cast(extract(month from 
    cast(

    (month_end.month_start + cast(-11 as bigint) * interval 1 month) as date)
) as TEXT)
,
        2
    ) || '..' || 
    cast(extract(year from month_end.month_start) as TEXT)
 || '-' || 

    right(
        '0' || 
    cast(extract(month from month_end.month_start) as TEXT)
,
        2
    ) as period_label,
        
    cast(

    (month_end.month_start + cast(-11 as bigint) * interval 1 month) as date)
 as period_start,
        month_end.month_start as period_end_month,
        count(*) as months_covered,
        12 as months_expected,
        'monthly_sum' as value_source,
        sum(window_months.exports_usd) as exports_usd,
        sum(window_months.imports_usd) as imports_usd,
        sum(window_months.re_exports_usd) as re_exports_usd,
        sum(window_months.re_imports_usd) as re_imports_usd
    from monthly as month_end
    inner join monthly as window_months
        on
            month_end.reporting_side = window_months.reporting_side
            and month_end.month_start >= window_months.month_start
            and window_months.month_start >= 
    cast(

    (month_end.month_start + cast(-11 as bigint) * interval 1 month) as date)

    group by
        month_end.reporting_side,
        month_end.reporter_code,
        month_end.partner_code,
        month_end.month_start
),

all_grains as (
    select * from month_grain
    union all
    select * from quarter_grain
    union all
    select * from half_year_grain
    union all
    select * from year_grain
    union all
    select * from ytd_grain
    union all
    select * from rolling_12m_grain
),

measured as (
    select
        *,
        exports_usd + imports_usd as turnover_usd,
        exports_usd - imports_usd as balance_usd,
        
    cast(re_exports_usd as double)
 / nullif(exports_usd, 0) * 100 as re_exports_share_pct,
        
    cast(re_imports_usd as double)
 / nullif(imports_usd, 0) * 100 as re_imports_share_pct,
        coalesce(months_covered = months_expected, false) as is_complete
    from all_grains
)

select
    current_period.reporting_side,
    current_period.reporter_code,
    current_period.partner_code,
    current_period.grain,
    current_period.period_label,
    current_period.period_start,
    
    cast(cast(
        

    (

    (date_trunc('month', current_period.period_end_month) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date)
 as period_end,
    current_period.period_end_month,
    
    cast(extract(year from current_period.period_end_month) as integer)
 as period_year,
    current_period.months_covered,
    current_period.months_expected,
    current_period.is_complete,
    current_period.value_source,
    current_period.exports_usd,
    current_period.imports_usd,
    current_period.re_exports_usd,
    current_period.re_imports_usd,
    current_period.re_exports_share_pct,
    current_period.re_imports_share_pct,
    current_period.turnover_usd,
    current_period.balance_usd,
    previous_period.exports_usd as exports_prev_year_usd,
    previous_period.imports_usd as imports_prev_year_usd,
    previous_period.turnover_usd as turnover_prev_year_usd,
    previous_period.balance_usd as balance_prev_year_usd,
    case
        when current_period.is_complete and previous_period.is_complete
            then
                
    cast(current_period.exports_usd - previous_period.exports_usd as double)

                / nullif(previous_period.exports_usd, 0) * 100
    end as exports_yoy_pct,
    case
        when current_period.is_complete and previous_period.is_complete
            then
                
    cast(current_period.imports_usd - previous_period.imports_usd as double)

                / nullif(previous_period.imports_usd, 0) * 100
    end as imports_yoy_pct,
    case
        when current_period.is_complete and previous_period.is_complete
            then
                
    cast(current_period.turnover_usd - previous_period.turnover_usd as double)

                / nullif(previous_period.turnover_usd, 0) * 100
    end as turnover_yoy_pct
from measured as current_period
left join measured as previous_period
    on
        current_period.reporting_side = previous_period.reporting_side
        and current_period.grain = previous_period.grain
        and previous_period.period_end_month = 
    cast(

    (current_period.period_end_month + cast(-12 as bigint) * interval 1 month) as date)

    );
    
  