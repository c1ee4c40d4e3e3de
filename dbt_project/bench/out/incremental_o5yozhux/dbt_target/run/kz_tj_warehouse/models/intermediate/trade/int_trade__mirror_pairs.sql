
  
  create view "warehouse"."intermediate"."int_trade__mirror_pairs__dbt_tmp" as (
    -- Each KZ–TJ flow as reported by the exporter (flow X) beside the same flow as reported by the
-- importer (flow M): KZ exports to TJ vs TJ imports from KZ, TJ exports to KZ vs KZ imports from
-- TJ. One row per flow pair, frequency and period; a side that did not report is null. X and M are
-- total exports and imports (re-exports and re-imports included, as Comtrade defines them).
with flow_totals as (
    select * from "warehouse"."intermediate"."int_trade__flow_totals"
    where flow_code in ('X', 'M')
),

exporter_view as (
    select
        reporter_code as exporter_code,
        partner_code as importer_code,
        freq_code,
        period,
        period_date,
        ref_year,
        trade_value_usd
    from flow_totals
    where flow_code = 'X'
),

importer_view as (
    select
        partner_code as exporter_code,
        reporter_code as importer_code,
        freq_code,
        period,
        period_date,
        ref_year,
        trade_value_usd
    from flow_totals
    where flow_code = 'M'
),

paired as (
    select
        coalesce(exporter_view.exporter_code, importer_view.exporter_code) as exporter_code,
        coalesce(exporter_view.importer_code, importer_view.importer_code) as importer_code,
        coalesce(exporter_view.freq_code, importer_view.freq_code) as freq_code,
        coalesce(exporter_view.period, importer_view.period) as period,
        coalesce(exporter_view.period_date, importer_view.period_date) as period_date,
        coalesce(exporter_view.ref_year, importer_view.ref_year) as ref_year,
        exporter_view.trade_value_usd as exporter_reported_usd,
        importer_view.trade_value_usd as importer_reported_usd
    from exporter_view
    full outer join importer_view
        on
            exporter_view.exporter_code = importer_view.exporter_code
            and exporter_view.importer_code = importer_view.importer_code
            and exporter_view.freq_code = importer_view.freq_code
            and exporter_view.period = importer_view.period
)

select
    case
        when exporter_code = 398 then 'KZ_TO_TJ'
        else 'TJ_TO_KZ'
    end as flow_pair,
    *
from paired
where
    (exporter_code = 398 and importer_code = 762)
    or (exporter_code = 762 and importer_code = 398)
  );
