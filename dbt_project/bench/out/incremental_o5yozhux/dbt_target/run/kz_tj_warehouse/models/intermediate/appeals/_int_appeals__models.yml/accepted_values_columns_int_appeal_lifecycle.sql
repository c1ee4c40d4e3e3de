
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  




    select
        'answered_at_source' as column_name,
        cast(answered_at_source as TEXT) as value,
        count(*) as n_records
    from "warehouse"."intermediate"."int_appeal_lifecycle"
    where
        answered_at_source is not null
        and answered_at_source not in ('event', 'finish_date')
    group by answered_at_source
    



  
  
      
    ) dbt_internal_test