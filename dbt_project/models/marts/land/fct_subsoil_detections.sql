-- One row per detection of activity near a licensed subsoil site, with the licence's region,
-- district, type, mineral and holder (current licence snapshot; the region comes from the
-- licence's KATO code) and whether the scene predates the licence or follows its end.
-- is_outside_contour: the point lies outside the licensed contour in force on the detection date
-- (an edge counts as inside); null when the load could not decide.
-- compliance_category: outside_contour (whatever the dates); else after_licence_expiry when the
-- scene follows the licence's end (working after a licence ends is unlicensed work, even inside
-- its old contour); else inside_contour, or undecided. is_unlicensed: either of the first two.
with detections as (
    select * from {{ ref('stg_subsoil__detections') }}
),

licences as (
    select * from {{ ref('int_subsoil_sites__current') }}
)

select
    detections.detection_id,
    detections.licence_number,
    detections.detection_date,
    {{ dbt.cast('extract(year from detections.detection_date)', dbt.type_int()) }} as detection_year,
    {{ quarter_label('detections.detection_date') }} as detection_quarter,
    detections.activity_type,
    detections.disturbed_area_ha,
    detections.confidence,
    detections.satellite,
    detections.point_lon,
    detections.point_lat,
    detections.inside_contour,
    detections.is_outside_contour,
    detections.on_contour_edge,
    detections.distance_outside_m,
    detections.contour_issue,
    detections.licence_known,
    licences.region_kato_2digit,
    licences.region_name_en,
    licences.district_kato_code,
    licences.licence_type,
    licences.mineral,
    licences.holder_name,
    licences.licence_start_date,
    licences.licence_end_date,
    coalesce(detections.detection_date < licences.licence_start_date, false) as is_before_licence_start,
    coalesce(detections.detection_date > licences.licence_end_date, false) as is_after_licence_end,
    case
        when detections.is_outside_contour then 'outside_contour'
        when detections.detection_date > licences.licence_end_date then 'after_licence_expiry'
        when not detections.is_outside_contour then 'inside_contour'
        else 'undecided'
    end as compliance_category,
    coalesce(
        detections.is_outside_contour or detections.detection_date > licences.licence_end_date, false
    ) as is_unlicensed,
    detections.partition_quarter
from detections
left join licences
    on detections.licence_number = licences.licence_number
