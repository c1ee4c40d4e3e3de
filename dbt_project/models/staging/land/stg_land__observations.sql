-- One row per parcel and season. Two steps:
-- 1. a re-sent observation (same observation_id in several files) is kept once: its latest
--    received copy (latest file quarter, then load, file and row); copies_received counts them;
-- 2. when a parcel still has several observations for one season (different ids), the one with
--    the latest observation_date is kept (ties: latest received, then the highest id);
--    observations_in_season counts the distinct ids.
-- season_seq numbers the growing seasons in order (SPRING < SUMMER < AUTUMN within a year, the
-- next year's SPRING after AUTUMN): season_seq - 1 is the previous season.
with source as (
    select * from {{ source('raw', 'land_observations') }}
),

copies as (
    select
        *,
        row_number() over (
            partition by observation_id
            order by _partition_quarter desc, _loaded_at desc, _source_file desc, _source_row desc
        ) as copy_rank,
        count(*) over (partition by observation_id) as copies_received
    from source
),

unique_observations as (
    select * from copies
    where copy_rank = 1
),

ranked as (
    select
        *,
        row_number() over (
            partition by cadastral_number, season
            order by
                observation_date desc,
                _partition_quarter desc,
                _loaded_at desc,
                observation_id desc
        ) as season_rank,
        count(*) over (partition by cadastral_number, season) as observations_in_season
    from unique_observations
),

typed as (
    select
        {{ dbt.cast('observation_id', dbt.type_string()) }} as observation_id,
        {{ dbt.cast('cadastral_number', dbt.type_string()) }} as cadastral_number,
        season as season_label,
        {{ dbt.cast('season_year', dbt.type_int()) }} as season_year,
        season_name,
        case season_name
            when 'SPRING' then 1
            when 'SUMMER' then 2
            when 'AUTUMN' then 3
        end as season_order,
        {{ dbt.cast('observation_date', 'date') }} as observation_date,
        usage_class,
        ndvi,
        used_share,
        cloud_share,
        satellite,
        coalesce(season_matches_date, false) as season_matches_date,
        copies_received,
        observations_in_season,
        _partition_quarter as partition_quarter,
        _source_file,
        _source_row,
        _file_sha256,
        _load_id,
        _loaded_at
    from ranked
    where season_rank = 1
)

select
    observation_id,
    cadastral_number,
    season_label,
    season_year,
    season_name,
    season_order,
    season_year * 3 + season_order as season_seq,
    observation_date,
    usage_class,
    ndvi,
    used_share,
    cloud_share,
    satellite,
    season_matches_date,
    copies_received,
    observations_in_season,
    partition_quarter,
    _source_file,
    _source_row,
    _file_sha256,
    _load_id,
    _loaded_at
from typed
