
    
    

with child as (
    select region_kato_2digit as from_field
    from "warehouse"."marts"."fct_appeals"
    where region_kato_2digit is not null
),

parent as (
    select region_kato_2digit as to_field
    from "warehouse"."marts"."dim_region"
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null


