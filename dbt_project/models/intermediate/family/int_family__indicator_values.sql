-- One row per family and month with the measure of every deprivation indicator
-- (seed family_indicators), over the members alive at the month's end.
-- A table, not a view: the deprivations, levels, qualifying families, two marts and the tests
-- read it (as a view each of them joined every member extract again; on Spark, 40 s of the
-- family marts' build).
{{ config(materialized='table') }}

with members as (
    select * from {{ ref('int_family__members') }}
    where is_alive
),

composition as (
    select * from {{ ref('int_family__composition') }}
    where members > 0
),

housing as (
    select * from {{ ref('stg_family__housing') }}
),

by_family as (
    select
        extract_month,
        family_key,
        sum(income_kzt) as income_kzt,
        count(*) filter (where age between 18 and 62 and employment_status = 'UNEMPLOYED') as unemployed,
        bool_or(has_overdue_loan) as any_overdue_loan,
        bool_or(disability_group in ('GROUP_1', 'GROUP_2', 'CHILD')) as any_severe_disability,
        bool_or(not clinic_attached) as any_unattached,
        bool_or(age between 7 and 17 and institution_type <> 'SCHOOL') as any_school_age_out,
        bool_or(age between 3 and 6 and institution_type <> 'KINDERGARTEN') as any_preschool_out,
        bool_or(
            relation_to_head = 'HEAD'
            and coalesce(education_level, 'NONE') in ('NONE', 'PRIMARY', 'BASIC_SECONDARY')
        ) as head_low_education
    from members
    group by extract_month, family_key
)

select
    c.extract_month,
    c.family_key,
    c.region_kato_2digit,
    c.members,
    c.children,
    cast(coalesce(b.income_kzt, 0) / c.members as decimal(18, 4)) as income_per_capita_kzt,
    cast(
        case
            when c.working_age = 0 then 0 else coalesce(b.unemployed, 0) / c.working_age
        end as decimal(18, 4)
    ) as unemployed_share,
    case when b.any_overdue_loan then 1 else 0 end as overdue_loan,
    cast(
        case
            when c.working_age = 0 then 99 else (c.children + c.elderly) / c.working_age
        end as decimal(18, 4)
    ) as dependency_ratio,
    case when not c.has_spouse and c.children > 0 then 1 else 0 end as single_parent,
    cast(coalesce(h.area_m2, 0) / c.members as decimal(18, 4)) as area_per_person_m2,
    (case when coalesce(h.has_water, false) then 0 else 1 end)
    + (case when coalesce(h.has_sewerage, false) then 0 else 1 end)
    + (case when coalesce(h.has_heating, false) then 0 else 1 end) as amenities_missing,
    case when coalesce(h.dwelling_type, 'NONE') in ('NONE', 'RELATIVES') then 1 else 0 end as no_own_dwelling,
    case when b.any_severe_disability then 1 else 0 end as severe_disability,
    case when b.any_unattached then 1 else 0 end as unattached_to_clinic,
    case when b.any_school_age_out then 1 else 0 end as school_age_not_enrolled,
    case when b.any_preschool_out then 1 else 0 end as preschool_not_enrolled,
    case when b.head_low_education then 1 else 0 end as head_low_education
from composition as c
left join by_family as b
    on c.family_key = b.family_key and c.extract_month = b.extract_month
left join housing as h
    on c.family_key = h.family_key and c.extract_month = h.extract_month
