-- One row per published land-monitoring figure (ref.kz_land_reference), with its period as a date
-- window. Period spellings: 'YYYY' (that calendar year), 'YYYY..YYYY' (whole years),
-- 'YYYY..YYYY-MM' (from 1 January of the first year to the end of that month) and 'YYYY-MM-DD'
-- (a cumulative figure as of that day: no start, ends the day before).
with source as (
    select * from {{ source('ref', 'kz_land_reference') }}
),

classified as (
    select
        *,
        case
            when length(period) = 4 then 'year'
            when length(period) = 10 and substr(period, 5, 2) = '..' then 'year_range'
            when length(period) = 13 and substr(period, 5, 2) = '..' then 'year_range_to_month'
            when length(period) = 10 and substr(period, 5, 1) = '-' then 'as_of_date'
        end as period_type
    from source
)

select
    {{ dbt.cast('_source_row', dbt.type_int()) }} as reference_row,
    measure,
    period,
    period_type,
    case
        when period_type in ('year', 'year_range', 'year_range_to_month')
            then {{ dbt.safe_cast(dbt.concat(["substr(period, 1, 4)", "'-01-01'"]), 'date') }}
    end as period_start_date,
    case
        when period_type = 'year'
            then {{ dbt.safe_cast(dbt.concat(["period", "'-12-31'"]), 'date') }}
        when period_type = 'year_range'
            then {{ dbt.safe_cast(dbt.concat(["substr(period, 7, 4)", "'-12-31'"]), 'date') }}
        when period_type = 'year_range_to_month'
            then {{ dbt.cast(
                dbt.last_day(dbt.safe_cast(dbt.concat(["substr(period, 7, 7)", "'-01'"]), 'date'), 'month'),
                'date'
            ) }}
        when period_type = 'as_of_date'
            then {{ dbt.cast(dbt.dateadd('day', -1, dbt.safe_cast('period', 'date')), 'date') }}
    end as period_end_date,
    {{ dbt.cast('first_year', dbt.type_int()) }} as first_year,
    {{ dbt.cast('last_year', dbt.type_int()) }} as last_year,
    scope,
    {{ dbt.cast('region_kato_2digit', dbt.type_string()) }} as region_kato_2digit,
    value as value_as_published,
    unit as unit_as_published,
    value_base as published_value,
    base_unit as unit,
    coalesce(is_derived, false) as is_derived,
    source_url,
    source_date,
    note
from classified
