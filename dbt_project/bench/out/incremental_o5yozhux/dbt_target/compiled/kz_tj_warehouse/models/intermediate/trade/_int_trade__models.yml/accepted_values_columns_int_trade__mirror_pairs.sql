




    select
        'flow_pair' as column_name,
        cast(flow_pair as TEXT) as value,
        count(*) as n_records
    from "warehouse"."intermediate"."int_trade__mirror_pairs"
    where
        flow_pair is not null
        and flow_pair not in ('KZ_TO_TJ', 'TJ_TO_KZ')
    group by flow_pair
    


