-- One row per subsoil-use licence: its current snapshot with licensed contour, district and region.
with licences as (
    select * from {{ ref('int_subsoil_sites__current') }}
)

select
    licence_number,
    licence_type,
    holder_name,
    mineral,
    region_kato_2digit,
    region_name_en,
    district_kato_code,
    district_name_ru,
    licence_start_date,
    licence_end_date,
    area_ha,
    geometry_wkt,
    geometry_is_valid,
    geometry_issue,
    geometry_area_ha,
    area_mismatch,
    centroid_lon,
    centroid_lat,
    first_published_at,
    updated_at,
    snapshot_count
from licences
