-- Each published aggregate (raw.trade_reference) beside the warehouse's own figure for the same
-- reporting side, measure and period window, with the difference in USD and percent. The
-- warehouse figure is the annual release for a full calendar year where it exists, else the sum
-- of the monthly values when every month of the window is present (partial sums are shown apart).
with reference as (
    select * from "warehouse"."staging"."stg_comtrade__trade_reference"
),

side_periods as (
    select * from "warehouse"."intermediate"."int_trade__bilateral_by_side"
),

-- The measures of the reference file expressed as the side's own view of the two flows: exports
-- are X, imports M and turnover X + M, as the published figures define them.
side_values as (
    select
        reporting_side,
        freq_code,
        period_date,
        ref_year,
        turnover_usd,
        case when reporting_side = 'KZ' then exports_usd else imports_usd end as kz_to_tj_usd,
        case when reporting_side = 'KZ' then imports_usd else exports_usd end as tj_to_kz_usd
    from side_periods
),

reference_mapped as (
    select
        *,
        case
            when measure = 'turnover' then 'turnover'
            when measure in ('export_kz_to_tj', 'import_tj_from_kz') then 'kz_to_tj'
            when measure in ('export_tj_to_kz', 'import_kz_from_tj') then 'tj_to_kz'
        end as warehouse_measure
    from reference
),

matched as (
    select
        reference_mapped.reference_id,
        side_values.freq_code,
        case
            when reference_mapped.warehouse_measure = 'turnover' then side_values.turnover_usd
            when reference_mapped.warehouse_measure = 'kz_to_tj' then side_values.kz_to_tj_usd
            when reference_mapped.warehouse_measure = 'tj_to_kz' then side_values.tj_to_kz_usd
        end as value_usd
    from reference_mapped
    inner join side_values
        on
            reference_mapped.reporting_side = side_values.reporting_side
            and reference_mapped.period_start <= side_values.period_date
            and reference_mapped.period_end >= side_values.period_date
            and (
                side_values.freq_code = 'M'
                or (
                    reference_mapped.months_in_window = 12
                    and extract(month from reference_mapped.period_start) = 1
                )
            )
),

window_values as (
    select
        reference_id,
        sum(case when freq_code = 'M' then value_usd end) as monthly_sum_usd,
        count(case when freq_code = 'M' then value_usd end) as months_covered,
        max(case when freq_code = 'A' then value_usd end) as annual_value_usd
    from matched
    group by reference_id
),

compared as (
    select
        reference_mapped.*,
        coalesce(window_values.months_covered, 0) as months_covered,
        window_values.monthly_sum_usd as warehouse_monthly_sum_usd,
        window_values.annual_value_usd as warehouse_annual_value_usd,
        case
            when window_values.annual_value_usd is not null then 'annual'
            when window_values.months_covered = reference_mapped.months_in_window then 'monthly_sum'
        end as warehouse_value_source,
        coalesce(
            window_values.annual_value_usd,
            case
                when window_values.months_covered = reference_mapped.months_in_window
                    then window_values.monthly_sum_usd
            end
        ) as warehouse_value_usd
    from reference_mapped
    left join window_values
        on reference_mapped.reference_id = window_values.reference_id
)

select
    reference_id,
    period_label,
    period_type,
    period_start,
    period_end,
    months_in_window,
    reporting_side,
    measure,
    warehouse_measure,
    value_musd as published_value_musd,
    value_usd as published_value_usd,
    yoy_pct as published_yoy_pct,
    is_derived,
    confidence,
    source_url,
    source_date,
    note,
    warehouse_value_source,
    warehouse_value_usd,
    
    cast(warehouse_value_usd as double)
 / 1000000 as warehouse_value_musd,
    warehouse_annual_value_usd,
    warehouse_monthly_sum_usd,
    months_covered,
    warehouse_value_usd - value_usd as difference_usd,
    (warehouse_value_usd - value_usd) / nullif(value_usd, 0) * 100 as difference_pct
from compared