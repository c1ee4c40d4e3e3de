
    
    

with child as (
    select target_id as from_field
    from "warehouse"."marts"."mart_trade_target_progress"
    where target_id is not null
),

parent as (
    select target_id as to_field
    from "warehouse"."marts"."bilateral_targets"
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null


