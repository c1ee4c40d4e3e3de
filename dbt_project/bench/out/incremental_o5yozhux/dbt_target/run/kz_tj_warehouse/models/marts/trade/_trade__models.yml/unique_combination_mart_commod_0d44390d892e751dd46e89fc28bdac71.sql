
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  

with validation as (
    select
        reporter_code, partner_code, flow_code, freq_code, period, cmd_code,
        count(*) as n_rows
    from "warehouse"."marts"."mart_commodity_mix"
    group by reporter_code, partner_code, flow_code, freq_code, period, cmd_code
)

select *
from validation
where n_rows > 1


  
  
      
    ) dbt_internal_test