-- The education extract, one row per member and month as loaded (raw.family_education).
with source as (
    select * from {{ source('raw', 'family_education') }}
)

select
    member_key,
    institution_type,
    education_level,
    _partition_month as extract_month,
    _source_file,
    _source_row,
    _load_id
from source
