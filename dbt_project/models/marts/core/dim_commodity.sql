-- One row per commodity code: TOTAL, the 97 HS chapters (with their 21 sections) from the seed,
-- and every HS 4/6-digit code (or unknown chapter such as 99) seen in the records, described by
-- the records' latest cmd_desc.
with chapters as (
    select * from {{ ref('hs_chapters') }}
),

latest_records as (
    -- The latest record's level and description: a record without a description does not blank
    -- the code's (mart_commodity_mix relies on it); file and line settle a tie.
    {%- set latest = ['cmd_desc is not null', '_loaded_at', 'period', '_source_row', '_source_file'] %}
    select
        cmd_code,
        {{ value_at_max(struct_of(['aggr_level', 'cmd_desc']), latest) }} as latest_record
    from {{ ref('stg_comtrade__records') }}
    where cmd_code <> 'TOTAL'
    group by cmd_code
),

latest_record_codes as (
    select
        latest_records.cmd_code,
        latest_records.latest_record.aggr_level,
        latest_records.latest_record.cmd_desc
    from latest_records
),

commodity_codes as (
    select
        'TOTAL' as cmd_code,
        0 as aggr_level,
        'All commodities' as cmd_desc
    union all
    select
        hs_chapter_code as cmd_code,
        2 as aggr_level,
        chapter_title as cmd_desc
    from chapters
    union all
    select
        cmd_code,
        aggr_level,
        cmd_desc
    from latest_record_codes
    where cmd_code not in (select chapters.hs_chapter_code from chapters)
)

select
    commodity_codes.cmd_code,
    commodity_codes.aggr_level,
    case
        when commodity_codes.aggr_level = 0 then 'total'
        when commodity_codes.aggr_level = 2 then 'hs_chapter'
        when commodity_codes.aggr_level = 4 then 'hs_heading'
        when commodity_codes.aggr_level = 6 then 'hs_subheading'
        else 'other'
    end as commodity_level,
    commodity_codes.cmd_desc,
    case
        when commodity_codes.aggr_level >= 2 then substr(commodity_codes.cmd_code, 1, 2)
    end as hs_chapter_code,
    case
        when commodity_codes.aggr_level >= 4 then substr(commodity_codes.cmd_code, 1, 4)
    end as hs_heading_code,
    chapters.chapter_title,
    chapters.section_number,
    chapters.section_roman,
    chapters.section_title
from commodity_codes
left join chapters
    on
        commodity_codes.aggr_level >= 2
        and substr(commodity_codes.cmd_code, 1, 2) = chapters.hs_chapter_code
