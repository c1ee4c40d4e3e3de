
    
    select
      count(*) as failures,
      count(*) != 0 as should_warn,
      count(*) != 0 as should_error
    from (
      
    
  




    select
        'appeal_type' as column_name,
        cast(appeal_type as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."fct_appeals"
    where
        appeal_type is not null
        and appeal_type not in ('REQUEST', 'STATEMENT', 'COMPLAINT', 'PROPOSAL', 'REPORT', 'RESPONSE', 'INFO_REQUEST', 'MEDIA_REQUEST', 'LAWYER_REQUEST')
    group by appeal_type
    union all

    select
        'channel' as column_name,
        cast(channel as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."fct_appeals"
    where
        channel is not null
        and channel not in ('PA', 'EGOV', 'MOBILE', 'PAPER', 'EMAIL', 'VISIT', 'CALL_CENTER')
    group by channel
    union all

    select
        'appeal_form' as column_name,
        cast(appeal_form as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."fct_appeals"
    where
        appeal_form is not null
        and appeal_form not in ('ELECTRONIC', 'PAPER_ON_PURPOSE', 'ORAL')
    group by appeal_form
    union all

    select
        'appeal_character' as column_name,
        cast(appeal_character as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."fct_appeals"
    where
        appeal_character is not null
        and appeal_character not in ('INDIVIDUAL', 'COLLECTIVE')
    group by appeal_character
    union all

    select
        'current_state' as column_name,
        cast(current_state as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."fct_appeals"
    where
        current_state is not null
        and current_state not in ('CREATED', 'ASSIGNED', 'IN_PROGRESS', 'PROLONGED', 'ANSWERED', 'CLOSED', 'REOPENED', 'WITHDRAWN')
    group by current_state
    



  
  
      
    ) dbt_internal_test