-- One row per parcel history event with the parcel's state before and after it
-- (int_land_parcel_history), the parcel's region, district and land category, and the growing
-- season the event is counted in by mart_land_utilization: the season it falls in, or the next one
-- when it falls between seasons. Season windows: SPRING of year Y = 1 November Y-1 .. 31 May Y
-- (the winter months count towards the coming spring), SUMMER = June .. August, AUTUMN =
-- September .. October. Every event falls in exactly one window.
with history as (
    select * from {{ ref('int_land_parcel_history') }}
),

parcels as (
    select
        cadastral_number,
        region_kato_2digit,
        region_name_en,
        district_kato_code,
        district_name_ru,
        land_category
    from {{ ref('int_land_parcels__current') }}
),

dated as (
    select
        history.*,
        {{ dbt.cast('extract(year from history.event_date)', dbt.type_int()) }} as event_year,
        {{ dbt.cast('extract(month from history.event_date)', dbt.type_int()) }} as event_month,
        {{ dbt.cast('extract(quarter from history.event_date)', dbt.type_int()) }} as event_quarter_number
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
    {{ dbt.concat([
        dbt.cast('seasoned.event_year', dbt.type_string()),
        "'-Q'",
        dbt.cast('seasoned.event_quarter_number', dbt.type_string())
    ]) }} as event_quarter,
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
    parcels.region_kato_2digit,
    parcels.region_name_en,
    parcels.district_kato_code,
    parcels.district_name_ru,
    parcels.land_category,
    seasoned.season_year,
    seasoned.season_name,
    seasoned.season_order,
    {{ dbt.concat([dbt.cast('seasoned.season_year', dbt.type_string()), "'-'", 'seasoned.season_name']) }}
        as season_label,
    seasoned.season_year * 3 + seasoned.season_order as season_seq
from seasoned
left join parcels
    on seasoned.cadastral_number = parcels.cadastral_number
