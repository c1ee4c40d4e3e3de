{#- One row per calendar month between vars dim_period_start and dim_period_end (2015-01..2030-12). -#}
{%- set start_date = var('dim_period_start') -%}
{%- set end_date = var('dim_period_end') -%}
{%- set n_months = (end_date[:4] | int - start_date[:4] | int) * 12
    + (end_date[5:7] | int - start_date[5:7] | int) + 1 -%}

{%- set year_start = dbt.cast(dbt.date_trunc('year', 'month_start_date'), 'date') %}

-- One row per calendar month with its quarter, half-year and year.
with month_numbers as (
    {{ dbt.generate_series(n_months) }}
),

months as (
    select
        {{ add_months(dbt.cast("'" ~ start_date ~ "'", "date"), "generated_number - 1") }} as month_start_date
    from month_numbers
),

calendar as (
    select
        month_start_date,
        {{ month_end('month_start_date') }} as month_end_date,
        {{ dbt.cast('extract(year from month_start_date)', dbt.type_int()) }} as year,
        {{ dbt.cast('extract(month from month_start_date)', dbt.type_int()) }} as month,
        {{ dbt.cast('floor((extract(month from month_start_date) - 1) / 3)', dbt.type_int()) }} + 1 as quarter
    from months
)

select
    {{ yyyymm('month_start_date') }} as period,
    {{ month_label('month_start_date') }} as month_label,
    month_start_date,
    month_end_date,
    year,
    month,
    quarter,
    case when month <= 6 then 1 else 2 end as half_year,
    {{ quarter_label('month_start_date') }} as quarter_label,
    {{ half_year_label('month_start_date') }} as half_year_label,
    {{ dbt.cast(dbt.date_trunc('quarter', 'month_start_date'), 'date') }} as quarter_start_date,
    {{ add_months(year_start, 'case when month <= 6 then 0 else 6 end') }} as half_year_start_date,
    {{ year_start }} as year_start_date,
    {{ dbt.datediff('month_start_date', 'month_end_date', 'day') }} + 1 as days_in_month
from calendar
