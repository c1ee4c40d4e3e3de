




    select
        'current_state' as column_name,
        cast(current_state as TEXT) as value,
        count(*) as n_records
    from "warehouse"."raw"."eotinish_appeals"
    where
        current_state is not null
        and current_state not in ('CREATED', 'ASSIGNED', 'IN_PROGRESS', 'PROLONGED', 'ANSWERED', 'CLOSED', 'REOPENED', 'WITHDRAWN')
    group by current_state
    union all

    select
        'current_working_state' as column_name,
        cast(current_working_state as TEXT) as value,
        count(*) as n_records
    from "warehouse"."raw"."eotinish_appeals"
    where
        current_working_state is not null
        and current_working_state not in ('NEW', 'IN_WORK', 'ON_PROLONGATION', 'RESPONSE_SENT', 'DONE', 'RETURNED')
    group by current_working_state
    union all

    select
        'appeal_source_id' as column_name,
        cast(appeal_source_id as TEXT) as value,
        count(*) as n_records
    from "warehouse"."raw"."eotinish_appeals"
    where
        appeal_source_id is not null
        and appeal_source_id not in ('PA', 'EGOV', 'MOBILE', 'PAPER', 'EMAIL', 'VISIT', 'CALL_CENTER')
    group by appeal_source_id
    union all

    select
        'type_id' as column_name,
        cast(type_id as TEXT) as value,
        count(*) as n_records
    from "warehouse"."raw"."eotinish_appeals"
    where
        type_id is not null
        and type_id not in ('REQUEST', 'STATEMENT', 'COMPLAINT', 'PROPOSAL', 'REPORT', 'RESPONSE', 'INFO_REQUEST', 'MEDIA_REQUEST', 'LAWYER_REQUEST')
    group by type_id
    union all

    select
        'appeal_form' as column_name,
        cast(appeal_form as TEXT) as value,
        count(*) as n_records
    from "warehouse"."raw"."eotinish_appeals"
    where
        appeal_form is not null
        and appeal_form not in ('ELECTRONIC', 'PAPER_ON_PURPOSE', 'ORAL')
    group by appeal_form
    union all

    select
        'appeal_character' as column_name,
        cast(appeal_character as TEXT) as value,
        count(*) as n_records
    from "warehouse"."raw"."eotinish_appeals"
    where
        appeal_character is not null
        and appeal_character not in ('INDIVIDUAL', 'COLLECTIVE')
    group by appeal_character
    union all

    select
        'language_id' as column_name,
        cast(language_id as TEXT) as value,
        count(*) as n_records
    from "warehouse"."raw"."eotinish_appeals"
    where
        language_id is not null
        and language_id not in ('kk', 'ru', 'en')
    group by language_id
    


