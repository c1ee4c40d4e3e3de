-- The loans extract, one row per member and month as loaded (raw.family_loans).
with source as (
    select * from {{ source('raw', 'family_loans') }}
)

select
    member_key,
    loans_active,
    loan_debt_kzt,
    overdue_90_days,
    _partition_month as extract_month,
    _source_file,
    _source_row,
    _load_id
from source
