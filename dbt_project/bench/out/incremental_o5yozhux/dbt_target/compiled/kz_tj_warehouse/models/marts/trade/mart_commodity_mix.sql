-- The HS chapters (aggrLevel 2) and 4/6-digit lines making up each flow: value, share of the
-- flow total (int_trade__flow_totals), rank within the flow and level, and the year-on-year
-- change of the share in percentage points. One row per reporter, partner, flow, frequency,
-- period and commodity code. RX/RM lines are parts of the X/M lines: never add flows together.
with flows as (
    select * from "warehouse"."marts"."fct_trade_flows"
    where
        aggr_level in (2, 4, 6)
        -- the rebuilt slices and the same slices a year earlier (their year-on-year columns)
        and false
),

flow_totals as (
    select * from "warehouse"."intermediate"."int_trade__flow_totals"
    where false
),

commodities as (
    select * from "warehouse"."marts"."dim_commodity"
),

shares as (
    select
        flows.reporter_code,
        flows.partner_code,
        case
            when flows.reporter_code = 398 then 'KZ'
            when flows.reporter_code = 762 then 'TJ'
        end as reporting_side,
        flows.flow_code,
        flows.flow_direction,
        flows.freq_code,
        flows.period,
        flows.period_date,
        flows.ref_year,
        flows.cmd_code,
        flows.aggr_level,
        flows.commodity_level,
        flows.hs_chapter_code,
        coalesce(commodities.cmd_desc, flows.cmd_desc) as cmd_desc,
        commodities.chapter_title,
        commodities.section_number,
        commodities.section_roman,
        commodities.section_title,
        flows.trade_value_usd,
        flow_totals.trade_value_usd as flow_total_usd,
        
    cast(flows.trade_value_usd as double)
 / nullif(flow_totals.trade_value_usd, 0) * 100
            as share_of_flow_pct,
        rank() over (
            partition by
                flows.reporter_code, flows.partner_code, flows.flow_code, flows.freq_code,
                flows.period, flows.aggr_level
            order by flows.trade_value_usd desc
        ) as value_rank,
        -- the load of the slice: how the next incremental run tells that the slice changed
        flows._loaded_at
    from flows
    left join flow_totals
        on
            flows.reporter_code = flow_totals.reporter_code
            and flows.partner_code = flow_totals.partner_code
            and flows.flow_code = flow_totals.flow_code
            and flows.freq_code = flow_totals.freq_code
            and flows.period = flow_totals.period
    left join commodities
        on flows.cmd_code = commodities.cmd_code
)

select
    current_period.*,
    previous_period.trade_value_usd as trade_value_prev_year_usd,
    previous_period.share_of_flow_pct as share_of_flow_prev_year_pct,
    current_period.share_of_flow_pct - previous_period.share_of_flow_pct as share_change_pp_yoy,
    
    cast(current_period.trade_value_usd - previous_period.trade_value_usd as double)

    / nullif(previous_period.trade_value_usd, 0) * 100 as trade_value_yoy_pct
from shares as current_period
left join shares as previous_period
    on
        current_period.reporter_code = previous_period.reporter_code
        and current_period.partner_code = previous_period.partner_code
        and current_period.flow_code = previous_period.flow_code
        and current_period.freq_code = previous_period.freq_code
        and current_period.cmd_code = previous_period.cmd_code
        and previous_period.period_date = 
    cast(

    (current_period.period_date + cast(-12 as bigint) * interval 1 month) as date)

where false