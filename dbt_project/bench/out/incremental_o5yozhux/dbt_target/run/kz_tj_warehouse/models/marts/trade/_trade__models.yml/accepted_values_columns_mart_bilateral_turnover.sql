
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  




    select
        'reporting_side' as column_name,
        cast(reporting_side as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."mart_bilateral_turnover"
    where
        reporting_side is not null
        and reporting_side not in ('KZ', 'TJ')
    group by reporting_side
    union all

    select
        'grain' as column_name,
        cast(grain as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."mart_bilateral_turnover"
    where
        grain is not null
        and grain not in ('month', 'quarter', 'half_year', 'year', 'ytd', 'rolling_12m')
    group by grain
    union all

    select
        'value_source' as column_name,
        cast(value_source as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."mart_bilateral_turnover"
    where
        value_source is not null
        and value_source not in ('monthly', 'monthly_sum', 'annual')
    group by value_source
    



  
  
      
    ) dbt_internal_test