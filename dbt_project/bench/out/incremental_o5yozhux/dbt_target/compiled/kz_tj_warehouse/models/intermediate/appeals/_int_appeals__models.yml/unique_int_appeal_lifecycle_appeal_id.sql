
    
    

select
    appeal_id as unique_field,
    count(*) as n_records

from "warehouse"."intermediate"."int_appeal_lifecycle"
where appeal_id is not null
group by appeal_id
having count(*) > 1


