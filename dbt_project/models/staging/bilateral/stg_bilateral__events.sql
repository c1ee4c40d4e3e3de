-- One row per bilateral event (source raw.bilateral_events), renamed and typed; parties also as
-- one comma-separated label.
with source as (
    select * from {{ source('raw', 'bilateral_events') }}
)

select
    {{ dbt.cast('id', dbt.type_string()) }} as event_id,
    {{ dbt.cast('date', 'date') }} as event_date,
    type as event_type,
    title as event_title,
    parties,
    {{ join_list('parties', "', '") }} as parties_label,
    place,
    summary,
    source_url,
    source_note,
    confidence,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at
from source
