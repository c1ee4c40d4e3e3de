-- One row per family and month: the weighted deprivation score (Alkire–Foster: the sum of the
-- weights of the indicators the family is deprived in, 0..1) and its well-being level A..E by the
-- score thresholds of seed family_levels (assumed: the official ones are not published).
with deprivations as (
    select * from {{ ref('int_family__deprivations') }}
),

scores as (
    select
        extract_month,
        family_key,
        cast(sum(case when is_deprived then weight else 0 end) as decimal(9, 6)) as deprivation_score,
        count(*) filter (where is_deprived) as deprivations
    from deprivations
    group by extract_month, family_key
),

levels as (
    select * from {{ ref('family_levels') }}
)

select
    s.extract_month,
    s.family_key,
    s.deprivation_score,
    s.deprivations,
    l.level
from scores as s
inner join levels as l
    on s.deprivation_score >= l.min_score and s.deprivation_score < l.max_score
