-- Families and people the warehouse covers in each month the published figures are dated, scaled
-- by var('family_scale_factor') (the bundled demo is 1/1000 of the country; 1 for a national
-- load), beside the published figures (seed family_published_figures).
with composition as (
    select
        extract_month,
        count(*) filter (where members > 0) as families,
        sum(members) as people
    from {{ ref('int_family__composition') }}
    group by extract_month
),

warehouse as (
    select
        extract_month,
        'families_covered' as measure,
        families as warehouse_value
    from composition
    union all
    select
        extract_month,
        'people_covered' as measure,
        people as warehouse_value
    from composition
),

published as (
    select * from {{ ref('family_published_figures') }}
)

select
    p.as_of,
    p.measure,
    p.value as published_value,
    w.warehouse_value,
    {{ var('family_scale_factor') }} as scale_factor,
    w.warehouse_value * {{ var('family_scale_factor') }} as warehouse_value_scaled,
    case
        when w.warehouse_value is null then null
        else cast(
            100.0 * (w.warehouse_value * {{ var('family_scale_factor') }} - p.value) / p.value
            as decimal(9, 2)
        )
    end as difference_pct,
    p.confidence,
    p.source_url
from published as p
left join warehouse as w
    on p.as_of = w.extract_month and p.measure = w.measure
