
    
    

select
    commitment_id as unique_field,
    count(*) as n_records

from "warehouse"."marts"."mart_commitment_progress"
where commitment_id is not null
group by commitment_id
having count(*) > 1


