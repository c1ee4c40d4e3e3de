-- One row per parcel history event with the parcel's state before and after it
-- (int_land_parcel_history), the parcel's region, district and land category as the cadastre
-- showed them on the event date (the latest snapshot changed on or before that day, else its first
-- snapshot, as in fct_land_observations: a parcel reclassified later keeps its past hectares in the
-- category they had), and the growing season the event is counted in by mart_land_utilization:
-- the season it falls in, or the next one when it falls between seasons. Season windows: SPRING of
-- year Y = 1 November Y-1 .. 31 May Y (the winter months count towards the coming spring), SUMMER =
-- June .. August, AUTUMN = September .. October. Every event falls in exactly one window.
with history as (
    select * from {{ ref('int_land_parcel_history') }}
),

snapshots as (
    select * from {{ ref('stg_land__parcels') }}
),

-- Names of the codes in force on the event date (not the parcel's current district's names).
districts as (
    select
        kato_code,
        name_ru
    from {{ ref('stg_ref__kato_units') }}
),

regions as (
    select
        region_kato_2digit,
        name_en
    from {{ ref('stg_ref__kz_regions') }}
),

snapshot_candidates as (
    select
        history.event_id,
        snapshots.region_kato_2digit,
        snapshots.district_kato_code,
        snapshots.land_category,
        row_number() over (
            partition by history.event_id
            order by {{ snapshot_in_force_order('snapshots', 'history.event_date') }}
        ) as snapshot_rank
    from history
    inner join snapshots
        on history.cadastral_number = snapshots.cadastral_number
),

snapshot_at_event as (
    select * from snapshot_candidates
    where snapshot_rank = 1
),

dated as (
    select
        history.*,
        {{ dbt.cast('extract(year from history.event_date)', dbt.type_int()) }} as event_year,
        {{ dbt.cast('extract(month from history.event_date)', dbt.type_int()) }} as event_month
    from history
),

seasoned as (
    select
        *,
        case when event_month >= 11 then event_year + 1 else event_year end as season_year,
        case
            when event_month >= 11 or event_month <= 5 then 'SPRING'
            when event_month <= 8 then 'SUMMER'
            else 'AUTUMN'
        end as season_name,
        case
            when event_month >= 11 or event_month <= 5 then 1
            when event_month <= 8 then 2
            else 3
        end as season_order
    from dated
)

select
    seasoned.event_id,
    seasoned.cadastral_number,
    seasoned.event_seq,
    seasoned.event_type,
    seasoned.event_date,
    seasoned.event_year,
    {{ quarter_label('seasoned.event_date') }} as event_quarter,
    seasoned.recorded_at,
    seasoned.reason,
    seasoned.channel,
    seasoned.new_holder_type,
    seasoned.area_ha,
    seasoned.parcel_area_ha,
    seasoned.is_partial,
    seasoned.previous_state,
    seasoned.state,
    seasoned.next_state,
    seasoned.days_since_previous_event,
    seasoned.is_expected_transition,
    snapshot_at_event.region_kato_2digit,
    regions.name_en as region_name_en,
    snapshot_at_event.district_kato_code,
    districts.name_ru as district_name_ru,
    snapshot_at_event.land_category,
    seasoned.season_year,
    seasoned.season_name,
    seasoned.season_order,
    {{ dbt.concat([dbt.cast('seasoned.season_year', dbt.type_string()), "'-'", 'seasoned.season_name']) }}
        as season_label,
    seasoned.season_year * 3 + seasoned.season_order as season_seq
from seasoned
left join snapshot_at_event
    on seasoned.event_id = snapshot_at_event.event_id
left join districts
    on snapshot_at_event.district_kato_code = districts.kato_code
left join regions
    on snapshot_at_event.region_kato_2digit = regions.region_kato_2digit
