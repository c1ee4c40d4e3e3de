
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  




    select
        'breakdown' as column_name,
        cast(breakdown as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."mart_appeals_daily"
    where
        breakdown is not null
        and breakdown not in ('total', 'region')
    group by breakdown
    



  
  
      
    ) dbt_internal_test