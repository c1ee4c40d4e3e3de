-- The social benefits extract, one row per member and month as loaded (raw.family_social_benefits).
with source as (
    select * from {{ source('raw', 'family_social_benefits') }}
)

select
    member_key,
    benefit_type,
    benefit_kzt,
    _partition_month as extract_month,
    _source_file,
    _source_row,
    _load_id
from source
