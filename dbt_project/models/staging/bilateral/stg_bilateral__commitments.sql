-- One row per commitment (source raw.bilateral_commitments), renamed and typed. An empty
-- reaffirmed_by is an empty list; deadline_is_assumed is false unless set.
with source as (
    select * from {{ source('raw', 'bilateral_commitments') }}
)

select
    {{ dbt.cast('id', dbt.type_string()) }} as commitment_id,
    {{ dbt.cast('event_id', dbt.type_string()) }} as event_id,
    coalesce(reaffirmed_by, {{ dbt.array_construct([], dbt.type_string()) }}) as reaffirmed_by_event_ids,
    title as commitment_title,
    indicator,
    {{ dbt.cast('target_value', 'double') }} as target_value,
    unit,
    {{ dbt.cast('baseline_value', 'double') }} as baseline_value,
    {{ dbt.cast('baseline_date', 'date') }} as baseline_date,
    {{ dbt.cast('deadline', 'date') }} as deadline_date,
    coalesce(deadline_is_assumed, false) as deadline_is_assumed,
    status_override,
    status_note,
    responsible_parties,
    {{ join_list('responsible_parties', "', '") }} as responsible_parties_label,
    source_url,
    source_note,
    _source_file,
    _source_row,
    _file_sha256,
    _loaded_at
from source
