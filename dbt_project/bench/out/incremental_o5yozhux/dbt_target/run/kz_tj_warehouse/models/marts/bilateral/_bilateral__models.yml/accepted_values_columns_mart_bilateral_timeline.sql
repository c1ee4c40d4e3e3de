
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  




    select
        'event_type' as column_name,
        cast(event_type as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."mart_bilateral_timeline"
    where
        event_type is not null
        and event_type not in ('state_visit', 'intergovernmental_commission', 'memorandum', 'agreement', 'business_forum', 'exhibition', 'cultural_days')
    group by event_type
    union all

    select
        'reporting_side' as column_name,
        cast(reporting_side as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."mart_bilateral_timeline"
    where
        reporting_side is not null
        and reporting_side not in ('KZ')
    group by reporting_side
    



  
  
      
    ) dbt_internal_test