-- A table, not a view: picking the latest snapshot ranks every snapshot, and the lifecycle, both
-- facts and the tests read the result (as a view each of them ranked every snapshot again).
-- Incremental by appeal on DuckDB (macros/appeals_increment.sql): a run ranks again only the
-- appeals with a snapshot loaded after its watermark.
{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='replace_appeals',
        on_schema_change='append_new_columns',
        meta={'appeals_watermarks': {'eotinish_appeals': '_last_loaded_at'}}
    )
}}
{%- set watermarks = appeals_watermarks() %}
{%- set touched -%}
    select appeal_id from {{ ref('stg_eotinish__appeals') }}
    where _loaded_at > {{ (watermarks or {}).get('eotinish_appeals') }}
{%- endset %}

-- One row per appeal: its latest snapshot (latest modified_at; ties: latest export day, then latest
-- load, then file and row), with when it was first seen and how many snapshots it has.
with snapshots as (
    select * from {{ ref('stg_eotinish__appeals') }}
    where true
    {{- appeals_only_in(watermarks, touched, bounds=appeal_id_bounds(watermarks, touched)) }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by appeal_id
            order by
                modified_at desc nulls last,
                partition_date desc,
                _loaded_at desc,
                _source_file desc,
                _source_row desc
        ) as snapshot_rank,
        count(*) over (partition by appeal_id) as snapshot_count,
        min(partition_date) over (partition by appeal_id) as first_partition_date,
        max(_loaded_at) over (partition by appeal_id) as _last_loaded_at
    from snapshots
)

select
    *,
    {{ built_at() }} as _built_at
from ranked
where snapshot_rank = 1
