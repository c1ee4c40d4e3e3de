-- One row per family and month from the civil registry extract: members alive at the month's end,
-- children under 18, births and deaths in the month, the head and the region (the head's).
-- A family's members change from month to month (births, deaths, marriages, moves): each month
-- is assembled from its own extract.
with registry as (
    select
        *,
        {{ age_in_years('birth_date', 'extract_month') }} as age,
        death_date is null as is_alive_at_month_end,
        birth_date >= extract_month as is_born_in_month
    from {{ ref('stg_family__civil_registry') }}
)

select
    extract_month,
    family_key,
    count(*) filter (where is_alive_at_month_end) as members,
    count(*) filter (where is_alive_at_month_end and age < 18) as children,
    count(*) filter (where is_alive_at_month_end and age >= 63) as elderly,
    count(*) filter (where is_alive_at_month_end and age between 18 and 62) as working_age,
    count(*) filter (where is_born_in_month) as births_in_month,
    count(*) filter (where not is_alive_at_month_end) as deaths_in_month,
    count(*) filter (where not is_alive_at_month_end and age < 18) as child_deaths_in_month,
    max(region_kato) filter (where relation_to_head = 'HEAD') as region_kato,
    left(max(region_kato) filter (where relation_to_head = 'HEAD'), 2) as region_kato_2digit,
    max(member_key) filter (where relation_to_head = 'HEAD') as head_key,
    coalesce(bool_or(relation_to_head = 'SPOUSE' and is_alive_at_month_end), false) as has_spouse
from registry
group by extract_month, family_key
