
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  




    select
        'freqCode' as column_name,
        cast(freqCode as TEXT) as value,
        count(*) as n_records
    from "warehouse"."raw"."comtrade_records"
    where
        freqCode is not null
        and freqCode not in ('A', 'M')
    group by freqCode
    union all

    select
        'flowCode' as column_name,
        cast(flowCode as TEXT) as value,
        count(*) as n_records
    from "warehouse"."raw"."comtrade_records"
    where
        flowCode is not null
        and flowCode not in ('M', 'X', 'RM', 'RX')
    group by flowCode
    



  
  
      
    ) dbt_internal_test