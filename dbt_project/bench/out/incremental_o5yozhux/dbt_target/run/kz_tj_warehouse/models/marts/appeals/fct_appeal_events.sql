delete from "warehouse"."marts"."fct_appeal_events"
    where appeal_id in (select appeal_id from "fct_appeal_events__dbt_tmp20261205031625223702");
    insert into "warehouse"."marts"."fct_appeal_events" ("event_id", "appeal_id", "event_seq", "event_type", "state", "working_state", "actor_org_id", "target_org_id", "actor_user_id", "event_at", "event_date", "recorded_at", "is_late", "partition_date", "days_late", "copies_received", "executive_org_id", "receiving_org_id", "region_kato_2digit", "category_id", "subcategory_id", "appeal_type", "channel", "appeal_form", "appeal_character", "start_date", "_source_file", "_source_row", "_load_id", "_events_loaded_at", "_snapshots_loaded_at")
    (
        select "event_id", "appeal_id", "event_seq", "event_type", "state", "working_state", "actor_org_id", "target_org_id", "actor_user_id", "event_at", "event_date", "recorded_at", "is_late", "partition_date", "days_late", "copies_received", "executive_org_id", "receiving_org_id", "region_kato_2digit", "category_id", "subcategory_id", "appeal_type", "channel", "appeal_form", "appeal_character", "start_date", "_source_file", "_source_row", "_load_id", "_events_loaded_at", "_snapshots_loaded_at"
        from "fct_appeal_events__dbt_tmp20261205031625223702"
    )


  