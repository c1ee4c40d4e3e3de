
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  




    select
        'reporting_side' as column_name,
        cast(reporting_side as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."mart_trade_target_versions"
    where
        reporting_side is not null
        and reporting_side not in ('KZ', 'TJ')
    group by reporting_side
    union all

    select
        'verdict' as column_name,
        cast(verdict as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."mart_trade_target_versions"
    where
        verdict is not null
        and verdict not in ('met', 'missed', 'deadline year not closed', 'no deadline')
    group by verdict
    



  
  
      
    ) dbt_internal_test