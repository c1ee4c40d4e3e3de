-- One row per parcel snapshot (one per quarter file the parcel appears in), renamed and typed.
-- region_kato_2digit is the first two digits of the district's 9-digit KATO code. Geometry flags
-- from the load are kept as they are: a bad geometry never removes a parcel's hectares.
with source as (
    select * from {{ source('raw', 'land_parcels') }}
)

select
    {{ dbt.cast('cadastral_number', dbt.type_string()) }} as cadastral_number,
    {{ dbt.cast('kato_code', dbt.type_string()) }} as district_kato_code,
    case
        when length(kato_code) = 9 then substr(kato_code, 1, 2)
    end as region_kato_2digit,
    land_category,
    {{ hectares('area_ha') }} as area_ha,
    holder_type,
    nullif(holder_id, '') as holder_id,
    tenure_type,
    {{ dbt.cast('lease_start', 'date') }} as lease_start_date,
    {{ dbt.cast('lease_end', 'date') }} as lease_end_date,
    geometry_wkt,
    {{ dbt.cast('updated_at', dbt.type_timestamp()) }} as updated_at,
    coalesce(geometry_is_valid, false) as geometry_is_valid,
    geometry_issue,
    geometry_area_ha,
    centroid_lon,
    centroid_lat,
    area_diff_ha,
    area_mismatch,
    _partition_quarter as partition_quarter,
    _source_file,
    _source_row,
    _file_sha256,
    _load_id,
    _loaded_at
from source
