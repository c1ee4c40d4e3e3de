
    
    

select
    event_sequence as unique_field,
    count(*) as n_records

from "warehouse"."marts"."mart_bilateral_timeline"
where event_sequence is not null
group by event_sequence
having count(*) > 1


