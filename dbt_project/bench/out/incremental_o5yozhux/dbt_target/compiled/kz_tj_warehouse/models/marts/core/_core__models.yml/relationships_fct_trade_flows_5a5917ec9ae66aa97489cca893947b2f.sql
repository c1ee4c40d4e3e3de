
    
    

with child as (
    select reporter_code as from_field
    from "warehouse"."marts"."fct_trade_flows"
    where reporter_code is not null
),

parent as (
    select m49_code as to_field
    from "warehouse"."marts"."dim_country"
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null


