
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  



with null_counts as (
    select
        
            count(case when reporting_side is null then 1 end) as null_rows_1,
        
            count(case when grain is null then 1 end) as null_rows_2,
        
            count(case when period_label is null then 1 end) as null_rows_3,
        
            count(case when period_start is null then 1 end) as null_rows_4,
        
            count(case when period_end is null then 1 end) as null_rows_5,
        
            count(case when is_complete is null then 1 end) as null_rows_6,
        
            count(case when turnover_usd is null then 1 end) as null_rows_7
        
    from "warehouse"."marts"."mart_bilateral_turnover"
),

tested_columns as (
    
        select
            1 as column_position,
            'reporting_side' as column_name
        union all
    
        select
            2 as column_position,
            'grain' as column_name
        union all
    
        select
            3 as column_position,
            'period_label' as column_name
        union all
    
        select
            4 as column_position,
            'period_start' as column_name
        union all
    
        select
            5 as column_position,
            'period_end' as column_name
        union all
    
        select
            6 as column_position,
            'is_complete' as column_name
        union all
    
        select
            7 as column_position,
            'turnover_usd' as column_name
        
    
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