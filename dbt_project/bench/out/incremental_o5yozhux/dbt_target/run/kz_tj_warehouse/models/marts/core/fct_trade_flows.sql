delete from "warehouse"."marts"."fct_trade_flows" where (
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
        );
    insert into "warehouse"."marts"."fct_trade_flows" ("trade_flow_id", "reporter_code", "partner_code", "flow_code", "flow_direction", "is_re_flow", "freq_code", "period", "period_date", "ref_year", "ref_month", "cmd_code", "cmd_desc", "aggr_level", "commodity_level", "hs_chapter_code", "is_leaf", "classification_code", "trade_value_usd", "cif_value_usd", "fob_value_usd", "net_weight_kg", "gross_weight_kg", "qty", "qty_unit_abbr", "is_qty_estimated", "is_net_weight_estimated", "is_reported", "_source_file", "_source_row", "_file_sha256", "_load_id", "_loaded_at")
    (
        select "trade_flow_id", "reporter_code", "partner_code", "flow_code", "flow_direction", "is_re_flow", "freq_code", "period", "period_date", "ref_year", "ref_month", "cmd_code", "cmd_desc", "aggr_level", "commodity_level", "hs_chapter_code", "is_leaf", "classification_code", "trade_value_usd", "cif_value_usd", "fob_value_usd", "net_weight_kg", "gross_weight_kg", "qty", "qty_unit_abbr", "is_qty_estimated", "is_net_weight_estimated", "is_reported", "_source_file", "_source_row", "_file_sha256", "_load_id", "_loaded_at"
        from "fct_trade_flows__dbt_tmp20261205031628072774"
    )


  