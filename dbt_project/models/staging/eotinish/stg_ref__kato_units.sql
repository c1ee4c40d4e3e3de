-- One row per KATO unit (9-digit code).
with source as (
    select * from {{ source('ref', 'kato_units') }}
)

select
    {{ dbt.cast('code', dbt.type_string()) }} as kato_code,
    {{ dbt.cast('parent_code', dbt.type_string()) }} as parent_kato_code,
    name_ru,
    {{ dbt.cast('level', dbt.type_int()) }} as kato_level,
    coalesce(
        {{ dbt.cast('region_kato_2digit', dbt.type_string()) }}, substr(code, 1, 2)
    ) as region_kato_2digit
from source
