
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  




    select
        'reporting_side' as column_name,
        cast(reporting_side as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."mart_trade_target_progress"
    where
        reporting_side is not null
        and reporting_side not in ('KZ', 'TJ')
    group by reporting_side
    



  
  
      
    ) dbt_internal_test