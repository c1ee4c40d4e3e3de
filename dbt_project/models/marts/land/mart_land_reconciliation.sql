{%- set scale_factor = var('land_scale_factor') -%}

-- The published land-monitoring figures (ref.kz_land_reference) beside the warehouse's own, and
-- the warehouse's regional totals for the same measures by year. The warehouse value is the demo
-- value times var land_scale_factor (default 100: the bundled demo stands for 1/100 of the
-- country); difference = warehouse_value - published_value. Which warehouse value a published
-- measure is compared with is data, the seed land_reconciliation_measures; by its feed:
--   events: hectares of the events of its event_type dated in the period;
--   detections: detections outside the licensed contour in the period;
--   observations: unused hectares in the SUMMER season(s) of the period (the rule of
--     mart_land_utilization), of its land_category only when it has one.
-- A regional figure is compared with the region's total. The warehouse value is null (with
-- comparison_note) when the measure has no counterpart, the scope is neither the country nor a
-- region, or the period is not wholly inside the quarters loaded for the feed.
with reference as (
    select * from {{ ref('stg_ref__kz_land_reference') }}
),

measures as (
    select * from {{ ref('land_reconciliation_measures') }}
),

events as (
    select * from {{ ref('fct_land_parcel_events') }}
),

detections as (
    select * from {{ ref('fct_subsoil_detections') }}
),

observations as (
    select * from {{ ref('fct_land_observations') }}
),

regions as (
    select
        region_kato_2digit,
        name_en
    from {{ ref('dim_region') }}
),

