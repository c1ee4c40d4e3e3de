delete from "warehouse"."marts"."mart_commodity_mix" as stored
    where exists (
        select 1
        from (
            select reporter_code, freq_code, period from "mart_commodity_mix__dbt_tmp20261205031631581995"
            union
            select * from (select reporter_code, freq_code, period from "warehouse"."marts"."mart_commodity_mix"
    except
    select reporter_code, freq_code, period from "warehouse"."marts"."fct_trade_flows"
    where aggr_level in (2, 4, 6)) as gone
        ) as rebuilt
        where
            rebuilt.reporter_code = stored.reporter_code
            and rebuilt.freq_code = stored.freq_code
            and rebuilt.period = stored.period
    );
    insert into "warehouse"."marts"."mart_commodity_mix" ("reporter_code", "partner_code", "reporting_side", "flow_code", "flow_direction", "freq_code", "period", "period_date", "ref_year", "cmd_code", "aggr_level", "commodity_level", "hs_chapter_code", "cmd_desc", "chapter_title", "section_number", "section_roman", "section_title", "trade_value_usd", "flow_total_usd", "share_of_flow_pct", "value_rank", "_loaded_at", "trade_value_prev_year_usd", "share_of_flow_prev_year_pct", "share_change_pp_yoy", "trade_value_yoy_pct")
    (
        select "reporter_code", "partner_code", "reporting_side", "flow_code", "flow_direction", "freq_code", "period", "period_date", "ref_year", "cmd_code", "aggr_level", "commodity_level", "hs_chapter_code", "cmd_desc", "chapter_title", "section_number", "section_roman", "section_title", "trade_value_usd", "flow_total_usd", "share_of_flow_pct", "value_rank", "_loaded_at", "trade_value_prev_year_usd", "share_of_flow_prev_year_pct", "share_change_pp_yoy", "trade_value_yoy_pct"
        from "mart_commodity_mix__dbt_tmp20261205031631581995"
    )


  