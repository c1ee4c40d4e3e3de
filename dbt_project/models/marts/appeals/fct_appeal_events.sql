-- Incremental by appeal on DuckDB (macros/appeals_increment.sql): a run rewrites the events of
-- the appeals whose snapshot or events changed after its watermarks.
{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='replace_appeals',
        on_schema_change='append_new_columns',
        meta={
            'appeals_watermarks': {
                'eotinish_appeals': '_snapshots_loaded_at',
                'eotinish_appeal_events': '_events_loaded_at'
            }
        }
    )
}}
{%- set watermarks = appeals_watermarks() %}
{%- set touched = appeals_changed_in_chain(watermarks) %}

-- One row per unique appeal event (re-sends removed), in appeal order, with the appeal's current
-- attributes. Events whose appeal has no snapshot (yet) keep null appeal attributes.
with events as (
    select * from {{ ref('stg_eotinish__appeal_events') }}
    where true
    {{- appeals_only_in(watermarks, touched) }}
),

appeals as (
    select * from {{ ref('int_appeals__current') }}
    where true
    {{- appeals_only_in(watermarks, touched) }}
)

select
    events.event_id,
    events.appeal_id,
    events.event_seq,
    events.event_type,
    events.state,
    events.working_state,
    events.actor_org_id,
    events.target_org_id,
    events.actor_user_id,
    events.event_at,
    events.event_date,
    events.recorded_at,
    events.is_late,
    events.partition_date,
    {{ dbt.datediff('events.event_date', 'events.partition_date', 'day') }} as days_late,
    events.copies_received,
    appeals.executive_org_id,
    appeals.receiving_org_id,
    appeals.region_kato_2digit,
    appeals.category_id,
    appeals.subcategory_id,
    appeals.appeal_type,
    appeals.channel,
    appeals.appeal_form,
    appeals.appeal_character,
    appeals.start_date,
    events._source_file,
    events._source_row,
    events._load_id,
    events._last_loaded_at as _events_loaded_at,
    appeals._last_loaded_at as _snapshots_loaded_at,
    {{ built_at() }} as _built_at
from events
left join appeals
    on events.appeal_id = appeals.appeal_id
