



with null_counts as (
    select
        
            count(case when month_start is null then 1 end) as null_rows_1,
        
            count(case when month_end is null then 1 end) as null_rows_2,
        
            count(case when received_count is null then 1 end) as null_rows_3,
        
            count(case when answered_count is null then 1 end) as null_rows_4,
        
            count(case when answered_on_time_count is null then 1 end) as null_rows_5,
        
            count(case when open_backlog_count is null then 1 end) as null_rows_6,
        
            count(case when overdue_open_count is null then 1 end) as null_rows_7
        
    from "warehouse"."marts"."mart_appeals_sla"
),

tested_columns as (
    
        select
            1 as column_position,
            'month_start' as column_name
        union all
    
        select
            2 as column_position,
            'month_end' as column_name
        union all
    
        select
            3 as column_position,
            'received_count' as column_name
        union all
    
        select
            4 as column_position,
            'answered_count' as column_name
        union all
    
        select
            5 as column_position,
            'answered_on_time_count' as column_name
        union all
    
        select
            6 as column_position,
            'open_backlog_count' as column_name
        union all
    
        select
            7 as column_position,
            'overdue_open_count' as column_name
        
    
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

