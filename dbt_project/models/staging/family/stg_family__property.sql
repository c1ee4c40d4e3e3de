-- The property extract, one row per member and month as loaded (raw.family_property).
with source as (
    select * from {{ source('raw', 'family_property') }}
)

select
    member_key,
    real_estate_count,
    vehicle_count,
    property_value_kzt,
    _partition_month as extract_month,
    _source_file,
    _source_row,
    _load_id
from source
