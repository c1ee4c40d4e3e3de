
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  




    select
        'freq_code' as column_name,
        cast(freq_code as TEXT) as value,
        count(*) as n_records
    from "warehouse"."staging"."stg_comtrade__records"
    where
        freq_code is not null
        and freq_code not in ('A', 'M')
    group by freq_code
    union all

    select
        'flow_code' as column_name,
        cast(flow_code as TEXT) as value,
        count(*) as n_records
    from "warehouse"."staging"."stg_comtrade__records"
    where
        flow_code is not null
        and flow_code not in ('M', 'X', 'RM', 'RX')
    group by flow_code
    union all

    select
        'flow_direction' as column_name,
        cast(flow_direction as TEXT) as value,
        count(*) as n_records
    from "warehouse"."staging"."stg_comtrade__records"
    where
        flow_direction is not null
        and flow_direction not in ('export', 'import')
    group by flow_direction
    union all

    select
        'commodity_level' as column_name,
        cast(commodity_level as TEXT) as value,
        count(*) as n_records
    from "warehouse"."staging"."stg_comtrade__records"
    where
        commodity_level is not null
        and commodity_level not in ('total', 'hs_chapter', 'hs_heading', 'hs_subheading', 'other')
    group by commodity_level
    



  
  
      
    ) dbt_internal_test