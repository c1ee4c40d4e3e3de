-- The employment extract, one row per member and month as loaded (raw.family_employment).
with source as (
    select * from {{ source('raw', 'family_employment') }}
)

select
    member_key,
    employment_status,
    _partition_month as extract_month,
    _source_file,
    _source_row,
    _load_id
from source
