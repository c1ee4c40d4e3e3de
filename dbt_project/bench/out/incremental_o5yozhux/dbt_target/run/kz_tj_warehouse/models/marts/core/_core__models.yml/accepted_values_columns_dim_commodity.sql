
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  




    select
        'commodity_level' as column_name,
        cast(commodity_level as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."dim_commodity"
    where
        commodity_level is not null
        and commodity_level not in ('total', 'hs_chapter', 'hs_heading', 'hs_subheading', 'other')
    group by commodity_level
    



  
  
      
    ) dbt_internal_test