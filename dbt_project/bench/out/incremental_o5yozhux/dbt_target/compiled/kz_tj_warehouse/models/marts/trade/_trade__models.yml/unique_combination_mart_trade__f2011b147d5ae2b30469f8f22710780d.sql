

with validation as (
    select
        target_id, reporting_side, year,
        count(*) as n_rows
    from "warehouse"."marts"."mart_trade_target_path"
    group by target_id, reporting_side, year
)

select *
from validation
where n_rows > 1

