
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  



with null_counts as (
    select
        
            count(case when trade_flow_id is null then 1 end) as null_rows_1,
        
            count(case when reporter_code is null then 1 end) as null_rows_2,
        
            count(case when partner_code is null then 1 end) as null_rows_3,
        
            count(case when flow_code is null then 1 end) as null_rows_4,
        
            count(case when freq_code is null then 1 end) as null_rows_5,
        
            count(case when period is null then 1 end) as null_rows_6,
        
            count(case when period_date is null then 1 end) as null_rows_7,
        
            count(case when cmd_code is null then 1 end) as null_rows_8,
        
            count(case when aggr_level is null then 1 end) as null_rows_9,
        
            count(case when trade_value_usd is null then 1 end) as null_rows_10,
        
            count(case when _load_id is null then 1 end) as null_rows_11
        
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
),

tested_columns as (
    
        select
            1 as column_position,
            'trade_flow_id' as column_name
        union all
    
        select
            2 as column_position,
            'reporter_code' as column_name
        union all
    
        select
            3 as column_position,
            'partner_code' as column_name
        union all
    
        select
            4 as column_position,
            'flow_code' as column_name
        union all
    
        select
            5 as column_position,
            'freq_code' as column_name
        union all
    
        select
            6 as column_position,
            'period' as column_name
        union all
    
        select
            7 as column_position,
            'period_date' as column_name
        union all
    
        select
            8 as column_position,
            'cmd_code' as column_name
        union all
    
        select
            9 as column_position,
            'aggr_level' as column_name
        union all
    
        select
            10 as column_position,
            'trade_value_usd' as column_name
        union all
    
        select
            11 as column_position,
            '_load_id' as column_name
        
    
),

per_column as (
    select
        tested_columns.column_position,
        tested_columns.column_name,
        case tested_columns.column_position
            
                when 1 then null_counts.null_rows_1
            
                when 2 then null_counts.null_rows_2
            
                when 3 then null_counts.null_rows_3
            
                when 4 then null_counts.null_rows_4
            
                when 5 then null_counts.null_rows_5
            
                when 6 then null_counts.null_rows_6
            
                when 7 then null_counts.null_rows_7
            
                when 8 then null_counts.null_rows_8
            
                when 9 then null_counts.null_rows_9
            
                when 10 then null_counts.null_rows_10
            
                when 11 then null_counts.null_rows_11
            
        end as null_rows
    from tested_columns
    cross join null_counts
)

select
    column_name,
    null_rows
from per_column
where null_rows > 0


  
  
      
    ) dbt_internal_test