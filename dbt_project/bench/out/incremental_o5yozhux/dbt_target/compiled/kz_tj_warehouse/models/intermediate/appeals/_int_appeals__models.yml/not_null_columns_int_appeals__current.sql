



with null_counts as (
    select
        
            count(case when appeal_id is null then 1 end) as null_rows_1,
        
            count(case when current_state is null then 1 end) as null_rows_2,
        
            count(case when start_date is null then 1 end) as null_rows_3,
        
            count(case when snapshot_count is null then 1 end) as null_rows_4,
        
            count(case when first_partition_date is null then 1 end) as null_rows_5
        
    from "warehouse"."intermediate"."int_appeals__current"
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
            'start_date' as column_name
        union all
    
        select
            4 as column_position,
            'snapshot_count' as column_name
        union all
    
        select
            5 as column_position,
            'first_partition_date' as column_name
        
    
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

