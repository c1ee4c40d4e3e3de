
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  




    select
        'flow_pair' as column_name,
        cast(flow_pair as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."mart_trade_mirror_discrepancy"
    where
        flow_pair is not null
        and flow_pair not in ('KZ_TO_TJ', 'TJ_TO_KZ')
    group by flow_pair
    union all

    select
        'grain' as column_name,
        cast(grain as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."mart_trade_mirror_discrepancy"
    where
        grain is not null
        and grain not in ('month', 'year')
    group by grain
    



  
  
      
    ) dbt_internal_test