-- Dates covered by each feed: its loaded quarters (seasons' whole years for observations).
feed_quarters as (
    select
        'events' as feed,
        min(partition_quarter) as first_quarter,
        max(partition_quarter) as last_quarter
    from {{ ref('stg_land__parcel_events') }}
    union all
    select
        'detections' as feed,
        min(partition_quarter) as first_quarter,
        max(partition_quarter) as last_quarter
    from {{ ref('stg_subsoil__detections') }}
),

coverage_dates as (
    select
        feed,
        {{ dbt.safe_cast(dbt.concat([
            "substr(first_quarter, 1, 4)",
            "case substr(first_quarter, 7, 1) when '1' then '-01-01' when '2' then '-04-01' "
            ~ "when '3' then '-07-01' else '-10-01' end"
        ]), 'date') }} as covered_from,
        {{ dbt.safe_cast(dbt.concat([
            "substr(last_quarter, 1, 4)",
            "case substr(last_quarter, 7, 1) when '1' then '-03-31' when '2' then '-06-30' "
            ~ "when '3' then '-09-30' else '-12-31' end"
        ]), 'date') }} as covered_to
    from feed_quarters
    union all
    select
        'observations' as feed,
        {{ dbt.safe_cast(dbt.concat([dbt.cast('min(season_year)', dbt.type_string()), "'-01-01'"]), 'date') }}
            as covered_from,
        {{ dbt.safe_cast(dbt.concat([dbt.cast('max(season_year)', dbt.type_string()), "'-12-31'"]), 'date') }}
            as covered_to
    from {{ ref('stg_land__observations') }}
),

-- Whole calendar years inside the covered dates (coverage starts on a quarter's first day and
-- ends on a quarter's last day).
coverage as (
    select
        feed,
        covered_from,
        covered_to,
        extract(year from covered_from)
        + case when extract(month from covered_from) = 1 then 0 else 1 end as first_full_year,
        extract(year from covered_to)
        - case when extract(month from covered_to) = 12 then 0 else 1 end as last_full_year
    from coverage_dates
),

published as (
    select
        reference.*,
        measures.warehouse_measure,
        measures.feed,
        measures.event_type,
        measures.land_category,
        reference.region_kato_2digit is not null or reference.scope = 'Kazakhstan' as is_known_scope
    from reference
    left join measures
        on reference.measure = measures.measure
),

published_covered as (
    select
        published.*,
        coverage.covered_from,
        coverage.covered_to,
        coalesce(
            coverage.covered_to >= published.period_end_date
            and (
                published.period_start_date is null
                or coverage.covered_from <= published.period_start_date
            ),
            false
        ) as is_period_covered
    from published
    left join coverage
        on published.feed = coverage.feed
),

event_values as (
    select
        published_covered.reference_row,
        sum(events.area_ha) as value_demo
    from published_covered
    inner join events
        on
            published_covered.event_type = events.event_type
            and published_covered.period_end_date >= events.event_date
            and (
                published_covered.period_start_date is null
                or published_covered.period_start_date <= events.event_date
            )
            and (
                published_covered.region_kato_2digit is null
                or published_covered.region_kato_2digit = events.region_kato_2digit
            )
    group by published_covered.reference_row
),

detection_values as (
    select
        published_covered.reference_row,
        count(*) as value_demo
    from published_covered
    inner join detections
        on
            published_covered.feed = 'detections'
            and published_covered.period_end_date >= detections.detection_date
            and (
                published_covered.period_start_date is null
                or published_covered.period_start_date <= detections.detection_date
            )
            and (
                published_covered.region_kato_2digit is null
                or published_covered.region_kato_2digit = detections.region_kato_2digit
            )
            and detections.is_outside_contour
    group by published_covered.reference_row
),

observation_values as (
    select
        published_covered.reference_row,
        sum(observations.unused_ha) as value_demo
    from published_covered
    inner join observations
        on
            published_covered.feed = 'observations'
            and observations.season_name = 'SUMMER'
            and (
                published_covered.land_category is null
                or published_covered.land_category = observations.land_category
            )
            and extract(year from published_covered.period_end_date) >= observations.season_year
            and (
                published_covered.period_start_date is null
                or extract(year from published_covered.period_start_date) <= observations.season_year
            )
            and (
                published_covered.region_kato_2digit is null
                or published_covered.region_kato_2digit = observations.region_kato_2digit
            )
    group by published_covered.reference_row
),

published_compared as (
    select
        {{ dbt.concat(["'published-'", dbt.cast('published_covered.reference_row', dbt.type_string())]) }}
            as reconciliation_key,
        'published' as row_source,
        published_covered.reference_row,
        published_covered.measure,
        published_covered.period,
        published_covered.period_start_date,
        published_covered.period_end_date,
        published_covered.scope,
        published_covered.region_kato_2digit,
        published_covered.published_value,
        published_covered.unit,
        published_covered.value_as_published,
        published_covered.unit_as_published,
        published_covered.warehouse_measure,
        case
            when published_covered.warehouse_measure is null
                then 'no warehouse counterpart for this measure'
            when not published_covered.is_known_scope
                then 'scope is neither Kazakhstan nor a region'
            when not published_covered.is_period_covered
                then {{ dbt.concat([
                    "'period outside the loaded data ('",
                    dbt.cast('published_covered.covered_from', dbt.type_string()),
                    "' to '",
                    dbt.cast('published_covered.covered_to', dbt.type_string()),
                    "')'"
                ]) }}
        end as comparison_note,
        case
            when
                published_covered.warehouse_measure is not null
                and published_covered.is_known_scope
                and published_covered.is_period_covered
                then coalesce(
                    event_values.value_demo,
                    detection_values.value_demo,
                    observation_values.value_demo,
                    0
                )
        end as warehouse_value_demo,
        published_covered.is_derived,
        published_covered.source_url,
        published_covered.source_date,
        published_covered.note
    from published_covered
    left join event_values
        on published_covered.reference_row = event_values.reference_row
    left join detection_values
        on published_covered.reference_row = detection_values.reference_row
    left join observation_values
        on published_covered.reference_row = observation_values.reference_row
),

-- Regional totals by whole calendar year inside the loaded quarters (no published counterpart).
event_years as (
    select
        events.region_kato_2digit,
        events.event_year as period_year,
        sum(events.area_ha) as value_demo
    from events
    inner join coverage
        on
            coverage.feed = 'events'
            and events.event_year >= coverage.first_full_year
            and events.event_year <= coverage.last_full_year
    where events.event_type = 'WITHDRAWN'
    group by events.region_kato_2digit, events.event_year
),

detection_years as (
    select
        detections.region_kato_2digit,
        detections.detection_year as period_year,
        count(*) as value_demo
    from detections
    inner join coverage
        on
            coverage.feed = 'detections'
            and detections.detection_year >= coverage.first_full_year
            and detections.detection_year <= coverage.last_full_year
    where detections.is_outside_contour and detections.region_kato_2digit is not null
    group by detections.region_kato_2digit, detections.detection_year
),

regional_values as (
    select
        'agri_land_returned_to_state' as measure,
        'ha' as unit,
        'withdrawn_ha' as warehouse_measure,
        region_kato_2digit,
        period_year,
        value_demo
    from event_years
    where region_kato_2digit is not null
    union all
    select
        'illegal_mining_cases_space_monitoring' as measure,
        'cases' as unit,
        'outside_detections' as warehouse_measure,
        region_kato_2digit,
        period_year,
        value_demo
    from detection_years
),

regional_rows as (
    select
        {{ dbt.concat([
            "'warehouse-'",
            "regional_values.measure",
            "'-'",
            dbt.cast('regional_values.period_year', dbt.type_string()),
            "'-'",
            "regional_values.region_kato_2digit"
        ]) }} as reconciliation_key,
        'warehouse_only' as row_source,
        {{ dbt.cast('null', dbt.type_int()) }} as reference_row,
        regional_values.measure,
        {{ dbt.cast('regional_values.period_year', dbt.type_string()) }} as period,
        {{ dbt.cast(
            dbt.concat([dbt.cast('regional_values.period_year', dbt.type_string()), "'-01-01'"]), 'date'
        ) }} as period_start_date,
        {{ dbt.cast(
            dbt.concat([dbt.cast('regional_values.period_year', dbt.type_string()), "'-12-31'"]), 'date'
        ) }} as period_end_date,
        regions.name_en as scope,
        regional_values.region_kato_2digit,
        {{ dbt.cast('null', 'double') }} as published_value,
        regional_values.unit,
        {{ dbt.cast('null', 'double') }} as value_as_published,
        {{ dbt.cast('null', dbt.type_string()) }} as unit_as_published,
        regional_values.warehouse_measure,
        'regional total of the warehouse; no published regional figure' as comparison_note,
        regional_values.value_demo as warehouse_value_demo,
        {{ dbt.cast('null', dbt.type_boolean()) }} as is_derived,
        {{ dbt.cast('null', dbt.type_string()) }} as source_url,
        {{ dbt.cast('null', dbt.type_string()) }} as source_date,
        {{ dbt.cast('null', dbt.type_string()) }} as note
    from regional_values
    left join regions
        on regional_values.region_kato_2digit = regions.region_kato_2digit
),

all_rows as (
    select * from published_compared
    union all
    select * from regional_rows
)

select
    all_rows.reconciliation_key,
    all_rows.row_source,
    all_rows.reference_row,
    all_rows.measure,
    all_rows.period,
    all_rows.period_start_date,
    all_rows.period_end_date,
    all_rows.scope,
    all_rows.region_kato_2digit,
    regions.name_en as region_name_en,
    all_rows.published_value,
    all_rows.unit,
    all_rows.value_as_published,
    all_rows.unit_as_published,
    all_rows.warehouse_measure,
    {{ dbt.cast('all_rows.warehouse_value_demo', 'double') }} as warehouse_value_demo,
    {{ scale_factor }} as scale_factor,
    {{ dbt.cast('all_rows.warehouse_value_demo', 'double') }} * {{ scale_factor }} as warehouse_value,
    {{ dbt.cast('all_rows.warehouse_value_demo', 'double') }} * {{ scale_factor }}
    - all_rows.published_value as difference,
    (
        {{ dbt.cast('all_rows.warehouse_value_demo', 'double') }} * {{ scale_factor }}
        - all_rows.published_value
    ) / nullif(all_rows.published_value, 0) * 100 as difference_pct,
    all_rows.comparison_note,
    all_rows.is_derived,
    all_rows.source_url,
    all_rows.source_date,
    all_rows.note
from all_rows
left join regions
    on all_rows.region_kato_2digit = regions.region_kato_2digit
