-- One row per proactive-service event; a re-sent event id is kept once (its latest received copy).
with source as (
    select * from {{ source('raw', 'family_proactive_events') }}
),

copies as (
    select
        *,
        row_number() over (
            partition by event_id
            order by _partition_date desc, _loaded_at desc, _source_file desc, _source_row desc
        ) as copy_rank
    from source
)

select
    event_id,
    offer_id,
    family_key,
    member_key,
    benefit_type,
    event_type,
    event_time,
    event_date,
    answer_deadline,
    amount_kzt,
    region_kato,
    left(region_kato, 2) as region_kato_2digit,
    _partition_date as received_date,
    _source_file,
    _source_row,
    _load_id
from copies
where copy_rank = 1
