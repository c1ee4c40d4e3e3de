
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  



with null_counts as (
    select
        
            count(case when typeCode is null then 1 end) as null_rows_1,
        
            count(case when freqCode is null then 1 end) as null_rows_2,
        
            count(case when period is null then 1 end) as null_rows_3,
        
            count(case when reporterCode is null then 1 end) as null_rows_4,
        
            count(case when flowCode is null then 1 end) as null_rows_5,
        
            count(case when partnerCode is null then 1 end) as null_rows_6,
        
            count(case when partner2Code is null then 1 end) as null_rows_7,
        
            count(case when classificationCode is null then 1 end) as null_rows_8,
        
            count(case when cmdCode is null then 1 end) as null_rows_9,
        
            count(case when customsCode is null then 1 end) as null_rows_10,
        
            count(case when motCode is null then 1 end) as null_rows_11,
        
            count(case when primaryValue is null then 1 end) as null_rows_12,
        
            count(case when _load_id is null then 1 end) as null_rows_13,
        
            count(case when _loaded_at is null then 1 end) as null_rows_14
        
    from "warehouse"."raw"."comtrade_records"
),

tested_columns as (
    
        select
            1 as column_position,
            'typeCode' as column_name
        union all
    
        select
            2 as column_position,
            'freqCode' as column_name
        union all
    
        select
            3 as column_position,
            'period' as column_name
        union all
    
        select
            4 as column_position,
            'reporterCode' as column_name
        union all
    
        select
            5 as column_position,
            'flowCode' as column_name
        union all
    
        select
            6 as column_position,
            'partnerCode' as column_name
        union all
    
        select
            7 as column_position,
            'partner2Code' as column_name
        union all
    
        select
            8 as column_position,
            'classificationCode' as column_name
        union all
    
        select
            9 as column_position,
            'cmdCode' as column_name
        union all
    
        select
            10 as column_position,
            'customsCode' as column_name
        union all
    
        select
            11 as column_position,
            'motCode' as column_name
        union all
    
        select
            12 as column_position,
            'primaryValue' as column_name
        union all
    
        select
            13 as column_position,
            '_load_id' as column_name
        union all
    
        select
            14 as column_position,
            '_loaded_at' as column_name
        
    
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


  
  
      
    ) dbt_internal_test