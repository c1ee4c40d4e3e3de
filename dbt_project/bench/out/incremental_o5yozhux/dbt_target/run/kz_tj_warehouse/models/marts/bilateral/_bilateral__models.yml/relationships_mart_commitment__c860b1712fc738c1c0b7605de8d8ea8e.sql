
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    

with child as (
    select made_at_event_id as from_field
    from "warehouse"."marts"."mart_commitment_progress"
    where made_at_event_id is not null
),

parent as (
    select event_id as to_field
    from "warehouse"."staging"."stg_bilateral__events"
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null



  
  
      
    ) dbt_internal_test