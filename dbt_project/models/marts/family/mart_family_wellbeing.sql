-- Families, members and children by well-being level, region and month, and each level's share of
-- the region's families (region 'KZ': the whole country). Cells describing 1..9 families are
-- suppressed (null) and flagged, and so are their complements (macros/complementary_suppression.sql):
-- no withheld cell can be derived from the country's or a region's total by subtraction.
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

cells as (
    select
        month,
        region_kato_2digit,
        level,
        families,
        members,
        children,
        case when region_kato_2digit = 'KZ' then 1 else 0 end as is_total,
        {{ is_small('families') }} as withheld
    from counted
),

-- Groups that add up to a known total: the regions of a level with the country, and the levels
-- of a region (its total is known from elsewhere: it must not give a level back either).
{{ complementary_suppression(
    'cells', 'suppressed',
    columns=['month', 'region_kato_2digit', 'level', 'families', 'members', 'children'],
    value='families',
    groups=[['month', 'level'], ['month', 'region_kato_2digit']],
    tie_break="coalesce(region_kato_2digit, ''), level"
) }},

with_totals as (
    select
        *,
        sum(families) over (partition by month, region_kato_2digit) as region_families,
        -- With any level of the region withheld, no share is published in it: families / share
        -- gives the region's total, and the total less the levels shown the withheld ones.
        max(case when withheld then 1 else 0 end) over (partition by month, region_kato_2digit)
            as region_has_withheld_level
    from suppressed
)

select
    month,
    region_kato_2digit,
    level,
    case when withheld then null else families end as families,
    case when withheld then null else members end as members,
    case when withheld then null else children end as children,
    case
        when region_has_withheld_level = 1 then null
        else cast(families / region_families as decimal(7, 4))
    end as share_of_families,
    withheld as is_suppressed
from with_totals
