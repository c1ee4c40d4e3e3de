-- Secondary suppression (macros/complementary_suppression.sql): no group of cells that adds up to
-- a known total has exactly one cell withheld, or the total less the published cells would give it
-- back. Groups of a single cell are left out: no other cell can protect them (a region whose
-- families all fall in one level, or the unknown region's). The transitions into a level in a
-- region add up to (nearly) mart_family_wellbeing's families at that level this month, those out
-- of it to last month's: that cell and the transitions are one group, whichever is withheld.
with transitions_by_margin as (
    select
        'mart_family_level_transitions: into a level, with its families' as failing_group,
        month,
        region_kato_2digit,
        to_level as level,
        month as margin_month,
        is_suppressed
    from {{ ref('mart_family_level_transitions') }}

    union all

    select
        'mart_family_level_transitions: out of a level, with last month''s families' as failing_group,
        month,
        region_kato_2digit,
        from_level as level,
        {{ add_months('month', -1) }} as margin_month,
        is_suppressed
    from {{ ref('mart_family_level_transitions') }}
),

groups as (
    select
        'mart_family_wellbeing: regions of a level' as failing_group,
        month,
        count(*) as cells,
        sum(case when is_suppressed then 1 else 0 end) as withheld
    from {{ ref('mart_family_wellbeing') }}
    group by month, level

    union all

    select
        'mart_family_wellbeing: levels of a region' as failing_group,
        month,
        count(*) as cells,
        sum(case when is_suppressed then 1 else 0 end) as withheld
    from {{ ref('mart_family_wellbeing') }}
    group by month, region_kato_2digit

    union all

    select
        'mart_family_level_transitions: regions of a transition' as failing_group,
        month,
        count(*) as cells,
        sum(case when is_suppressed then 1 else 0 end) as withheld
    from {{ ref('mart_family_level_transitions') }}
    group by month, from_level, to_level

    union all

    select
        'mart_family_level_transitions: transitions of a region' as failing_group,
        month,
        count(*) as cells,
        sum(case when is_suppressed then 1 else 0 end) as withheld
    from {{ ref('mart_family_level_transitions') }}
    group by month, region_kato_2digit

    union all

    select
        transitions.failing_group,
        transitions.month,
        count(*) + 1 as cells,
        sum(case when transitions.is_suppressed then 1 else 0 end)
        + max(case when wellbeing.is_suppressed then 1 else 0 end) as withheld
    from transitions_by_margin as transitions
    inner join {{ ref('mart_family_wellbeing') }} as wellbeing
        on
            transitions.margin_month = wellbeing.month
            and coalesce(transitions.region_kato_2digit, '') = coalesce(wellbeing.region_kato_2digit, '')
            and transitions.level = wellbeing.level
    group by transitions.failing_group, transitions.month, transitions.region_kato_2digit, transitions.level

    {%- for m in ['offers', 'accepted', 'declined', 'unanswered', 'paid', 'qualified_not_offered'] %}

        union all

        select
            'mart_proactive_services: regions of {{ m }}' as failing_group,
            month,
            count(*) as cells,
            sum(case when {{ m }} is null then 1 else 0 end) as withheld
        from {{ ref('mart_proactive_services') }}
        group by month, benefit_type
    {%- endfor %}

    union all

    select
        'mart_proactive_services: outcomes of the offers' as failing_group,
        month,
        4 as cells,
        (case when offers is null then 1 else 0 end)
        + (case when accepted is null then 1 else 0 end)
        + (case when declined is null then 1 else 0 end)
        + (case when unanswered is null then 1 else 0 end) as withheld
    from {{ ref('mart_proactive_services') }}
)

select *
from groups
where withheld = 1 and cells > 1
