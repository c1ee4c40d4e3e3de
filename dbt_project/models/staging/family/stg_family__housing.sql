-- The housing extract, one row per family and month as loaded (raw.family_housing).
with source as (
    select * from {{ source('raw', 'family_housing') }}
)

select
    family_key,
    dwelling_type,
    area_m2,
    rooms,
    has_water,
    has_sewerage,
    has_heating,
    _partition_month as extract_month,
    _source_file,
    _source_row,
    _load_id
from source
