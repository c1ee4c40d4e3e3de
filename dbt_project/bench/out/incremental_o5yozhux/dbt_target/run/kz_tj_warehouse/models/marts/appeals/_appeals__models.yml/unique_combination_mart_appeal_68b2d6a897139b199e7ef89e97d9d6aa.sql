
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  

with validation as (
    select
        breakdown, region_kato_2digit, calendar_date,
        count(*) as n_rows
    from "warehouse"."marts"."mart_appeals_daily"
    group by breakdown, region_kato_2digit, calendar_date
)

select *
from validation
where n_rows > 1


  
  
      
    ) dbt_internal_test