
    
    

select
    reference_id as unique_field,
    count(*) as n_records

from "warehouse"."marts"."mart_trade_reference_reconciliation"
where reference_id is not null
group by reference_id
having count(*) > 1


