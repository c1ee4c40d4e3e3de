

with validation as (
    select
        _source_file, _source_row,
        count(*) as n_rows
    from "warehouse"."staging"."stg_eotinish__appeals"
    group by _source_file, _source_row
)

select *
from validation
where n_rows > 1

