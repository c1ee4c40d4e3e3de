



with null_counts as (
    select
        
            count(case when target_id is null then 1 end) as null_rows_1,
        
            count(case when reporting_side is null then 1 end) as null_rows_2,
        
            count(case when stated_on is null then 1 end) as null_rows_3,
        
            count(case when target_value_usd is null then 1 end) as null_rows_4,
        
            count(case when verdict is null then 1 end) as null_rows_5,
        
            count(case when is_projected is null then 1 end) as null_rows_6,
        
            count(case when latest_closed_year is null then 1 end) as null_rows_7
        
    from "warehouse"."marts"."mart_trade_target_versions"
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
            'stated_on' as column_name
        union all
    
        select
            4 as column_position,
            'target_value_usd' as column_name
        union all
    
        select
            5 as column_position,
            'verdict' as column_name
        union all
    
        select
            6 as column_position,
            'is_projected' as column_name
        union all
    
        select
            7 as column_position,
            'latest_closed_year' as column_name
        
    
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

