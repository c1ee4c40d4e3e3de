-- The health extract, one row per member and month as loaded (raw.family_health).
with source as (
    select * from {{ source('raw', 'family_health') }}
)

select
    member_key,
    clinic_attached,
    chronic_registered,
    pregnancy_registered,
    _partition_month as extract_month,
    _source_file,
    _source_row,
    _load_id
from source
