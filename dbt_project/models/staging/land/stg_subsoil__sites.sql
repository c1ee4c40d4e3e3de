-- One row per subsoil-use licence snapshot (one per quarter file the licence was issued or
-- changed in), renamed and typed, with the region (first two digits of the district KATO code).
with source as (
    select * from {{ source('raw', 'subsoil_sites') }}
)

select
    {{ dbt.cast('licence_number', dbt.type_string()) }} as licence_number,
    licence_type,
    holder_name,
    mineral,
    {{ dbt.cast('kato_code', dbt.type_string()) }} as district_kato_code,
    case
        when length(kato_code) = 9 then substr(kato_code, 1, 2)
    end as region_kato_2digit,
    {{ dbt.cast('licence_start', 'date') }} as licence_start_date,
    {{ dbt.cast('licence_end', 'date') }} as licence_end_date,
    {{ hectares('area_ha') }} as area_ha,
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
