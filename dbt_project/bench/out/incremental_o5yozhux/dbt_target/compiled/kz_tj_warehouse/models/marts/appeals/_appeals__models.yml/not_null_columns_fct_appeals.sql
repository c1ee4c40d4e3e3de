



with null_counts as (
    select
        
            count(case when appeal_id is null then 1 end) as null_rows_1,
        
            count(case when current_state is null then 1 end) as null_rows_2,
        
            count(case when started_at is null then 1 end) as null_rows_3,
        
            count(case when start_date is null then 1 end) as null_rows_4,
        
            count(case when start_month is null then 1 end) as null_rows_5,
        
            count(case when deadline_date is null then 1 end) as null_rows_6,
        
            count(case when registered_at is null then 1 end) as null_rows_7,
        
            count(case when reopen_count is null then 1 end) as null_rows_8,
        
            count(case when is_open is null then 1 end) as null_rows_9,
        
            count(case when is_overdue_open is null then 1 end) as null_rows_10,
        
            count(case when is_repeat_applicant is null then 1 end) as null_rows_11,
        
            count(case when is_complaint is null then 1 end) as null_rows_12,
        
            count(case when is_duplicate is null then 1 end) as null_rows_13,
        
            count(case when as_of_date is null then 1 end) as null_rows_14
        
    from "warehouse"."marts"."fct_appeals"
),

tested_columns as (
    
        select
            1 as column_position,
            'appeal_id' as column_name
        union all
    
        select
            2 as column_position,
            'current_state' as column_name
        union all
    
        select
            3 as column_position,
            'started_at' as column_name
        union all
    
        select
            4 as column_position,
            'start_date' as column_name
        union all
    
        select
            5 as column_position,
            'start_month' as column_name
        union all
    
        select
            6 as column_position,
            'deadline_date' as column_name
        union all
    
        select
            7 as column_position,
            'registered_at' as column_name
        union all
    
        select
            8 as column_position,
            'reopen_count' as column_name
        union all
    
        select
            9 as column_position,
            'is_open' as column_name
        union all
    
        select
            10 as column_position,
            'is_overdue_open' as column_name
        union all
    
        select
            11 as column_position,
            'is_repeat_applicant' as column_name
        union all
    
        select
            12 as column_position,
            'is_complaint' as column_name
        union all
    
        select
            13 as column_position,
            'is_duplicate' as column_name
        union all
    
        select
            14 as column_position,
            'as_of_date' as column_name
        
    
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
            
                when 14 then null_counts.null_rows_14
            
        end as null_rows
    from tested_columns
    cross join null_counts
)

select
    column_name,
    null_rows
from per_column
where null_rows > 0

