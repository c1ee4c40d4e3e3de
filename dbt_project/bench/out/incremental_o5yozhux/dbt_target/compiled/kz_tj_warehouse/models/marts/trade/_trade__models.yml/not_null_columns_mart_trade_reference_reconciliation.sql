



with null_counts as (
    select
        
            count(case when reference_id is null then 1 end) as null_rows_1,
        
            count(case when warehouse_measure is null then 1 end) as null_rows_2
        
    from "warehouse"."marts"."mart_trade_reference_reconciliation"
),

tested_columns as (
    
        select
            1 as column_position,
            'reference_id' as column_name
        union all
    
        select
            2 as column_position,
            'warehouse_measure' as column_name
        
    
),

per_column as (
    select
        tested_columns.column_position,
        tested_columns.column_name,
        case tested_columns.column_position
            
                when 1 then null_counts.null_rows_1
            
                when 2 then null_counts.null_rows_2
            
        end as null_rows
    from tested_columns
    cross join null_counts
)

select
    column_name,
    null_rows
from per_column
where null_rows > 0

