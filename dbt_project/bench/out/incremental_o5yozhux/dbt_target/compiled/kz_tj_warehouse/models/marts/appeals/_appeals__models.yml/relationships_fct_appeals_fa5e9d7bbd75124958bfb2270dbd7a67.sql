
    
    

with child as (
    select receiving_org_id as from_field
    from "warehouse"."marts"."fct_appeals"
    where receiving_org_id is not null
),

parent as (
    select org_id as to_field
    from "warehouse"."marts"."dim_agency"
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null


