
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  



with null_counts as (
    select
        
            count(case when commitment_id is null then 1 end) as null_rows_1,
        
            count(case when commitment_title is null then 1 end) as null_rows_2,
        
            count(case when path_baseline_value is null then 1 end) as null_rows_3,
        
            count(case when path_baseline_date is null then 1 end) as null_rows_4,
        
            count(case when deadline_is_assumed is null then 1 end) as null_rows_5,
        
            count(case when as_of_date is null then 1 end) as null_rows_6,
        
            count(case when status is null then 1 end) as null_rows_7,
        
            count(case when status_is_reviewed is null then 1 end) as null_rows_8,
        
            count(case when made_at_event_id is null then 1 end) as null_rows_9,
        
            count(case when made_at_event_date is null then 1 end) as null_rows_10,
        
            count(case when reaffirmation_count is null then 1 end) as null_rows_11,
        
            count(case when event_count is null then 1 end) as null_rows_12,
        
            count(case when events_label is null then 1 end) as null_rows_13
        
    from "warehouse"."marts"."mart_commitment_progress"
),

tested_columns as (
    
        select
            1 as column_position,
            'commitment_id' as column_name
        union all
    
        select
            2 as column_position,
            'commitment_title' as column_name
        union all
    
        select
            3 as column_position,
            'path_baseline_value' as column_name
        union all
    
        select
            4 as column_position,
            'path_baseline_date' as column_name
        union all
    
        select
            5 as column_position,
            'deadline_is_assumed' as column_name
        union all
    
        select
            6 as column_position,
            'as_of_date' as column_name
        union all
    
        select
            7 as column_position,
            'status' as column_name
        union all
    
        select
            8 as column_position,
            'status_is_reviewed' as column_name
        union all
    
        select
            9 as column_position,
            'made_at_event_id' as column_name
        union all
    
        select
            10 as column_position,
            'made_at_event_date' as column_name
        union all
    
        select
            11 as column_position,
            'reaffirmation_count' as column_name
        union all
    
        select
            12 as column_position,
            'event_count' as column_name
        union all
    
        select
            13 as column_position,
            'events_label' as column_name
        
    
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
            
                when 12 then null_counts.null_rows_12
            
                when 13 then null_counts.null_rows_13
            
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