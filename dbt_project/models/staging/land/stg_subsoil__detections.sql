-- One row per detection of activity near a licensed subsoil site. Detection ids are unique; a
-- detection re-sent in a later file is kept once, as its latest received copy. is_outside_contour
-- is true only when the load decided the point lies outside the licensed contour (inside_contour
-- false); undecided containment (no contour, unreadable point) stays null.
with source as (
    select * from {{ source('raw', 'subsoil_detections') }}
),

copies as (
    select
        *,
        row_number() over (
            partition by detection_id
            order by _partition_quarter desc, _loaded_at desc, _source_file desc, _source_row desc
        ) as copy_rank,
        count(*) over (partition by detection_id) as copies_received
    from source
)

select
    {{ dbt.cast('detection_id', dbt.type_string()) }} as detection_id,
    {{ dbt.cast('licence_number', dbt.type_string()) }} as licence_number,
    {{ dbt.cast('detection_date', 'date') }} as detection_date,
    activity_type,
    {{ hectares('disturbed_area_ha') }} as disturbed_area_ha,
    confidence,
    satellite,
    geometry_wkt,
    coalesce(licence_known, false) as licence_known,
    point_lon,
    point_lat,
    inside_contour,
    not inside_contour as is_outside_contour,
    coalesce(on_contour_edge, false) as on_contour_edge,
    distance_outside_m,
    contour_issue,
    copies_received,
    _partition_quarter as partition_quarter,
    _source_file,
    _source_row,
    _file_sha256,
    _load_id,
    _loaded_at
from copies
where copy_rank = 1
