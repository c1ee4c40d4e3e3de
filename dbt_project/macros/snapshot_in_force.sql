{#-
    The order of a parcel's cadastre snapshots for something that happened on `event_date`: first
    the snapshot in force that day (the latest changed on or before it), else the parcel's first
    snapshot; ties by file quarter, load, file and row, as in int_land_parcels__current. Used as
    `row_number() over (partition by <event> order by {{ snapshot_in_force_order('snapshots',
    'events.event_date') }})`: rank 1 is the snapshot to take district and category from.
-#}
{% macro snapshot_in_force_order(snapshot, event_date) -%}
    {%- set changed_on = dbt.cast(snapshot ~ '.updated_at', 'date') -%}
    case when {{ changed_on }} <= {{ event_date }} then 0 else 1 end,
    case when {{ changed_on }} <= {{ event_date }} then {{ snapshot }}.updated_at end desc,
    {{ snapshot }}.updated_at,
    {{ snapshot }}.partition_quarter desc,
    {{ snapshot }}._loaded_at desc,
    {{ snapshot }}._source_file desc,
    {{ snapshot }}._source_row desc
{%- endmacro %}
