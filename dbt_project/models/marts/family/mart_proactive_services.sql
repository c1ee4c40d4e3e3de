-- Proactive services by benefit, region and month the offer was sent in ('KZ': the whole
-- country): offers, answers, payments, uptake (paid / offers), the median days from the offer to
-- the payment, and families that qualified in the month but were not offered it (in that month
-- or the next; int_family__qualifying). Cells of 1..9 families are suppressed (null), and so are
-- their complements (macros/complementary_suppression.sql): a count of a region is not the
-- country's less the other regions', nor an outcome the offers less the other outcomes. Rates and
-- medians over fewer than 10 offers are withheld too; is_suppressed flags the row.
{%- set measures = ['offers', 'accepted', 'declined', 'unanswered', 'paid', 'qualified_not_offered'] %}
{#- offers = accepted + declined + unanswered + pending (not published): one group in a row. #}
{%- set outcome_group = ['offers', 'accepted', 'declined', 'unanswered'] %}
with offers as (
    select
        offer_month as month,
        {{ region_or_country('region_kato_2digit') }} as region_kato_2digit,
        benefit_type,
        count(*) as offers,
        count(*) filter (where outcome = 'ACCEPTED') as accepted,
        count(*) filter (where outcome = 'DECLINED') as declined,
        count(*) filter (where outcome = 'NO_ANSWER') as unanswered,
        count(*) filter (where is_paid) as paid,
        median(days_offer_to_payment) as median_days_offer_to_payment
    from {{ ref('int_family__offers') }}
    group by grouping sets ((offer_month, region_kato_2digit, benefit_type), (offer_month, benefit_type))
),

not_offered as (
    select
        extract_month as month,
        {{ region_or_country('region_kato_2digit') }} as region_kato_2digit,
        benefit_type,
        count(*) filter (where not was_offered) as qualified_not_offered
    from {{ ref('int_family__qualifying') }}
    group by grouping sets ((extract_month, region_kato_2digit, benefit_type), (extract_month, benefit_type))
),

joined as (
    select
        coalesce(o.month, n.month) as month,
        coalesce(o.region_kato_2digit, n.region_kato_2digit) as region_kato_2digit,
        coalesce(o.benefit_type, n.benefit_type) as benefit_type,
        coalesce(o.offers, 0) as offers,
        coalesce(o.accepted, 0) as accepted,
        coalesce(o.declined, 0) as declined,
        coalesce(o.unanswered, 0) as unanswered,
        coalesce(o.paid, 0) as paid,
        o.median_days_offer_to_payment,
        coalesce(n.qualified_not_offered, 0) as qualified_not_offered
    from offers as o
    full outer join not_offered as n
        on
            o.month = n.month and o.region_kato_2digit = n.region_kato_2digit
            and o.benefit_type = n.benefit_type
),

-- One row per count (measure) of a cell, for the groups of complementary suppression: `joined`
-- times the measures, in one scan of it (Spark would compute `joined` again for each branch of a
-- union).
measure_values as (
    select
        j.month,
        j.region_kato_2digit,
        j.benefit_type,
        m.measure,
        m.measure_group,
        case m.measure
            {%- for name in measures %}
                when '{{ name }}' then j.{{ name }}
            {%- endfor %}
        end as value,
        case when j.region_kato_2digit = 'KZ' then 1 else 0 end as is_total
    from joined as j
    cross join (
        values
        {%- for name in measures %}
            ('{{ name }}', '{{ "outcome" if name in outcome_group else name }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as m (measure, measure_group)
),

cells as (
    select
        *,
        {{ is_small('value') }} as withheld
    from measure_values
),

-- Groups that add up to a known total: the regions of a benefit with the country, per measure;
-- and the outcomes of a row with its offers (paid and qualified_not_offered are groups of one).
{{ complementary_suppression(
    'cells', 'suppressed',
    columns=['month', 'region_kato_2digit', 'benefit_type', 'measure', 'measure_group', 'value'],
    value='value',
    groups=[['month', 'benefit_type', 'measure'], ['month', 'region_kato_2digit', 'benefit_type', 'measure_group']],
    tie_break="coalesce(region_kato_2digit, ''), measure"
) }},

flags as (
    select
        month,
        region_kato_2digit,
        benefit_type,
        max(case when measure = 'offers' and withheld then 1 else 0 end) as offers_withheld,
        max(case when measure = 'accepted' and withheld then 1 else 0 end) as accepted_withheld,
        max(case when measure = 'declined' and withheld then 1 else 0 end) as declined_withheld,
        max(case when measure = 'unanswered' and withheld then 1 else 0 end) as unanswered_withheld,
        max(case when measure = 'paid' and withheld then 1 else 0 end) as paid_withheld,
        max(case when measure = 'qualified_not_offered' and withheld then 1 else 0 end)
            as qualified_not_offered_withheld
    from suppressed
    group by month, region_kato_2digit, benefit_type
)

select
    j.month,
    j.region_kato_2digit,
    j.benefit_type,
    {%- for m in measures if m != 'qualified_not_offered' %}
        case when f.{{ m }}_withheld = 1 then null else j.{{ m }} end as {{ m }},
    {%- endfor %}
    -- Withheld with `paid` too: paid = uptake x offers would give the withheld count back.
    case
        when j.offers < {{ var('family_min_cell') }} or f.offers_withheld = 1 or f.paid_withheld = 1 then null
        else cast(j.paid / j.offers as decimal(7, 4))
    end as uptake_rate,
    case
        when j.offers < {{ var('family_min_cell') }} or f.offers_withheld = 1 or f.paid_withheld = 1 then null
        else cast(j.median_days_offer_to_payment as decimal(9, 2))
    end as median_days_offer_to_payment,
    case when f.qualified_not_offered_withheld = 1 then null else j.qualified_not_offered end
        as qualified_not_offered,
    (
        {%- for m in measures %}
            f.{{ m }}_withheld = 1{{ ' or' if not loop.last }}
        {%- endfor %}
    ) as is_suppressed
from joined as j
inner join flags as f
    on
        j.month = f.month
        and coalesce(j.region_kato_2digit, '') = coalesce(f.region_kato_2digit, '')
        and j.benefit_type = f.benefit_type
