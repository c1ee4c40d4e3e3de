
  
  create view "warehouse"."intermediate"."int_trade__bilateral_by_side__dbt_tmp" as (
    -- KZ–TJ trade as each side reports it: one row per reporting side (KZ = reporter 398 with partner
-- 762, TJ = reporter 762 with partner 398), frequency and period. In Comtrade X is total exports and
-- RX the re-exported part of it (M and RM likewise): exports are X, imports M, turnover X + M. The
-- re-flows are shown on their own and never added again.
with flow_totals as (
    select * from "warehouse"."intermediate"."int_trade__flow_totals"
    where
        (reporter_code = 398 and partner_code = 762)
        or (reporter_code = 762 and partner_code = 398)
)

select
    case when reporter_code = 398 then 'KZ' else 'TJ' end as reporting_side,
    reporter_code,
    partner_code,
    freq_code,
    period,
    period_date,
    ref_year,
    sum(case when flow_code = 'X' then trade_value_usd else 0 end) as exports_usd,
    sum(case when flow_code = 'M' then trade_value_usd else 0 end) as imports_usd,
    sum(case when flow_code = 'RX' then trade_value_usd else 0 end) as re_exports_usd,
    sum(case when flow_code = 'RM' then trade_value_usd else 0 end) as re_imports_usd,
    sum(case when flow_code in ('X', 'M') then trade_value_usd else 0 end) as turnover_usd
from flow_totals
group by reporter_code, partner_code, freq_code, period, period_date, ref_year
  );
