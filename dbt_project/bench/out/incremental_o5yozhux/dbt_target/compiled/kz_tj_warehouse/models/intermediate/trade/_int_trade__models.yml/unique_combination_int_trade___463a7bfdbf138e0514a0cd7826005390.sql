

with validation as (
    select
        flow_pair, freq_code, period,
        count(*) as n_rows
    from "warehouse"."intermediate"."int_trade__mirror_pairs"
    group by flow_pair, freq_code, period
)

select *
from validation
where n_rows > 1

