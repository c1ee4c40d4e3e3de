-- The deprivation matrix: one row per family, indicator and month. A family is deprived in an
-- indicator when its measure is below (or above) the indicator's cut-off (seed family_indicators:
-- cut-offs and weights are assumed, the official ones are not published).
with indicator_values as (
    select * from {{ ref('int_family__indicator_values') }}
),

-- One row per family, month and indicator. The SQL standard's unpivot, which DuckDB and Spark both
-- read (DuckDB's own `unpivot ... on columns(*)` is not Spark's); one type for every measure.
wide as (
    select
        extract_month,
        family_key,
        cast(income_per_capita_kzt as decimal(18, 4)) as income_per_capita_kzt,
        cast(unemployed_share as decimal(18, 4)) as unemployed_share,
        cast(overdue_loan as decimal(18, 4)) as overdue_loan,
        cast(dependency_ratio as decimal(18, 4)) as dependency_ratio,
        cast(single_parent as decimal(18, 4)) as single_parent,
        cast(area_per_person_m2 as decimal(18, 4)) as area_per_person_m2,
        cast(amenities_missing as decimal(18, 4)) as amenities_missing,
        cast(no_own_dwelling as decimal(18, 4)) as no_own_dwelling,
        cast(severe_disability as decimal(18, 4)) as severe_disability,
        cast(unattached_to_clinic as decimal(18, 4)) as unattached_to_clinic,
        cast(school_age_not_enrolled as decimal(18, 4)) as school_age_not_enrolled,
        cast(preschool_not_enrolled as decimal(18, 4)) as preschool_not_enrolled,
        cast(head_low_education as decimal(18, 4)) as head_low_education
    from indicator_values
),

measures as (
    select
        extract_month,
        family_key,
        indicator,
        measure
    from wide
    unpivot (
        measure for indicator in (
            income_per_capita_kzt,
            unemployed_share,
            overdue_loan,
            dependency_ratio,
            single_parent,
            area_per_person_m2,
            amenities_missing,
            no_own_dwelling,
            severe_disability,
            unattached_to_clinic,
            school_age_not_enrolled,
            preschool_not_enrolled,
            head_low_education
        )
    )
),

indicators as (
    select * from {{ ref('family_indicators') }}
)

select
    m.extract_month,
    m.family_key,
    i.indicator,
    i.domain,
    m.measure,
    i.cutoff,
    i.weight,
    i.weight_is_assumed,
    case i.direction when 'below' then m.measure < i.cutoff else m.measure > i.cutoff end as is_deprived
from measures as m
inner join indicators as i on m.indicator = i.indicator
