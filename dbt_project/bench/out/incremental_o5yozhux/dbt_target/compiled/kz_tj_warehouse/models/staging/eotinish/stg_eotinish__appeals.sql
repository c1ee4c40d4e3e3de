-- One row per appeal snapshot (one per export day on which the appeal was created or modified),
-- renamed and typed. No personal data: the loader already replaced the IIN by applicant_key.
with source as (
    select * from "warehouse"."raw"."eotinish_appeals"
)

select
    
    cast(id as TEXT)
 as appeal_id,
    reg_number,
    current_state,
    current_working_state,
    
    cast(start_date as timestamp)
 as started_at,
    
    cast(start_date as date)
 as start_date,
    
    cast(deadline as date)
 as deadline_date,
    
    cast(finish_date as timestamp)
 as finished_at,
    
    cast(org_id as integer)
 as receiving_org_id,
    
    cast(executive_org_id as integer)
 as executive_org_id,
    appeal_source_id as channel,
    coalesce(
    cast(prolong_count as integer)
, 0) as prolong_count,
    coalesce(
    cast(prolong_days as integer)
, 0) as prolong_days,
    coalesce(complaint_exist, false) as complaint_exist,
    nullif(is_duplicate_of, '') as is_duplicate_of,
    coalesce(has_lawsuit, false) as has_lawsuit,
    type_id as appeal_type,
    
    cast(issue_category_id as TEXT)
 as category_id,
    
    cast(subissue_category_id as TEXT)
 as subcategory_id,
    nullif(location_id, '') as location_kato,
    case
        when length(location_id) = 9 then substr(location_id, 1, 2)
    end as region_kato_2digit,
    appeal_form,
    appeal_character,
    language_id as language_code,
    
    cast(person_age as integer)
 as person_age,
    
    cast(created_date as timestamp)
 as created_at,
    
    cast(modified_date as timestamp)
 as modified_at,
    applicant_key,
    
    cast(_partition_date as date)
 as partition_date,
    _source_file,
    _source_row,
    _file_sha256,
    _load_id,
    _loaded_at
from source