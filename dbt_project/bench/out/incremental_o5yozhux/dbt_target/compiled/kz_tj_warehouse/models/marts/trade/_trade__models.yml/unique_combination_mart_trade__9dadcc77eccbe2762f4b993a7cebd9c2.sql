

with validation as (
    select
        target_id, reporting_side,
        count(*) as n_rows
    from "warehouse"."marts"."mart_trade_target_progress"
    group by target_id, reporting_side
)

select *
from validation
where n_rows > 1

