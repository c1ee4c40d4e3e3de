{#- Each side's turnover in every calendar year it has closed (all twelve months), for measuring
    the targets: one definition for mart_trade_target_versions and mart_trade_target_path. -#}
{% macro closed_turnover_years() %}
    select
        reporting_side,
        {{ dbt.cast('extract(year from period_start)', dbt.type_int()) }} as year,
        turnover_usd
    from {{ ref('mart_bilateral_turnover') }}
    where grain = 'year' and is_complete
{% endmacro %}
