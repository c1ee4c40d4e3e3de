
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  

with validation as (
    select
        reporting_side, grain, period_end,
        count(*) as n_rows
    from "warehouse"."marts"."mart_bilateral_turnover"
    group by reporting_side, grain, period_end
)

select *
from validation
where n_rows > 1


  
  
      
    ) dbt_internal_test