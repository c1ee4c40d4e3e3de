



with null_counts as (
    select
        
            count(case when event_id is null then 1 end) as null_rows_1,
        
            count(case when appeal_id is null then 1 end) as null_rows_2,
        
            count(case when event_type is null then 1 end) as null_rows_3,
        
            count(case when event_at is null then 1 end) as null_rows_4,
        
            count(case when event_date is null then 1 end) as null_rows_5,
        
            count(case when is_late is null then 1 end) as null_rows_6,
        
            count(case when partition_date is null then 1 end) as null_rows_7,
        
            count(case when copies_received is null then 1 end) as null_rows_8
        
    from "warehouse"."staging"."stg_eotinish__appeal_events"
),

tested_columns as (
    
        select
            1 as column_position,
            'event_id' as column_name
        union all
    
        select
            2 as column_position,
            'appeal_id' as column_name
        union all
    
        select
            3 as column_position,
            'event_type' as column_name
        union all
    
        select
            4 as column_position,
            'event_at' as column_name
        union all
    
        select
            5 as column_position,
            'event_date' as column_name
        union all
    
        select
            6 as column_position,
            'is_late' as column_name
        union all
    
        select
            7 as column_position,
            'partition_date' as column_name
        union all
    
        select
            8 as column_position,
            'copies_received' as column_name
        
    
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
            
        end as null_rows
    from tested_columns
    cross join null_counts
)

select
    column_name,
    null_rows
from per_column
where null_rows > 0

