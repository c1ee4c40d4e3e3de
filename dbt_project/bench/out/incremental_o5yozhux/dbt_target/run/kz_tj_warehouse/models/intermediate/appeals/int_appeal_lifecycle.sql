delete from "warehouse"."intermediate"."int_appeal_lifecycle"
    where appeal_id in (select appeal_id from "int_appeal_lifecycle__dbt_tmp20261205031625336373");
    insert into "warehouse"."intermediate"."int_appeal_lifecycle" ("appeal_id", "registered_at", "assigned_at", "first_prolonged_at", "answered_at", "answered_at_source", "closed_at", "reopened_at", "withdrawn_at", "reopen_count", "prolong_count", "answer_count", "event_count", "late_event_count", "first_event_at", "last_event_at", "last_event_state", "_snapshots_loaded_at", "_events_loaded_at")
    (
        select "appeal_id", "registered_at", "assigned_at", "first_prolonged_at", "answered_at", "answered_at_source", "closed_at", "reopened_at", "withdrawn_at", "reopen_count", "prolong_count", "answer_count", "event_count", "late_event_count", "first_event_at", "last_event_at", "last_event_state", "_snapshots_loaded_at", "_events_loaded_at"
        from "int_appeal_lifecycle__dbt_tmp20261205031625336373"
    )


  