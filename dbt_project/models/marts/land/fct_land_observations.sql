-- One row per parcel and growing season (the deduplicated observation), with the parcel as the
-- cadastre showed it on the observation date (the latest snapshot changed on or before that day,
-- else its first snapshot), its state in the parcel history on that date, and hectares:
--   observed_ha = stated area when the scene shows the ground (usage_class <> NO_DATA), else 0;
--   unused_ha   = the whole stated area when UNUSED, area * (1 - used_share) when PARTLY_USED,
--                 0 when USED, null when NO_DATA (nothing seen);
--   used_ha     = observed_ha - unused_ha.
-- Hectares are DECIMAL(18, 4) (macro hectares): their sums in the marts are exact, so a rebuild
-- from the same files gives the same figures to the last digit.
-- Stated areas are used even when the outline is invalid or disagrees (flags on dim_land_parcel).
with observations as (
    select * from {{ ref('stg_land__observations') }}
),

snapshots as (
    select * from {{ ref('stg_land__parcels') }}
),

parcels as (
    select
        cadastral_number,
        first_registered_at
    from {{ ref('int_land_parcels__current') }}
),

-- Names of the codes in force on the observation date (not the parcel's current district's).
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

history as (
    select
        cadastral_number,
        state,
        state_valid_from,
        state_valid_to
    from {{ ref('int_land_parcel_history') }}
),

snapshot_candidates as (
    select
        observations.observation_id,
        snapshots.region_kato_2digit,
        snapshots.district_kato_code,
        snapshots.land_category,
        snapshots.area_ha,
        snapshots.holder_type,
        snapshots.tenure_type,
        row_number() over (
            partition by observations.observation_id
            order by {{ snapshot_in_force_order('snapshots', 'observations.observation_date') }}
        ) as snapshot_rank
    from observations
    inner join snapshots
        on observations.cadastral_number = snapshots.cadastral_number
),

snapshot_at_observation as (
    select * from snapshot_candidates
    where snapshot_rank = 1
),

joined as (
    select
        observations.*,
        snapshot_at_observation.region_kato_2digit,
        regions.name_en as region_name_en,
        snapshot_at_observation.district_kato_code,
        districts.name_ru as district_name_ru,
        snapshot_at_observation.land_category,
        snapshot_at_observation.area_ha,
        snapshot_at_observation.holder_type,
        snapshot_at_observation.tenure_type,
        parcels.first_registered_at,
        coalesce(history.state, 'HELD') as parcel_state,
        observations.usage_class <> 'NO_DATA' as is_observed
    from observations
    left join snapshot_at_observation
        on observations.observation_id = snapshot_at_observation.observation_id
    left join parcels
        on observations.cadastral_number = parcels.cadastral_number
    left join districts
        on snapshot_at_observation.district_kato_code = districts.kato_code
    left join regions
        on snapshot_at_observation.region_kato_2digit = regions.region_kato_2digit
    left join history
        on
            observations.cadastral_number = history.cadastral_number
            and observations.observation_date >= history.state_valid_from
            and (history.state_valid_to is null or observations.observation_date < history.state_valid_to)
),

measured as (
    select
        *,
        case when is_observed then area_ha else 0 end as observed_ha,
        case usage_class
            when 'UNUSED' then area_ha
            when 'PARTLY_USED' then {{ hectares('area_ha * (1 - used_share)') }}
            when 'USED' then 0
        end as unused_ha
    from joined
)

select
    observation_id,
    cadastral_number,
    season_label,
    season_year,
    season_name,
    season_order,
    season_seq,
    observation_date,
    region_kato_2digit,
    region_name_en,
    district_kato_code,
    district_name_ru,
    land_category,
    area_ha,
    holder_type,
    tenure_type,
    parcel_state,
    usage_class,
    ndvi,
    used_share,
    cloud_share,
    satellite,
    is_observed,
    observed_ha,
    unused_ha,
    observed_ha - coalesce(unused_ha, 0) as used_ha,
    coalesce(
        observation_date < {{ dbt.cast('first_registered_at', 'date') }}, false
    ) as is_before_registration,
    copies_received,
    observations_in_season,
    partition_quarter
from measured
