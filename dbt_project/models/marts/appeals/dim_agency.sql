-- One row per organisation of the eOtinish organisations seed, with its parent and region.
with organisations as (
    select
        {{ dbt.cast('org_id', dbt.type_int()) }} as org_id,
        org_name,
        org_kind,
        {{ dbt.cast('region_kato_2digit', dbt.type_string()) }} as region_kato_2digit,
        {{ dbt.cast('parent_org_id', dbt.type_int()) }} as parent_org_id
    from {{ ref('eotinish_organisations') }}
),

regions as (
    select * from {{ ref('dim_region') }}
)

select
    organisations.org_id,
    organisations.org_name,
    organisations.org_kind,
    organisations.region_kato_2digit,
    regions.name_ru as region_name_ru,
    regions.name_en as region_name_en,
    organisations.parent_org_id,
    parents.org_name as parent_org_name,
    organisations.region_kato_2digit is null as is_national
from organisations
left join organisations as parents
    on organisations.parent_org_id = parents.org_id
left join regions
    on organisations.region_kato_2digit = regions.region_kato_2digit
