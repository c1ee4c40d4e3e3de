-- One row per proactive offer (offer_id): the benefit, family, region and month it was sent in,
-- its outcome (ACCEPTED, DECLINED, NO_ANSWER, or PENDING while neither came) and, once paid, the
-- days from the offer to the payment.
with events as (
    select * from {{ ref('stg_family__proactive_events') }}
)

select
    offer_id,
    any_value(benefit_type) as benefit_type,
    any_value(family_key) as family_key,
    min(event_time) filter (where event_type = 'OFFER_SENT') as offered_at,
    cast(
        date_trunc('month', min(event_time) filter (where event_type = 'OFFER_SENT')) as date
    ) as offer_month,
    any_value(region_kato_2digit) filter (where event_type = 'OFFER_SENT') as region_kato_2digit,
    case
        when bool_or(event_type = 'ACCEPTED') then 'ACCEPTED'
        when bool_or(event_type = 'DECLINED') then 'DECLINED'
        when bool_or(event_type = 'NO_ANSWER') then 'NO_ANSWER'
        else 'PENDING'
    end as outcome,
    bool_or(event_type = 'PAID') as is_paid,
    {{ seconds_between(
        "min(event_time) filter (where event_type = 'OFFER_SENT')",
        "min(event_time) filter (where event_type = 'PAID')"
    ) }} / 86400.0 as days_offer_to_payment
from events
group by offer_id
having bool_or(event_type = 'OFFER_SENT')
