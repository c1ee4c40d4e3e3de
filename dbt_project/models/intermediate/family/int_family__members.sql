-- One row per member and month: the civil registry extract with each member's records from the
-- other extracts of the same month (member_key is a keyed hash: never an IIN).
with registry as (
    select
        *,
        {{ age_in_years('birth_date', 'extract_month') }} as age
    from {{ ref('stg_family__civil_registry') }}
)

select
    r.extract_month,
    r.family_key,
    r.member_key,
    r.relation_to_head,
    r.age,
    r.death_date is null as is_alive,
    coalesce(i.income_kzt, 0) + coalesce(i.pension_kzt, 0) as income_kzt,
    e.employment_status,
    coalesce(l.overdue_90_days, false) as has_overdue_loan,
    d.disability_group,
    coalesce(h.clinic_attached, false) as clinic_attached,
    coalesce(ed.institution_type, 'NONE') as institution_type,
    ed.education_level
from registry as r
left join {{ ref('stg_family__income') }} as i
    on r.member_key = i.member_key and r.extract_month = i.extract_month
left join {{ ref('stg_family__employment') }} as e
    on r.member_key = e.member_key and r.extract_month = e.extract_month
left join {{ ref('stg_family__loans') }} as l
    on r.member_key = l.member_key and r.extract_month = l.extract_month
left join {{ ref('stg_family__disability') }} as d
    on r.member_key = d.member_key and r.extract_month = d.extract_month
left join {{ ref('stg_family__health') }} as h
    on r.member_key = h.member_key and r.extract_month = h.extract_month
left join {{ ref('stg_family__education') }} as ed
    on r.member_key = ed.member_key and r.extract_month = ed.extract_month
