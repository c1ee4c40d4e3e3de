-- One row per first-level unit of Kazakhstan (17 oblasts and 3 cities of republican significance).
with source as (
    select * from {{ source('ref', 'kz_regions') }}
)

select
    {{ dbt.cast('kato_2digit', dbt.type_string()) }} as region_kato_2digit,
    {{ dbt.cast('kato_code', dbt.type_string()) }} as kato_code,
    name_ru,
    name_en,
    iso3166_2,
    -- the loader writes 'city_republican_significance' for Astana, Almaty and Shymkent
    case when region_type like 'city%' then 'city' else region_type end as region_type,
    {{ dbt.cast('created', 'date') }} as created_date
from source
