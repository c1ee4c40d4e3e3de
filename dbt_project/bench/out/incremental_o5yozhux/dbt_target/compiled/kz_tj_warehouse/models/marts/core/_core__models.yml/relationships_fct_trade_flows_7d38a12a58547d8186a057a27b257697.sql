
    
    

with child as (
    select period_date as from_field
    from "warehouse"."marts"."fct_trade_flows"
    where period_date is not null
),

parent as (
    select month_start_date as to_field
    from "warehouse"."marts"."dim_period"
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null


