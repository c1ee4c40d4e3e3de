
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  
    
    

select
    trade_flow_id as unique_field,
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
where trade_flow_id is not null
group by trade_flow_id
having count(*) > 1



  
  
      
    ) dbt_internal_test