
    
    

with child as (
    select reference_id as from_field
    from "warehouse"."marts"."mart_trade_reference_reconciliation"
    where reference_id is not null
),

parent as (
    select reference_id as to_field
    from "warehouse"."staging"."stg_comtrade__trade_reference"
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null


