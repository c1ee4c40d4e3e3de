-- One row per published aggregate, with a stable id and the window length in months.
with source as (
    select * from {{ source('raw', 'trade_reference') }}
),

renamed as (
    select
        {{ dbt.hash(dbt.concat([
            "coalesce(period, '')", "'|'", "coalesce(reporting_side, '')", "'|'",
            "coalesce(measure, '')", "'|'", "coalesce(source_url, '')", "'|'",
            dbt.cast("value_musd", dbt.type_string())
        ])) }} as reference_id,
        period as period_label,
        period_type,
        reporting_side,
        measure,
        value_musd,
        value_musd * 1000000 as value_usd,
        yoy_pct,
        is_derived,
        confidence,
        source_url,
        source_date,
        note,
        {{ dbt.cast('period_start', 'date') }} as period_start,
        {{ dbt.cast('period_end', 'date') }} as period_end,
        _source_file,
        _source_row,
        _load_id,
        _loaded_at
    from source
)

select
    *,
    {{ dbt.datediff('period_start', 'period_end', 'month') }} + 1 as months_in_window
from renamed
