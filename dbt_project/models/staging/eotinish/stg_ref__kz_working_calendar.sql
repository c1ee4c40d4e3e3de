-- One row per calendar date 2015-01-01..2030-12-31 with Kazakhstan's working-day flag. Do not count
-- working days from here: use int_working_days (the single place working days are counted).
with source as (
    select * from {{ source('ref', 'kz_working_calendar') }}
)

select
    {{ dbt.cast('calendar_date', 'date') }} as calendar_date,
    is_working_day,
    holiday_name,
    holiday_name is not null as is_public_holiday
from source
