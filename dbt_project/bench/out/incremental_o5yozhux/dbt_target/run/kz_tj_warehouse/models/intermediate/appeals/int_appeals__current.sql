delete from "warehouse"."intermediate"."int_appeals__current"
    where appeal_id in (select appeal_id from "int_appeals__current__dbt_tmp20261205031624971646");
    insert into "warehouse"."intermediate"."int_appeals__current" ("appeal_id", "reg_number", "current_state", "current_working_state", "started_at", "start_date", "deadline_date", "finished_at", "receiving_org_id", "executive_org_id", "channel", "prolong_count", "prolong_days", "complaint_exist", "is_duplicate_of", "has_lawsuit", "appeal_type", "category_id", "subcategory_id", "location_kato", "region_kato_2digit", "appeal_form", "appeal_character", "language_code", "person_age", "created_at", "modified_at", "applicant_key", "partition_date", "_source_file", "_source_row", "_file_sha256", "_load_id", "_loaded_at", "snapshot_rank", "snapshot_count", "first_partition_date", "_last_loaded_at")
    (
        select "appeal_id", "reg_number", "current_state", "current_working_state", "started_at", "start_date", "deadline_date", "finished_at", "receiving_org_id", "executive_org_id", "channel", "prolong_count", "prolong_days", "complaint_exist", "is_duplicate_of", "has_lawsuit", "appeal_type", "category_id", "subcategory_id", "location_kato", "region_kato_2digit", "appeal_form", "appeal_character", "language_code", "person_age", "created_at", "modified_at", "applicant_key", "partition_date", "_source_file", "_source_row", "_file_sha256", "_load_id", "_loaded_at", "snapshot_rank", "snapshot_count", "first_partition_date", "_last_loaded_at"
        from "int_appeals__current__dbt_tmp20261205031624971646"
    )


  