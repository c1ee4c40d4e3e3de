-- Proactive services by benefit, region and month the offer was sent in ('KZ': the whole
-- country): offers, answers, payments, uptake (paid / offers), the median days from the offer to
-- the payment, and families that qualified in the month but were not offered it (in that month
-- or the next; int_family__qualifying). Cells of 1..9 families are suppressed (null); rates and
-- medians over fewer than 10 offers too; is_suppressed flags the row.
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
)

select
    month,
    region_kato_2digit,
    benefit_type,
    {{ suppress_small('offers') }} as offers,
    {{ suppress_small('accepted') }} as accepted,
    {{ suppress_small('declined') }} as declined,
    {{ suppress_small('unanswered') }} as unanswered,
    {{ suppress_small('paid') }} as paid,
    -- Withheld with `paid` too: paid = uptake x offers would give the suppressed count back.
    case
        when offers < {{ var('family_min_cell') }} or {{ is_small('paid') }} then null
        else cast(paid / offers as decimal(7, 4))
    end as uptake_rate,
    case
        when offers < {{ var('family_min_cell') }} or {{ is_small('paid') }} then null
        else cast(median_days_offer_to_payment as decimal(9, 2))
    end as median_days_offer_to_payment,
    {{ suppress_small('qualified_not_offered') }} as qualified_not_offered,
    (
        {{ is_small('offers') }} or {{ is_small('accepted') }} or {{ is_small('declined') }}
        or {{ is_small('unanswered') }} or {{ is_small('paid') }} or {{ is_small('qualified_not_offered') }}
    ) as is_suppressed
from joined
