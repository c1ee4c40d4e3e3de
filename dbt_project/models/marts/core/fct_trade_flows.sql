{{
    config(
        materialized='incremental',
        tags=['partition_window'],
        incremental_strategy=('insert_overwrite' if target.type == 'spark' else 'replace_window'),
        partition_by=(['period'] if target.type == 'spark' else none),
        pre_hook="{{ drop_emptied_periods(ref('int_trade__plain_rows')) }}",
        on_schema_change='append_new_columns'
    )
}}
{#-
    Incremental by Dagster partition window: min_period / max_period (YYYYMM, inclusive; vars,
    or DBT_MIN_PERIOD / DBT_MAX_PERIOD in the environment as Dagster sets them); the run reads the monthly rows of those months and the annual rows of the years
    they touch, and replaces everything the table holds in that window (macro partition_window,
    strategy replace_window), so slices removed upstream are removed here too. Without vars (or on
    a full refresh) every period is processed.
    On Spark, whose adapter takes no strategy of a project's own, the table is partitioned by
    period: a pre-hook drops the window's stored periods that have no row upstream any more
    (drop_emptied_periods) and the run overwrites the periods it builds (insert_overwrite,
    dynamic), so a period left with no row at all upstream is emptied there too.
-#}

-- One row per reporter, partner, flow, commodity, aggregation level and period (plain rows only).
with plain as (
    select * from {{ ref('int_trade__plain_rows') }}
    {% if is_incremental() %}
        where {{ partition_window() }}
    {% endif %}
)

select
    {{ dbt.hash(dbt.concat([
        dbt.cast('reporter_code', dbt.type_string()), "'|'",
        dbt.cast('partner_code', dbt.type_string()), "'|'",
        'flow_code', "'|'", 'freq_code', "'|'", 'period', "'|'", 'cmd_code'
    ])) }} as trade_flow_id,
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
