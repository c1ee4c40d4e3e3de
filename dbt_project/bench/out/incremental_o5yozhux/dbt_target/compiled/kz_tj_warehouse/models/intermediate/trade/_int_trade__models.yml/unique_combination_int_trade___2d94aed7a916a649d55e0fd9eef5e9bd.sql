

with validation as (
    select
        reporting_side, freq_code, period,
        count(*) as n_rows
    from "warehouse"."intermediate"."int_trade__bilateral_by_side"
    group by reporting_side, freq_code, period
)

select *
from validation
where n_rows > 1

