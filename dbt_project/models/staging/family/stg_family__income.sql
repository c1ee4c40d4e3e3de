-- The income extract, one row per member and month as loaded (raw.family_income).
with source as (
    select * from {{ source('raw', 'family_income') }}
)

select
    member_key,
    income_source,
    income_kzt,
    pension_kzt,
    _partition_month as extract_month,
    _source_file,
    _source_row,
    _load_id
from source
