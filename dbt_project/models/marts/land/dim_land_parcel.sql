-- One row per cadastral parcel: its current snapshot (holder, tenure, area, outline and its
-- checks), district and region, and its current state from the parcel history (HELD when it has
-- no events) with a summary of its events.
with parcels as (
    select * from {{ ref('int_land_parcels__current') }}
),

history as (
    select * from {{ ref('int_land_parcel_history') }}
),

event_summary as (
    select
        cadastral_number,
        count(*) as event_count,
        max(case when is_current_state then state end) as current_state,
        max(case when is_current_state then state_valid_from end) as current_state_since,
        min(case when event_type = 'NOTICE_ISSUED' then event_date end) as first_notice_date,
        max(case when event_type = 'WITHDRAWN' then event_date end) as last_withdrawn_date,
        max(case when event_type = 'REDISTRIBUTED' then event_date end) as last_redistributed_date,
        sum(case when event_type = 'WITHDRAWN' then area_ha else 0 end) as withdrawn_ha,
        sum(case when event_type = 'REDISTRIBUTED' then area_ha else 0 end) as redistributed_ha
    from history
    group by cadastral_number
)

select
    parcels.cadastral_number,
    parcels.region_kato_2digit,
    parcels.region_name_en,
    parcels.district_kato_code,
    parcels.district_name_ru,
    parcels.land_category,
    parcels.area_ha,
    parcels.holder_type,
    parcels.holder_id,
    parcels.tenure_type,
    parcels.lease_start_date,
    parcels.lease_end_date,
    parcels.geometry_wkt,
    parcels.geometry_is_valid,
    parcels.geometry_issue,
    parcels.geometry_area_ha,
    parcels.area_mismatch,
    parcels.centroid_lon,
    parcels.centroid_lat,
    parcels.first_registered_at,
    parcels.first_partition_quarter,
    parcels.updated_at,
    parcels.snapshot_count,
    coalesce(event_summary.current_state, 'HELD') as current_state,
    event_summary.current_state_since,
    coalesce(event_summary.event_count, 0) as event_count,
    event_summary.first_notice_date,
    event_summary.last_withdrawn_date,
    event_summary.last_redistributed_date,
    coalesce(event_summary.withdrawn_ha, 0) as withdrawn_ha,
    coalesce(event_summary.redistributed_ha, 0) as redistributed_ha
from parcels
left join event_summary
    on parcels.cadastral_number = event_summary.cadastral_number
