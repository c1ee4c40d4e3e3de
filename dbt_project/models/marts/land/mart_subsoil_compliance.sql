-- Subsoil-use compliance by region and licence: every licence (and any licence number seen only
-- in detections) with its detections, those outside the licensed contour (is_outside_contour:
-- outside the contour in force on the detection date; an edge counts as inside), their disturbed
-- area and dates. Unlicensed work = outside the contour + after the licence's expiry (inside or
-- undecided but dated after the licence ended; compliance_category of fct_subsoil_detections).
-- A repeat offender has unlicensed detections in 2 or more distinct calendar quarters of the
-- detection date (several in one quarter count once).
with licences as (
    select * from {{ ref('dim_subsoil_licence') }}
),

detections as (
    select * from {{ ref('fct_subsoil_detections') }}
),

per_licence as (
    select
        licence_number,
        count(*) as detection_count,
        count(case when is_outside_contour then 1 end) as outside_detection_count,
        count(case when is_outside_contour is null then 1 end) as undecided_detection_count,
        sum(disturbed_area_ha) as disturbed_ha,
        sum(case when is_outside_contour then disturbed_area_ha else 0 end) as outside_disturbed_ha,
        min(detection_date) as first_detection_date,
        max(detection_date) as last_detection_date,
        min(case when is_outside_contour then detection_date end) as first_outside_detection_date,
        max(case when is_outside_contour then detection_date end) as last_outside_detection_date,
        count(distinct case when is_outside_contour then detection_quarter end) as outside_quarter_count,
        count(distinct case when is_outside_contour then detection_year end) as outside_year_count,
        max(case when is_outside_contour then distance_outside_m end) as max_distance_outside_m,
        count(case when is_after_licence_end then 1 end) as after_licence_end_detection_count,
        count(case when compliance_category = 'after_licence_expiry' then 1 end)
            as after_expiry_detection_count,
        count(case when is_unlicensed then 1 end) as unlicensed_detection_count,
        sum(case when is_unlicensed then disturbed_area_ha else 0 end) as unlicensed_disturbed_ha,
        count(distinct case when is_unlicensed then detection_quarter end) as unlicensed_quarter_count
    from detections
    group by licence_number
),

licence_numbers as (
    select licence_number from licences
    union
    select licence_number from per_licence
)

select
    licences.region_kato_2digit,
    licences.region_name_en,
    licence_numbers.licence_number,
    licences.licence_type,
    licences.holder_name,
    licences.mineral,
    licences.district_kato_code,
    licences.licence_start_date,
    licences.licence_end_date,
    licences.area_ha as licensed_area_ha,
    licences.geometry_is_valid as contour_is_valid,
    licences.licence_number is not null as licence_known,
    coalesce(per_licence.detection_count, 0) as detection_count,
    coalesce(per_licence.outside_detection_count, 0) as outside_detection_count,
    coalesce(per_licence.undecided_detection_count, 0) as undecided_detection_count,
    {{ dbt.cast('per_licence.outside_detection_count', 'double') }} / nullif(per_licence.detection_count, 0)
        as outside_share,
    coalesce(per_licence.disturbed_ha, 0) as disturbed_ha,
    coalesce(per_licence.outside_disturbed_ha, 0) as outside_disturbed_ha,
    per_licence.first_detection_date,
    per_licence.last_detection_date,
    per_licence.first_outside_detection_date,
    per_licence.last_outside_detection_date,
    coalesce(per_licence.outside_quarter_count, 0) as outside_quarter_count,
    coalesce(per_licence.outside_year_count, 0) as outside_year_count,
    per_licence.max_distance_outside_m,
    coalesce(per_licence.after_licence_end_detection_count, 0) as after_licence_end_detection_count,
    coalesce(per_licence.after_expiry_detection_count, 0) as after_expiry_detection_count,
    coalesce(per_licence.unlicensed_detection_count, 0) as unlicensed_detection_count,
    coalesce(per_licence.unlicensed_disturbed_ha, 0) as unlicensed_disturbed_ha,
    coalesce(per_licence.unlicensed_quarter_count, 0) as unlicensed_quarter_count,
    coalesce(per_licence.unlicensed_quarter_count >= 2, false) as is_repeat_offender
from licence_numbers
left join licences
    on licence_numbers.licence_number = licences.licence_number
left join per_licence
    on licence_numbers.licence_number = per_licence.licence_number
