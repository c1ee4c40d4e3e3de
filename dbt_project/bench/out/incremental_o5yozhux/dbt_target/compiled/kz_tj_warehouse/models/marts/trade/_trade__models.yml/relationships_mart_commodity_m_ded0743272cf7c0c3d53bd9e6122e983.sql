
    
    

with child as (
    select cmd_code as from_field
    from "warehouse"."marts"."mart_commodity_mix"
    where cmd_code is not null
),

parent as (
    select cmd_code as to_field
    from "warehouse"."marts"."dim_commodity"
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null


