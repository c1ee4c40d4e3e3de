

with validation as (
    select
        executive_org_id, region_kato_2digit, category_id, month_start,
        count(*) as n_rows
    from "warehouse"."marts"."mart_appeals_sla"
    group by executive_org_id, region_kato_2digit, category_id, month_start
)

select *
from validation
where n_rows > 1

