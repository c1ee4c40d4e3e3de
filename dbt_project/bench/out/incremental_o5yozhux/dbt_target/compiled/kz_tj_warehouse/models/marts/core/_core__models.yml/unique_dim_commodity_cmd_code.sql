
    
    

select
    cmd_code as unique_field,
    count(*) as n_records

from "warehouse"."marts"."dim_commodity"
where cmd_code is not null
group by cmd_code
having count(*) > 1


