




    select
        'warehouse_measure' as column_name,
        cast(warehouse_measure as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."mart_trade_reference_reconciliation"
    where
        warehouse_measure is not null
        and warehouse_measure not in ('turnover', 'kz_to_tj', 'tj_to_kz')
    group by warehouse_measure
    


