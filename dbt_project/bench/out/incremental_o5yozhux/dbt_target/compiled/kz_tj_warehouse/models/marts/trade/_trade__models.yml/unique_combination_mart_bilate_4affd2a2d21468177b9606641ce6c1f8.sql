

with validation as (
    select
        reporting_side, grain, period_label,
        count(*) as n_rows
    from "warehouse"."marts"."mart_bilateral_turnover"
    group by reporting_side, grain, period_label
)

select *
from validation
where n_rows > 1

