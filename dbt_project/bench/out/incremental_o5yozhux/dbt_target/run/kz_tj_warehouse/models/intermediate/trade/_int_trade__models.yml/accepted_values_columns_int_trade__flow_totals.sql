
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  




    select
        'value_basis' as column_name,
        cast(value_basis as TEXT) as value,
        count(*) as n_records
    from "warehouse"."intermediate"."int_trade__flow_totals"
    where
        value_basis is not null
        and value_basis not in ('total_row', 'hs_chapter_sum')
    group by value_basis
    



  
  
      
    ) dbt_internal_test