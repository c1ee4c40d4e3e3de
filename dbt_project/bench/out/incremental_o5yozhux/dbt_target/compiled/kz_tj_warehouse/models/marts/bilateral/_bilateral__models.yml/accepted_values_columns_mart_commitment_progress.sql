




    select
        'indicator' as column_name,
        cast(indicator as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."mart_commitment_progress"
    where
        indicator is not null
        and indicator not in ('trade_turnover_usd', 'specialists_trained', 'agreements_signed')
    group by indicator
    union all

    select
        'status' as column_name,
        cast(status as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."mart_commitment_progress"
    where
        status is not null
        and status not in ('met', 'missed', 'on track', 'at risk', 'not measured', 'no target', 'no indicator')
    group by status
    


