



with null_counts as (
    select
        
            count(case when target_id is null then 1 end) as null_rows_1,
        
            count(case when reporting_side is null then 1 end) as null_rows_2,
        
            count(case when latest_full_year is null then 1 end) as null_rows_3
        
    from "warehouse"."marts"."mart_trade_target_progress"
),

tested_columns as (
    
        select
            1 as column_position,
            'target_id' as column_name
        union all
    
        select
            2 as column_position,
            'reporting_side' as column_name
        union all
    
        select
            3 as column_position,
            'latest_full_year' as column_name
        
    
),

per_column as (
    select
        tested_columns.column_position,
        tested_columns.column_name,
        case tested_columns.column_position
            
                when 1 then null_counts.null_rows_1
            
                when 2 then null_counts.null_rows_2
            
                when 3 then null_counts.null_rows_3
            
        end as null_rows
    from tested_columns
    cross join null_counts
)

select
    column_name,
    null_rows
from per_column
where null_rows > 0

