-- Families that qualify for a proactive benefit in a month, by the civil registry and the other
-- extracts of that month, and whether they were offered it (in that month or the next). Rules
-- (this warehouse's reading of the public descriptions): CHILDBIRTH a child born in the month;
-- SURVIVOR a death in the month in a family with children; LARGE_FAMILY four or more children;
-- CHILD_DISABILITY a child with a disability; TARGETED_SOCIAL_ASSISTANCE income per member below
-- 70 % of the subsistence minimum. The last three only for families not already receiving them.
-- A table, not a view: mart_proactive_services uses it in a CTE it reads twice (its cells and
-- its rows), which Spark computes again for each read.
{{ config(materialized='table') }}

with composition as (
    select * from {{ ref('int_family__composition') }}
),

indicator_values as (
    select * from {{ ref('int_family__indicator_values') }}
),

members as (
    select * from {{ ref('int_family__members') }}
),

receiving as (
    select distinct
        r.family_key,
        b.extract_month,
        b.benefit_type
    from {{ ref('stg_family__social_benefits') }} as b
    inner join {{ ref('stg_family__civil_registry') }} as r
        on b.member_key = r.member_key and b.extract_month = r.extract_month
),

child_disability as (
    select distinct
        extract_month,
        family_key
    from members
    where is_alive and age < 18 and disability_group = 'CHILD'
),

qualifying as (
    select
        extract_month,
        family_key,
        region_kato_2digit,
        'CHILDBIRTH' as benefit_type
    from composition
    where births_in_month > 0
    union all
    select
        extract_month,
        family_key,
        region_kato_2digit,
        'SURVIVOR' as benefit_type
    from composition
    where deaths_in_month > child_deaths_in_month and children > 0
    union all
    select
        extract_month,
        family_key,
        region_kato_2digit,
        'LARGE_FAMILY' as benefit_type
    from composition
    where children >= 4
    union all
    select
        c.extract_month,
        c.family_key,
        c.region_kato_2digit,
        'CHILD_DISABILITY' as benefit_type
    from composition as c
    inner join child_disability as d
        on c.extract_month = d.extract_month and c.family_key = d.family_key
    union all
    select
        extract_month,
        family_key,
        region_kato_2digit,
        'TARGETED_SOCIAL_ASSISTANCE' as benefit_type
    from indicator_values
    where income_per_capita_kzt < 0.7 * 40567
),

offers as (
    select distinct
        family_key,
        benefit_type,
        offer_month
    from {{ ref('int_family__offers') }}
),

-- Offered in the month it qualified or the next (a birth late in a month is offered in the next).
offers_by_family as (
    select distinct
        q.family_key,
        q.benefit_type,
        q.extract_month
    from qualifying as q
    inner join offers as o
        on
            q.family_key = o.family_key and q.benefit_type = o.benefit_type
            and o.offer_month between q.extract_month and q.extract_month + interval 1 month
)

select
    q.extract_month,
    q.family_key,
    q.region_kato_2digit,
    q.benefit_type,
    o.family_key is not null as was_offered
from qualifying as q
left join offers_by_family as o
    on q.family_key = o.family_key and q.benefit_type = o.benefit_type and q.extract_month = o.extract_month
left join receiving as r
    on q.family_key = r.family_key and q.extract_month = r.extract_month and q.benefit_type = r.benefit_type
where r.family_key is null or q.benefit_type in ('CHILDBIRTH', 'SURVIVOR')
