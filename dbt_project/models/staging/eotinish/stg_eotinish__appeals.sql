-- One row per appeal snapshot (one per export day on which the appeal was created or modified),
-- renamed and typed. No personal data: the loader already replaced the IIN by applicant_key.
with source as (
    select * from {{ source('raw', 'eotinish_appeals') }}
)

select
    {{ dbt.cast('id', dbt.type_string()) }} as appeal_id,
    reg_number,
    current_state,
    current_working_state,
    {{ dbt.cast('start_date', dbt.type_timestamp()) }} as started_at,
    {{ dbt.cast('start_date', 'date') }} as start_date,
    {{ dbt.cast('deadline', 'date') }} as deadline_date,
    {{ dbt.cast('finish_date', dbt.type_timestamp()) }} as finished_at,
    {{ dbt.cast('org_id', dbt.type_int()) }} as receiving_org_id,
    {{ dbt.cast('executive_org_id', dbt.type_int()) }} as executive_org_id,
    appeal_source_id as channel,
    coalesce({{ dbt.cast('prolong_count', dbt.type_int()) }}, 0) as prolong_count,
    coalesce({{ dbt.cast('prolong_days', dbt.type_int()) }}, 0) as prolong_days,
    coalesce(complaint_exist, false) as complaint_exist,
    nullif(is_duplicate_of, '') as is_duplicate_of,
    coalesce(has_lawsuit, false) as has_lawsuit,
    type_id as appeal_type,
    {{ dbt.cast('issue_category_id', dbt.type_string()) }} as category_id,
    {{ dbt.cast('subissue_category_id', dbt.type_string()) }} as subcategory_id,
    nullif(location_id, '') as location_kato,
    case
        when length(location_id) = 9 then substr(location_id, 1, 2)
    end as region_kato_2digit,
    appeal_form,
    appeal_character,
    language_id as language_code,
    {{ dbt.cast('person_age', dbt.type_int()) }} as person_age,
    {{ dbt.cast('created_date', dbt.type_timestamp()) }} as created_at,
    {{ dbt.cast('modified_date', dbt.type_timestamp()) }} as modified_at,
    applicant_key,
    {{ dbt.cast('_partition_date', 'date') }} as partition_date,
    _source_file,
    _source_row,
    _file_sha256,
    _load_id,
    _loaded_at
from source
