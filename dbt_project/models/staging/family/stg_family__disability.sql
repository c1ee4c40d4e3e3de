-- The disability extract, one row per member and month as loaded (raw.family_disability).
with source as (
    select * from {{ source('raw', 'family_disability') }}
)

select
    member_key,
    disability_group,
    established_on,
    _partition_month as extract_month,
    _source_file,
    _source_row,
    _load_id
from source
