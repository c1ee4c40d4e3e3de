{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='replace_slices',
        on_schema_change='append_new_columns',
        post_hook="{{ record_commodity_descriptions() }}"
    )
}}
{#-
    Incremental on DuckDB (macros/trade_slices.sql): a run rebuilds the slices (reporter,
    frequency, period) whose rows in fct_trade_flows changed since its last run, and the same
    slices a year later (their year-on-year columns read these); every slice when a stored
    description no longer matches dim_commodity (checked when dim_commodity changed since the
    descriptions the post-hook recorded). A table on Spark. On a table built before
    _loaded_at existed, the run rebuilds every slice (and the column is added).
-#}
{%- set slices = trade_slices_to_rebuild() -%}
{%- set read_slices = trade_slices_with_previous_year(slices) -%}
{{ trade_slices_rebuilt(slices) }}
-- The HS chapters (aggrLevel 2) and 4/6-digit lines making up each flow: value, share of the
-- flow total (int_trade__flow_totals), rank within the flow and level, and the year-on-year
-- change of the share in percentage points. One row per reporter, partner, flow, frequency,
-- period and commodity code. RX/RM lines are parts of the X/M lines: never add flows together.
with flows as (
    select * from {{ ref('fct_trade_flows') }}
    where
        aggr_level in ({{ commodity_mix_aggr_levels() | join(', ') }})
        -- the rebuilt slices and the same slices a year earlier (their year-on-year columns)
        and {{ trade_slice_in(read_slices) }}
),

flow_totals as (
    select * from {{ ref('int_trade__flow_totals') }}
    where {{ trade_slice_in(read_slices) }}
),

commodities as (
    select * from {{ ref('dim_commodity') }}
),

shares as (
    select
        flows.reporter_code,
        flows.partner_code,
        case
            when flows.reporter_code = {{ var('kz_m49_code') }} then 'KZ'
            when flows.reporter_code = {{ var('tj_m49_code') }} then 'TJ'
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
        {{ dbt.cast('flows.trade_value_usd', 'double') }} / nullif(flow_totals.trade_value_usd, 0) * 100
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
    {{ dbt.cast('current_period.trade_value_usd - previous_period.trade_value_usd', 'double') }}
    / nullif(previous_period.trade_value_usd, 0) * 100 as trade_value_yoy_pct,
    {{ built_at() }} as _built_at
from shares as current_period
left join shares as previous_period
    on
        current_period.reporter_code = previous_period.reporter_code
        and current_period.partner_code = previous_period.partner_code
        and current_period.flow_code = previous_period.flow_code
        and current_period.freq_code = previous_period.freq_code
        and current_period.cmd_code = previous_period.cmd_code
        and previous_period.period_date = {{ add_months('current_period.period_date', -12) }}
where {{ trade_slice_in(slices, 'current_period.') }}
