
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  

with validation as (
    select
        _source_file, _source_row,
        count(*) as n_rows
    from "warehouse"."staging"."stg_comtrade__records"
    group by _source_file, _source_row
)

select *
from validation
where n_rows > 1


  
  
      
    ) dbt_internal_test