-- One row per reporter, partner, flow, commodity, aggregation level and period (plain rows only).
with plain as (
    select * from "warehouse"."intermediate"."int_trade__plain_rows"
    
        where (
            (
                freq_code = 'M'
                and period >= '202511'
                and period <= '202511'
            )
            or (
                freq_code = 'A'
                and period >= '2025'
                and period <= '2025'
            )
        )
    
)

select
    md5(cast(
    cast(reporter_code as TEXT)
 || '|' || 
    cast(partner_code as TEXT)
 || '|' || flow_code || '|' || freq_code || '|' || period || '|' || cmd_code as TEXT)) as trade_flow_id,
    reporter_code,
    partner_code,
    flow_code,
    flow_direction,
    is_re_flow,
    freq_code,
    period,
    period_date,
    ref_year,
    ref_month,
    cmd_code,
    cmd_desc,
    aggr_level,
    commodity_level,
    case when aggr_level >= 2 then substr(cmd_code, 1, 2) end as hs_chapter_code,
    is_leaf,
    classification_code,
    trade_value_usd,
    cif_value_usd,
    fob_value_usd,
    net_weight_kg,
    gross_weight_kg,
    qty,
    qty_unit_abbr,
    is_qty_estimated,
    is_net_weight_estimated,
    is_reported,
    _source_file,
    _source_row,
    _file_sha256,
    _load_id,
    _loaded_at
from plain