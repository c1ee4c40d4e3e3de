




    select
        'aggr_level' as column_name,
        cast(aggr_level as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."mart_commodity_mix"
    where
        aggr_level is not null
        and aggr_level not in (2, 4, 6)
    group by aggr_level
    


