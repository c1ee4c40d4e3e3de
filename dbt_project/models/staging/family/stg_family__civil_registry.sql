-- The civil registry extract, one row per member and month as loaded (raw.family_civil_registry).
with source as (
    select * from {{ source('raw', 'family_civil_registry') }}
)

select
    member_key,
    family_key,
    relation_to_head,
    sex,
    birth_date,
    death_date,
    marital_status,
    region_kato,
    _partition_month as extract_month,
    _source_file,
    _source_row,
    _load_id
from source
