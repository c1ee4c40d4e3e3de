-- One row per appeal category or subcategory of the eOtinish categories seed, with its parent.
with categories as (
    select
        {{ dbt.cast('category_id', dbt.type_string()) }} as category_id,
        category_name,
        {{ dbt.cast('parent_category_id', dbt.type_string()) }} as parent_category_id
    from {{ ref('eotinish_categories') }}
)

select
    categories.category_id,
    categories.category_name,
    categories.parent_category_id,
    parents.category_name as parent_category_name,
    coalesce(categories.parent_category_id, categories.category_id) as top_category_id,
    case when categories.parent_category_id is null then 1 else 2 end as category_level
from categories
left join categories as parents
    on categories.parent_category_id = parents.category_id
