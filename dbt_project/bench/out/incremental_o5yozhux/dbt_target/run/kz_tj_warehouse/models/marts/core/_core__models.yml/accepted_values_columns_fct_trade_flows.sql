
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  




    select
        'flow_code' as column_name,
        cast(flow_code as TEXT) as value,
        count(*) as n_records
    from (select * from "warehouse"."marts"."fct_trade_flows" where (
            (
                freq_code = 'M'
                and period >= '202511'
                and period <= '202511'
            )
            or (
                freq_code = 'A'
                and period >= '2025'
                and period <= '2025'
            )
        )) dbt_subquery
    where
        flow_code is not null
        and flow_code not in ('M', 'X', 'RM', 'RX')
    group by flow_code
    union all

    select
        'flow_direction' as column_name,
        cast(flow_direction as TEXT) as value,
        count(*) as n_records
    from (select * from "warehouse"."marts"."fct_trade_flows" where (
            (
                freq_code = 'M'
                and period >= '202511'
                and period <= '202511'
            )
            or (
                freq_code = 'A'
                and period >= '2025'
                and period <= '2025'
            )
        )) dbt_subquery
    where
        flow_direction is not null
        and flow_direction not in ('export', 'import')
    group by flow_direction
    union all

    select
        'freq_code' as column_name,
        cast(freq_code as TEXT) as value,
        count(*) as n_records
    from (select * from "warehouse"."marts"."fct_trade_flows" where (
            (
                freq_code = 'M'
                and period >= '202511'
                and period <= '202511'
            )
            or (
                freq_code = 'A'
                and period >= '2025'
                and period <= '2025'
            )
        )) dbt_subquery
    where
        freq_code is not null
        and freq_code not in ('A', 'M')
    group by freq_code
    



  
  
      
    ) dbt_internal_test