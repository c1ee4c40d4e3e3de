
    
    

with child as (
    select importer_code as from_field
    from "warehouse"."marts"."mart_trade_mirror_discrepancy"
    where importer_code is not null
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


