-- One row per subsoil-use licence: its latest snapshot (latest updated_at; ties: latest file
-- quarter, then latest load, file and row), with when it was first published, how many snapshots
-- it has, and the names of its district (KATO level 2) and region.
with snapshots as (
    select * from {{ ref('stg_subsoil__sites') }}
),

districts as (
    select
        kato_code,
        name_ru
    from {{ ref('stg_ref__kato_units') }}
),

regions as (
    select
        region_kato_2digit,
        name_en,
        name_ru
    from {{ ref('stg_ref__kz_regions') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by licence_number
            order by
                updated_at desc,
                partition_quarter desc,
                _loaded_at desc,
                _source_file desc,
                _source_row desc
        ) as snapshot_rank,
        count(*) over (partition by licence_number) as snapshot_count,
        min(updated_at) over (partition by licence_number) as first_published_at
    from snapshots
)

select
    ranked.licence_number,
    ranked.licence_type,
    ranked.holder_name,
    ranked.mineral,
    ranked.region_kato_2digit,
    regions.name_en as region_name_en,
    regions.name_ru as region_name_ru,
    ranked.district_kato_code,
    districts.name_ru as district_name_ru,
    ranked.licence_start_date,
    ranked.licence_end_date,
    ranked.area_ha,
    ranked.geometry_wkt,
    ranked.geometry_is_valid,
    ranked.geometry_issue,
    ranked.geometry_area_ha,
    ranked.centroid_lon,
    ranked.centroid_lat,
    ranked.area_diff_ha,
    ranked.area_mismatch,
    ranked.updated_at,
    ranked.partition_quarter,
    ranked.first_published_at,
    ranked.snapshot_count,
    ranked.snapshot_rank
from ranked
left join districts
    on ranked.district_kato_code = districts.kato_code
left join regions
    on ranked.region_kato_2digit = regions.region_kato_2digit
where ranked.snapshot_rank = 1
