-- One row per parcel history event. Event ids are unique; should one be re-sent in a later
-- quarter's file it is kept once, as its latest received copy (latest file quarter, then load,
-- file and row); copies_received counts the copies. Empty reason / channel / new holder become null.
with source as (
    select * from {{ source('raw', 'land_parcel_events') }}
),

copies as (
    select
        *,
        row_number() over (
            partition by event_id
            order by _partition_quarter desc, _loaded_at desc, _source_file desc, _source_row desc
        ) as copy_rank,
        count(*) over (partition by event_id) as copies_received
    from source
)

select
    {{ dbt.cast('event_id', dbt.type_string()) }} as event_id,
    {{ dbt.cast('cadastral_number', dbt.type_string()) }} as cadastral_number,
    event_type,
    {{ dbt.cast('event_date', 'date') }} as event_date,
    {{ hectares('area_ha') }} as area_ha,
    nullif(reason, '') as reason,
    nullif(channel, '') as channel,
    nullif(new_holder_type, '') as new_holder_type,
    {{ dbt.cast('recorded_at', dbt.type_timestamp()) }} as recorded_at,
    {{ dbt.datediff('event_date', dbt.cast('recorded_at', 'date'), 'day') }} as days_to_record,
    copies_received,
    _partition_quarter as partition_quarter,
    _source_file,
    _source_row,
    _file_sha256,
    _load_id,
    _loaded_at
from copies
where copy_rank = 1
