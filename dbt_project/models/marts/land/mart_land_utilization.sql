-- Land use by region, district, land category and growing season.
--   observed_ha:  stated hectares of parcels whose scene shows the ground (not NO_DATA);
--   unused_ha:    UNUSED parcels' whole area + PARTLY_USED parcels' area * (1 - used_share)
--                 (USED parcels count as used in full; NO_DATA parcels are left out);
--   unused_share: unused_ha / observed_ha.
-- The change from the previous season compares with the same district and category one season
-- earlier (SPRING < SUMMER < AUTUMN within a year, then the next year's SPRING); it is null when
-- that season has no row or nothing observed. Hectares returned to the state (WITHDRAWN events)
-- and redistributed (REDISTRIBUTED) count in the season window their event date falls in: the
-- season itself, or the next season for dates between seasons (November to March count towards
-- SPRING), see fct_land_parcel_events. A district, category and season with events but no
-- observations still has a row (e.g. a SPRING after the last observed AUTUMN).
with observations as (
    select * from {{ ref('fct_land_observations') }}
),

events as (
    select * from {{ ref('fct_land_parcel_events') }}
),

observed as (
    select
        district_kato_code,
        land_category,
        season_seq,
        max(region_kato_2digit) as region_kato_2digit,
        max(region_name_en) as region_name_en,
        max(district_name_ru) as district_name_ru,
        max(season_label) as season_label,
        max(season_year) as season_year,
        max(season_name) as season_name,
        count(*) as parcel_count,
        count(case when is_observed then 1 end) as observed_parcel_count,
        count(case when usage_class = 'UNUSED' then 1 end) as unused_parcel_count,
        count(case when usage_class = 'PARTLY_USED' then 1 end) as partly_used_parcel_count,
        sum(area_ha) as parcel_area_ha,
        sum(observed_ha) as observed_ha,
        sum(case when is_observed then 0 else area_ha end) as no_data_ha,
        sum(used_ha) as used_ha,
        coalesce(sum(unused_ha), 0) as unused_ha,
        sum(case when parcel_state = 'WITHDRAWN' then coalesce(unused_ha, 0) else 0 end)
            as unused_ha_state_held
    from observations
    group by district_kato_code, land_category, season_seq
),

event_totals as (
    select
        district_kato_code,
        land_category,
        season_seq,
        max(region_kato_2digit) as region_kato_2digit,
        max(region_name_en) as region_name_en,
        max(district_name_ru) as district_name_ru,
        max(season_label) as season_label,
        max(season_year) as season_year,
        max(season_name) as season_name,
        sum(case when event_type = 'WITHDRAWN' then area_ha else 0 end) as returned_to_state_ha,
        count(case when event_type = 'WITHDRAWN' then 1 end) as returned_to_state_count,
        sum(case when event_type = 'REDISTRIBUTED' then area_ha else 0 end) as redistributed_ha,
        count(case when event_type = 'REDISTRIBUTED' then 1 end) as redistributed_count,
        count(case when event_type = 'NOTICE_ISSUED' then 1 end) as notice_issued_count,
        count(case when event_type = 'BACK_IN_USE' then 1 end) as back_in_use_count
    from events
    group by district_kato_code, land_category, season_seq
),

grain as (
    select
        district_kato_code,
        land_category,
        season_seq
    from observed
    union
    select
        district_kato_code,
        land_category,
        season_seq
    from event_totals
),

combined as (
    select
        grain.district_kato_code,
        grain.land_category,
        grain.season_seq,
        coalesce(observed.region_kato_2digit, event_totals.region_kato_2digit) as region_kato_2digit,
        coalesce(observed.region_name_en, event_totals.region_name_en) as region_name_en,
        coalesce(observed.district_name_ru, event_totals.district_name_ru) as district_name_ru,
        coalesce(observed.season_label, event_totals.season_label) as season_label,
        coalesce(observed.season_year, event_totals.season_year) as season_year,
        coalesce(observed.season_name, event_totals.season_name) as season_name,
        coalesce(observed.parcel_count, 0) as parcel_count,
        coalesce(observed.observed_parcel_count, 0) as observed_parcel_count,
        coalesce(observed.unused_parcel_count, 0) as unused_parcel_count,
        coalesce(observed.partly_used_parcel_count, 0) as partly_used_parcel_count,
        coalesce(observed.parcel_area_ha, 0) as parcel_area_ha,
        coalesce(observed.observed_ha, 0) as observed_ha,
        coalesce(observed.no_data_ha, 0) as no_data_ha,
        coalesce(observed.used_ha, 0) as used_ha,
        coalesce(observed.unused_ha, 0) as unused_ha,
        coalesce(observed.unused_ha_state_held, 0) as unused_ha_state_held,
        {{ dbt.cast('observed.unused_ha', 'double') }} / nullif(observed.observed_ha, 0) as unused_share,
        coalesce(event_totals.returned_to_state_ha, 0) as returned_to_state_ha,
        coalesce(event_totals.returned_to_state_count, 0) as returned_to_state_count,
        coalesce(event_totals.redistributed_ha, 0) as redistributed_ha,
        coalesce(event_totals.redistributed_count, 0) as redistributed_count,
        coalesce(event_totals.notice_issued_count, 0) as notice_issued_count,
        coalesce(event_totals.back_in_use_count, 0) as back_in_use_count
    from grain
    left join observed
        on
            grain.district_kato_code = observed.district_kato_code
            and grain.land_category = observed.land_category
            and grain.season_seq = observed.season_seq
    left join event_totals
        on
            grain.district_kato_code = event_totals.district_kato_code
            and grain.land_category = event_totals.land_category
            and grain.season_seq = event_totals.season_seq
),

with_previous as (
    select
        *,
        lag(season_seq) over (
            partition by district_kato_code, land_category order by season_seq
        ) as lag_season_seq,
        lag(season_label) over (
            partition by district_kato_code, land_category order by season_seq
        ) as lag_season_label,
        lag(unused_ha) over (
            partition by district_kato_code, land_category order by season_seq
        ) as lag_unused_ha,
        lag(observed_ha) over (
            partition by district_kato_code, land_category order by season_seq
        ) as lag_observed_ha,
        lag(unused_share) over (
            partition by district_kato_code, land_category order by season_seq
        ) as lag_unused_share
    from combined
),

previous_season as (
    select
        *,
        coalesce(lag_season_seq = season_seq - 1 and lag_observed_ha > 0, false) as has_previous_season
    from with_previous
)

select
    region_kato_2digit,
    region_name_en,
    district_kato_code,
    district_name_ru,
    land_category,
    season_label,
    season_year,
    season_name,
    season_seq,
    parcel_count,
    observed_parcel_count,
    unused_parcel_count,
    partly_used_parcel_count,
    parcel_area_ha,
    observed_ha,
    no_data_ha,
    used_ha,
    unused_ha,
    unused_share,
    unused_ha_state_held,
    case when has_previous_season then lag_season_label end as previous_season_label,
    case when has_previous_season then lag_unused_ha end as previous_unused_ha,
    case when has_previous_season then lag_unused_share end as previous_unused_share,
    case when has_previous_season and observed_ha > 0 then unused_ha - lag_unused_ha end
        as unused_ha_change,
    case when has_previous_season then unused_share - lag_unused_share end as unused_share_change,
    returned_to_state_ha,
    returned_to_state_count,
    redistributed_ha,
    redistributed_count,
    notice_issued_count,
    back_in_use_count
from previous_season
