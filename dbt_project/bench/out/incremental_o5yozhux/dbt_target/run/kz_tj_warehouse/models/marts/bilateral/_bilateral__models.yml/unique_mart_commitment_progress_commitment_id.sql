
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    

select
    commitment_id as unique_field,
    count(*) as n_records

from "warehouse"."marts"."mart_commitment_progress"
where commitment_id is not null
group by commitment_id
having count(*) > 1



  
  
      
    ) dbt_internal_test