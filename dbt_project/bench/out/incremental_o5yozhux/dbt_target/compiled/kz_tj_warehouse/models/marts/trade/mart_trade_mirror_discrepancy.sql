-- Each KZ–TJ flow as the exporter reports it (X, FOB) beside the same flow as the importer reports
-- it (M, CIF), by month and by year, with the gap in USD and percent of the exporter's figure.
-- Year rows use the annual releases where both sides published one, else the sum of the months
-- (an annual figure from one side beside monthly sums from the other would not compare like with
-- like).

with pairs as (
    select * from "warehouse"."intermediate"."int_trade__mirror_pairs"
),

month_grain as (
    select
        flow_pair,
        exporter_code,
        importer_code,
        'month' as grain,
        period,
        period_date as period_start,
        
    cast(cast(
        

    (

    (date_trunc('month', period_date) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date)
 as period_end,
        ref_year,
        'monthly' as value_source,
        case when exporter_reported_usd is not null then 1 else 0 end as exporter_months,
        case when importer_reported_usd is not null then 1 else 0 end as importer_months,
        1 as months_expected,
        exporter_reported_usd,
        importer_reported_usd
    from pairs
    where freq_code = 'M'
),

annual_grain as (
    select
        flow_pair,
        exporter_code,
        importer_code,
        'year' as grain,
        period,
        period_date as period_start,
        
    cast(cast(
        

    (

    (date_trunc('month', 
    cast(

    (period_date + cast(11 as bigint) * interval 1 month) as date)
) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date)
 as period_end,
        ref_year,
        'annual' as value_source,
        case when exporter_reported_usd is not null then 12 else 0 end as exporter_months,
        case when importer_reported_usd is not null then 12 else 0 end as importer_months,
        12 as months_expected,
        exporter_reported_usd,
        importer_reported_usd
    from pairs
    where
        freq_code = 'A'
        and exporter_reported_usd is not null
        and importer_reported_usd is not null
),

year_from_months as (
    select
        flow_pair,
        exporter_code,
        importer_code,
        ref_year,
        count(exporter_reported_usd) as exporter_months,
        count(importer_reported_usd) as importer_months,
        sum(exporter_reported_usd) as exporter_reported_usd,
        sum(importer_reported_usd) as importer_reported_usd
    from pairs
    where freq_code = 'M'
    group by flow_pair, exporter_code, importer_code, ref_year
),

year_grain_from_months as (
    select
        year_from_months.flow_pair,
        year_from_months.exporter_code,
        year_from_months.importer_code,
        'year' as grain,
        
    cast(year_from_months.ref_year as TEXT)
 as period,
        
    cast(
    cast(year_from_months.ref_year as TEXT)
 || '-01-01' as date)
 as period_start,
        
    cast(
    cast(year_from_months.ref_year as TEXT)
 || '-12-31' as date)
 as period_end,
        year_from_months.ref_year,
        'monthly_sum' as value_source,
        year_from_months.exporter_months,
        year_from_months.importer_months,
        12 as months_expected,
        year_from_months.exporter_reported_usd,
        year_from_months.importer_reported_usd
    from year_from_months
    left join annual_grain
        on
            year_from_months.flow_pair = annual_grain.flow_pair
            and year_from_months.ref_year = annual_grain.ref_year
    where annual_grain.flow_pair is null
),

combined as (
    select * from month_grain
    union all
    select * from annual_grain
    union all
    select * from year_grain_from_months
)

select
    flow_pair,
    exporter_code,
    importer_code,
    grain,
    period,
    period_start,
    period_end,
    ref_year,
    value_source,
    exporter_months,
    importer_months,
    months_expected,
    coalesce(exporter_months = months_expected and importer_months = months_expected, false) as is_complete,
    exporter_reported_usd,
    importer_reported_usd,
    importer_reported_usd - exporter_reported_usd as gap_usd,
    abs(importer_reported_usd - exporter_reported_usd) as abs_gap_usd,
    
    cast(importer_reported_usd - exporter_reported_usd as double)

    / nullif(exporter_reported_usd, 0) * 100 as gap_pct,
    
    cast(importer_reported_usd as double)

    / nullif(exporter_reported_usd, 0) as importer_to_exporter_ratio
from combined