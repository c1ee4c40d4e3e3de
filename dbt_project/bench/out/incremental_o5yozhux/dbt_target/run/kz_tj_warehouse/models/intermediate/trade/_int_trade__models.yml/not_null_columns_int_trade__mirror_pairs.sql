
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  



with null_counts as (
    select
        
            count(case when flow_pair is null then 1 end) as null_rows_1,
        
            count(case when exporter_code is null then 1 end) as null_rows_2,
        
            count(case when importer_code is null then 1 end) as null_rows_3,
        
            count(case when freq_code is null then 1 end) as null_rows_4,
        
            count(case when period is null then 1 end) as null_rows_5
        
    from "warehouse"."intermediate"."int_trade__mirror_pairs"
),

tested_columns as (
    
        select
            1 as column_position,
            'flow_pair' as column_name
        union all
    
        select
            2 as column_position,
            'exporter_code' as column_name
        union all
    
        select
            3 as column_position,
            'importer_code' as column_name
        union all
    
        select
            4 as column_position,
            'freq_code' as column_name
        union all
    
        select
            5 as column_position,
            'period' as column_name
        
    
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