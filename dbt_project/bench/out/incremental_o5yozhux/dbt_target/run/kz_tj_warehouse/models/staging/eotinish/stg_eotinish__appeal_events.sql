delete from "warehouse"."staging"."stg_eotinish__appeal_events"
    where appeal_id in (select appeal_id from "stg_eotinish__appeal_events__dbt_tmp20261205031623846609");
    insert into "warehouse"."staging"."stg_eotinish__appeal_events" ("event_id", "appeal_id", "event_type", "state", "working_state", "actor_org_id", "target_org_id", "actor_user_id", "event_at", "event_date", "recorded_at", "is_late", "partition_date", "copies_received", "_source_file", "_source_row", "_file_sha256", "_load_id", "_loaded_at", "_last_loaded_at", "event_seq", "previous_state")
    (
        select "event_id", "appeal_id", "event_type", "state", "working_state", "actor_org_id", "target_org_id", "actor_user_id", "event_at", "event_date", "recorded_at", "is_late", "partition_date", "copies_received", "_source_file", "_source_row", "_file_sha256", "_load_id", "_loaded_at", "_last_loaded_at", "event_seq", "previous_state"
        from "stg_eotinish__appeal_events__dbt_tmp20261205031623846609"
    )


  