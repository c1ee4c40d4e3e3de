-- Families moving between well-being levels from one month to the next, by region (the region in
-- the later month; 'KZ': the whole country). Only families present in both months count. Cells of
-- 1..9 families are suppressed (null) and flagged, and so are their complements
-- (macros/complementary_suppression.sql): no withheld cell can be derived by subtraction, also
-- not from mart_family_wellbeing, which publishes (nearly) the sums of the transitions into a level
-- (this month's families at it) and out of it (last month's).
with levels as (
    select
        l.extract_month,
        l.family_key,
        l.level,
        v.region_kato_2digit
    from {{ ref('int_family__levels') }} as l
    inner join {{ ref('int_family__indicator_values') }} as v
        on l.family_key = v.family_key and l.extract_month = v.extract_month
),

pairs as (
    select
        cur.extract_month as month,
        cur.region_kato_2digit,
        prev.level as from_level,
        cur.level as to_level
    from levels as cur
    inner join levels as prev
        on cur.family_key = prev.family_key and prev.extract_month = cur.extract_month - interval 1 month
),

grouped as (
    select
        month,
        {{ region_or_country('region_kato_2digit') }} as region_kato_2digit,
        from_level,
        to_level,
        count(*) as families
    from pairs
    group by grouping sets ((month, region_kato_2digit, from_level, to_level), (month, from_level, to_level))
),

-- Every transition of every region and month, 0 where no family made it: a zero cell can be
-- withheld as a complement (a transition alone into its level would otherwise be given by the
-- wellbeing mart's families at that level).
level_values as (
    select distinct level from {{ ref('int_family__levels') }}
),

blocks as (
    select distinct
        month,
        region_kato_2digit
    from grouped
),

counted as (
    select
        blocks.month,
        blocks.region_kato_2digit,
        from_levels.level as from_level,
        to_levels.level as to_level,
        coalesce(grouped.families, 0) as families
    from blocks
    cross join level_values as from_levels
    cross join level_values as to_levels
    left join grouped
        on
            blocks.month = grouped.month
            and coalesce(blocks.region_kato_2digit, '') = coalesce(grouped.region_kato_2digit, '')
            and from_levels.level = grouped.from_level
            and to_levels.level = grouped.to_level
),

-- mart_family_wellbeing publishes (nearly) the sum of a region's transitions into a level (this
-- month's families at it) and out of it (last month's), or withholds it.
margins as (
    select
        month,
        coalesce(region_kato_2digit, '') as region_key,
        level,
        is_suppressed
    from {{ ref('mart_family_wellbeing') }}
),

with_margins as (
    select
        counted.*,
        {{ is_small('counted.families') }} as is_small,
        coalesce(into_margin.is_suppressed, false) as into_margin_withheld,
        coalesce(from_margin.is_suppressed, false) as from_margin_withheld
    from counted
    left join margins as into_margin
        on
            counted.month = into_margin.month
            and coalesce(counted.region_kato_2digit, '') = into_margin.region_key
            and counted.to_level = into_margin.level
    left join margins as from_margin
        on
            {{ add_months('counted.month', -1) }} = from_margin.month
            and coalesce(counted.region_kato_2digit, '') = from_margin.region_key
            and counted.from_level = from_margin.level
),

-- Where the wellbeing mart withholds a level's families, the transitions into it (out of it) must
-- not all be published, or they would add up to it: with no small one among them, the smallest
-- non-zero is withheld.
ranked as (
    select
        *,
        max(case when is_small then 1 else 0 end) over (partition by month, region_kato_2digit, to_level)
            as small_into,
        max(case when is_small then 1 else 0 end) over (partition by month, region_kato_2digit, from_level)
            as small_out,
        row_number() over (
            partition by month, region_kato_2digit, to_level
            order by case when families = 0 then 1 else 0 end, families, from_level
        ) as rank_into,
        row_number() over (
            partition by month, region_kato_2digit, from_level
            order by case when families = 0 then 1 else 0 end, families, to_level
        ) as rank_out
    from with_margins
),

cells as (
    select
        month,
        region_kato_2digit,
        from_level,
        to_level,
        families,
        case when region_kato_2digit = 'KZ' then 1 else 0 end as is_total,
        (
            is_small
            or (into_margin_withheld and small_into = 0 and rank_into = 1)
            or (from_margin_withheld and small_out = 0 and rank_out = 1)
        ) as withheld
    from ranked
),

-- Groups that add up to a known total: the regions of a transition with the country, the
-- transitions of a region, and those into a level and out of a level in a region (mart_family_
-- wellbeing's families at the level this month and last month).
{{ complementary_suppression(
    'cells', 'suppressed',
    columns=['month', 'region_kato_2digit', 'from_level', 'to_level', 'families'],
    value='families',
    groups=[
        ['month', 'from_level', 'to_level'],
        ['month', 'region_kato_2digit', 'to_level'],
        ['month', 'region_kato_2digit', 'from_level'],
        ['month', 'region_kato_2digit']
    ],
    tie_break="coalesce(region_kato_2digit, ''), from_level, to_level",
    rounds=6
) }}

select
    month,
    region_kato_2digit,
    from_level,
    to_level,
    case when withheld then null else families end as families,
    withheld as is_suppressed
from suppressed
