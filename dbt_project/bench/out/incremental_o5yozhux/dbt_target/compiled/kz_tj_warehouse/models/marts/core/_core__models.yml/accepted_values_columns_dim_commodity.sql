




    select
        'commodity_level' as column_name,
        cast(commodity_level as TEXT) as value,
        count(*) as n_records
    from "warehouse"."marts"."dim_commodity"
    where
        commodity_level is not null
        and commodity_level not in ('total', 'hs_chapter', 'hs_heading', 'hs_subheading', 'other')
    group by commodity_level
    


