-- One value per reporter, partner, flow, frequency and period: the TOTAL row where it exists,
-- else the sum of the HS chapter (aggrLevel 2) rows. Never both, never deeper HS levels. RX and
-- RM are parts of X and M (Comtrade): flows are not to be added, except X + M for turnover.
-- Reads the fact table (plain rows only) so that every mart is downstream of fct_trade_flows and
-- sees exactly the slices it holds. Each part reads the fact itself, not a shared CTE, which
-- DuckDB materialised over every slice first: on 5M rows of the fact 0.6 -> 0.35 s read whole (as
-- the mirror and bilateral marts read it), 0.4 -> 0.35 s through an incremental
-- mart_commodity_mix's rebuilt slices (the filter reaches the keys' part only, not the sums joined
-- to it; windows over the flow's key instead of the joins let it reach all: 0.15 s, but 0.8 s whole).
with total_rows as (
    select
        reporter_code,
        partner_code,
        flow_code,
        freq_code,
        period,
        sum(trade_value_usd) as trade_value_usd
    from {{ ref('fct_trade_flows') }}
    where aggr_level = 0
    group by reporter_code, partner_code, flow_code, freq_code, period
),

chapter_sums as (
    select
        reporter_code,
        partner_code,
        flow_code,
        freq_code,
        period,
        sum(trade_value_usd) as trade_value_usd,
        count(*) as n_hs_chapters
    from {{ ref('fct_trade_flows') }}
    where aggr_level = 2
    group by reporter_code, partner_code, flow_code, freq_code, period
),

flow_keys as (
    select distinct
        reporter_code,
        partner_code,
        flow_code,
        flow_direction,
        is_re_flow,
        freq_code,
        period,
        period_date,
        ref_year,
        ref_month
    from {{ ref('fct_trade_flows') }}
    where aggr_level in (0, 2)
)

select
    flow_keys.reporter_code,
    flow_keys.partner_code,
    flow_keys.flow_code,
    flow_keys.flow_direction,
    flow_keys.is_re_flow,
    flow_keys.freq_code,
    flow_keys.period,
    flow_keys.period_date,
    flow_keys.ref_year,
    flow_keys.ref_month,
    coalesce(total_rows.trade_value_usd, chapter_sums.trade_value_usd) as trade_value_usd,
    case
        when total_rows.trade_value_usd is not null then 'total_row'
        else 'hs_chapter_sum'
    end as value_basis,
    total_rows.trade_value_usd as total_row_value_usd,
    chapter_sums.trade_value_usd as hs_chapter_sum_usd,
    coalesce(chapter_sums.n_hs_chapters, 0) as n_hs_chapters
from flow_keys
left join total_rows
    on
        flow_keys.reporter_code = total_rows.reporter_code
        and flow_keys.partner_code = total_rows.partner_code
        and flow_keys.flow_code = total_rows.flow_code
        and flow_keys.freq_code = total_rows.freq_code
        and flow_keys.period = total_rows.period
left join chapter_sums
    on
        flow_keys.reporter_code = chapter_sums.reporter_code
        and flow_keys.partner_code = chapter_sums.partner_code
        and flow_keys.flow_code = chapter_sums.flow_code
        and flow_keys.freq_code = chapter_sums.freq_code
        and flow_keys.period = chapter_sums.period
