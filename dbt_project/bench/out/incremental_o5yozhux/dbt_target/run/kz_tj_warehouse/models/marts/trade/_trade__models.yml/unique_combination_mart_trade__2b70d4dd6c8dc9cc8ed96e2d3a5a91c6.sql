
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  

with validation as (
    select
        flow_pair, grain, period,
        count(*) as n_rows
    from "warehouse"."marts"."mart_trade_mirror_discrepancy"
    group by flow_pair, grain, period
)

select *
from validation
where n_rows > 1


  
  
      
    ) dbt_internal_test