-- Families moving between well-being levels from one month to the next, by region (the region in
-- the later month; 'KZ': the whole country). Only families present in both months count. Cells of
-- 1..9 families are suppressed (null) and flagged, and so are their complements
-- (macros/complementary_suppression.sql): no withheld cell can be derived by subtraction.
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

counted as (
    select
        month,
        {{ region_or_country('region_kato_2digit') }} as region_kato_2digit,
        from_level,
        to_level,
        count(*) as families
    from pairs
    group by grouping sets ((month, region_kato_2digit, from_level, to_level), (month, from_level, to_level))
),

cells as (
    select
        month,
        region_kato_2digit,
        from_level,
        to_level,
        families,
        case when region_kato_2digit = 'KZ' then 1 else 0 end as is_total,
        {{ is_small('families') }} as withheld
    from counted
),

-- Groups that add up to a known total: the regions of a transition with the country, and the
-- transitions of a region.
{{ complementary_suppression(
    'cells', 'suppressed',
    columns=['month', 'region_kato_2digit', 'from_level', 'to_level', 'families'],
    value='families',
    groups=[['month', 'from_level', 'to_level'], ['month', 'region_kato_2digit']],
    tie_break="coalesce(region_kato_2digit, ''), from_level, to_level"
) }}

select
    month,
    region_kato_2digit,
    from_level,
    to_level,
    case when withheld then null else families end as families,
    withheld as is_suppressed
from suppressed
