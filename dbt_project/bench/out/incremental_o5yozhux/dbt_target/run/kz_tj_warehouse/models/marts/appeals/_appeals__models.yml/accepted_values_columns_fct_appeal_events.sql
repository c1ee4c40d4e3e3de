
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  




    select
        'event_type' as column_name,
        cast(event_type as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."fct_appeal_events"
    where
        event_type is not null
        and event_type not in ('CHANGE_STATUS', 'FORWARD', 'PROLONG', 'ANSWER', 'REOPEN', 'COMMENT')
    group by event_type
    union all

    select
        'state' as column_name,
        cast(state as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."fct_appeal_events"
    where
        state is not null
        and state not in ('CREATED', 'ASSIGNED', 'IN_PROGRESS', 'PROLONGED', 'ANSWERED', 'CLOSED', 'REOPENED', 'WITHDRAWN')
    group by state
    union all

    select
        'working_state' as column_name,
        cast(working_state as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."fct_appeal_events"
    where
        working_state is not null
        and working_state not in ('NEW', 'IN_WORK', 'ON_PROLONGATION', 'RESPONSE_SENT', 'DONE', 'RETURNED')
    group by working_state
    



  
  
      
    ) dbt_internal_test