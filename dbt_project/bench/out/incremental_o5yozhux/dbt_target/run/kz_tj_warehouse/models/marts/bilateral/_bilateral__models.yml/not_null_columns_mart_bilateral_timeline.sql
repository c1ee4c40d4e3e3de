
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  



with null_counts as (
    select
        
            count(case when event_sequence is null then 1 end) as null_rows_1,
        
            count(case when event_id is null then 1 end) as null_rows_2,
        
            count(case when event_date is null then 1 end) as null_rows_3,
        
            count(case when event_type is null then 1 end) as null_rows_4,
        
            count(case when event_title is null then 1 end) as null_rows_5,
        
            count(case when commitments_made is null then 1 end) as null_rows_6,
        
            count(case when commitments_reaffirmed is null then 1 end) as null_rows_7,
        
            count(case when months_before_covered is null then 1 end) as null_rows_8,
        
            count(case when months_after_covered is null then 1 end) as null_rows_9
        
    from "warehouse"."marts"."mart_bilateral_timeline"
),

tested_columns as (
    
        select
            1 as column_position,
            'event_sequence' as column_name
        union all
    
        select
            2 as column_position,
            'event_id' as column_name
        union all
    
        select
            3 as column_position,
            'event_date' as column_name
        union all
    
        select
            4 as column_position,
            'event_type' as column_name
        union all
    
        select
            5 as column_position,
            'event_title' as column_name
        union all
    
        select
            6 as column_position,
            'commitments_made' as column_name
        union all
    
        select
            7 as column_position,
            'commitments_reaffirmed' as column_name
        union all
    
        select
            8 as column_position,
            'months_before_covered' as column_name
        union all
    
        select
            9 as column_position,
            'months_after_covered' as column_name
        
    
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