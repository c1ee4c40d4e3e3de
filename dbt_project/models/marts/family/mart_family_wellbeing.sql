-- Families, members and children by well-being level, region and month, and each level's share of
-- the region's families (region 'KZ': the whole country). Cells describing 1..9 families are
-- suppressed (null) and flagged: no family can be singled out.
with levels as (
    select
        l.extract_month,
        l.level,
        v.region_kato_2digit,
        v.members,
        v.children
    from {{ ref('int_family__levels') }} as l
    inner join {{ ref('int_family__indicator_values') }} as v
        on l.family_key = v.family_key and l.extract_month = v.extract_month
),

counted as (
    select
        extract_month as month,
        {{ region_or_country('region_kato_2digit') }} as region_kato_2digit,
        level,
        count(*) as families,
        sum(members) as members,
        sum(children) as children
    from levels
    group by grouping sets ((extract_month, region_kato_2digit, level), (extract_month, level))
),

with_totals as (
    select
        *,
        sum(families) over (partition by month, region_kato_2digit) as region_families,
        -- With any level of the region withheld, no share is published in it: families / share
        -- gives the region's total, and the total less the levels shown the withheld one.
        bool_or({{ is_small('families') }}) over (partition by month, region_kato_2digit)
            as region_has_withheld_level
    from counted
)

select
    month,
    region_kato_2digit,
    level,
    {{ suppress_small('families') }} as families,
    case when {{ is_small('families') }} then null else members end as members,
    case when {{ is_small('families') }} then null else children end as children,
    case
        when region_has_withheld_level then null
        else cast(families / region_families as decimal(7, 4))
    end as share_of_families,
    {{ is_small('families') }} as is_suppressed
from with_totals
