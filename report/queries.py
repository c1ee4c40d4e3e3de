"""The report's SQL: small aggregations of the serving copy's marts, run in DuckDB.

Each function takes a read-only connection to the serving copy and returns plain rows (a list of
dicts: dates as ISO strings, decimals as floats), ready for an Altair chart or a sentence. A missing
table raises duckdb.CatalogException, which the report turns into a "no data" section.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from report.i18n import N_

Row = dict[str, Any]

# An agency needs this many answered appeals to be ranked (a rate of 3 answers says little).
MIN_ANSWERED_PER_AGENCY = 20
TOP_AGENCIES = 8  # the N answering least often on time and the N most often
TOP_CHAPTERS = 8  # HS chapters shown per flow; the rest are summed as "Other chapters"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[Row]:
    cursor = con.execute(sql, params or [])
    columns = [d[0] for d in cursor.description]
    return [{c: _plain(v) for c, v in zip(columns, values, strict=True)} for values in cursor.fetchall()]


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> Row | None:
    result = rows(con, sql, params)
    return result[0] if result else None


def existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """'schema.table' for every table and view of the opened database."""
    found = con.execute("""
        select schema_name || '.' || table_name from duckdb_tables() where database_name = current_database()
        union all
        select schema_name || '.' || view_name from duckdb_views()
        where database_name = current_database() and not internal
    """).fetchall()
    return {name for (name,) in found}


# --- 1. Turnover and the target --------------------------------------------------------------


def turnover_years(con) -> list[Row]:
    return rows(
        con,
        """
        select reporting_side, period_year as year, turnover_usd::double / 1e6 as turnover_musd
        from marts.mart_bilateral_turnover
        where grain = 'year' and is_complete
        order by reporting_side, year
    """,
    )


def turnover_half_years(con) -> list[Row]:
    return rows(
        con,
        """
        select reporting_side, period_label, period_start, turnover_usd::double / 1e6 as turnover_musd
        from marts.mart_bilateral_turnover
        where grain = 'half_year' and is_complete
        order by reporting_side, period_start
    """,
    )


def turnover_target(con) -> Row | None:
    """The turnover target of the seed bilateral_targets (the first by id if several)."""
    return one(
        con,
        """
        select
            target_id, target_name, target_value_musd::double as target_value_musd, baseline_period,
            baseline_value_musd::double as baseline_value_musd,
            baseline_annualised_musd::double as baseline_annualised_musd,
            coalesce(try_cast(left(baseline_period, 4) as integer), year(set_date)) as baseline_year,
            set_date, deadline_date, year(deadline_date) as deadline_year, deadline_is_assumed,
            source_url, note
        from marts.bilateral_targets
        where measure = 'turnover'
        order by target_id
        limit 1
    """,
    )


def target_progress(con, target_id: str) -> list[Row]:
    """Per reporting side: the latest figures, progress, and the trailing trend the mart computes."""
    return rows(
        con,
        """
        select
            reporting_side, latest_full_year,
            latest_full_year_turnover_usd::double / 1e6 as latest_full_year_musd,
            latest_rolling_12m_label, latest_rolling_12m_end,
            latest_rolling_12m_turnover_usd::double / 1e6 as latest_rolling_12m_musd,
            progress_full_year_pct, progress_rolling_12m_pct, required_cagr_pct, trend_cagr_pct,
            trend_base_year, trend_target_year, is_on_track, deadline_year
        from marts.mart_trade_target_progress
        where target_id = ?
        order by reporting_side
    """,
        [target_id],
    )


def target_versions(con) -> list[Row]:
    """Every stated version of the target per reporting side, with its verdict (deadline year
    closed) or its straight-path and trend projections (mart_trade_target_versions)."""
    return rows(
        con,
        """
        select
            target_id, reporting_side, stated_on, deadline_year, verdict, is_projected,
            target_value_musd::double as target_value_musd, latest_closed_year,
            latest_closed_turnover_usd::double / 1e6 as latest_closed_musd, progress_latest_closed_pct,
            deadline_year_turnover_usd::double / 1e6 as deadline_year_musd, deadline_year_achieved_pct,
            path_base_year, path_required_latest_usd::double / 1e6 as path_required_latest_musd,
            is_on_straight_path, trend_base_year, trend_cagr_pct,
            trend_projection_usd::double / 1e6 as trend_projection_musd, trend_projection_pct
        from marts.mart_trade_target_versions
        order by stated_on, target_id, reporting_side
    """,
    )


def target_path(con, target_id: str, side: str = "KZ") -> list[Row]:
    """The straight path of a projected target version, year by year (mart_trade_target_path)."""
    return rows(
        con,
        """
        select year, path_required_usd::double / 1e6 as turnover_musd
        from marts.mart_trade_target_path
        where target_id = ? and reporting_side = ?
        order by year
    """,
        [target_id, side],
    )


def trend_projection(con, target_id: str, side: str = "KZ") -> list[Row]:
    """The latest full year compounded at the mart's trailing trend (CAGR over the last 3 full
    years), year by year up to the deadline year."""
    return rows(
        con,
        """
        with progress as (
            select latest_full_year, latest_full_year_turnover_usd::double / 1e6 as base_musd,
                trend_cagr_pct, deadline_year
            from marts.mart_trade_target_progress
            where target_id = ? and reporting_side = ? and trend_cagr_pct is not null
        ),
        years as (
            select *, unnest(generate_series(latest_full_year, greatest(deadline_year, latest_full_year + 1)))
                as year
            from progress
        )
        select year, base_musd * power(1 + trend_cagr_pct / 100, year - latest_full_year) as turnover_musd
        from years
        order by year
    """,
        [target_id, side],
    )


# --- 2. Mirror statistics ------------------------------------------------------------------------


def mirror_years(con) -> list[Row]:
    return rows(
        con,
        """
        select flow_pair, exporter_code, importer_code, ref_year as year, value_source,
            exporter_reported_usd::double / 1e6 as exporter_musd,
            importer_reported_usd::double / 1e6 as importer_musd,
            gap_pct
        from marts.mart_trade_mirror_discrepancy
        where grain = 'year' and is_complete and gap_pct is not null
        order by flow_pair, year
    """,
    )


# --- 3. Commodity mix ------------------------------------------------------------------------------


def commodity_mix(con, side: str = "KZ", top: int = TOP_CHAPTERS) -> list[Row]:
    """HS chapters of each main flow (X, M) as `side` reports it, in the latest full year of that
    flow: the annual release where there is one, else the sum of its 12 months. The top chapters by
    value, the rest summed as 'Other chapters'; shares of the flow's total."""
    return rows(
        con,
        """
        with base as (
            select flow_code, ref_year, freq_code, period, cmd_code,
                coalesce(chapter_title, cmd_desc, cmd_code) as title,
                trade_value_usd::double as value_usd, flow_total_usd::double as flow_total_usd
            from marts.mart_commodity_mix
            where reporting_side = ? and aggr_level = 2 and flow_code in ('X', 'M')
        ),
        full_years as (
            select flow_code, ref_year, freq_code
            from base
            group by flow_code, ref_year, freq_code
            having freq_code = 'A' or count(distinct period) = 12
        ),
        chosen as (
            select * from full_years
            qualify row_number() over (
                partition by flow_code order by ref_year desc, freq_code = 'A' desc
            ) = 1
        ),
        in_year as (
            select base.* from base inner join chosen using (flow_code, ref_year, freq_code)
        ),
        totals as (
            select flow_code, sum(flow_total_usd) as total_usd
            from (select distinct flow_code, period, flow_total_usd from in_year)
            group by flow_code
        ),
        chapters as (
            select flow_code, any_value(ref_year) as year, cmd_code, any_value(title) as title,
                sum(value_usd) as value_usd
            from in_year
            group by flow_code, cmd_code
        ),
        ranked as (
            select *, row_number() over (partition by flow_code order by value_usd desc, cmd_code) as rank
            from chapters
        )
        select
            ranked.flow_code, any_value(ranked.year) as year,
            case when ranked.rank <= ? then 'HS ' || ranked.cmd_code || ' ' || ranked.title
                else 'Other chapters' end as chapter,
            min(ranked.rank) as rank,
            case when min(ranked.rank) <= ? then any_value(ranked.title) end as title,
            case when min(ranked.rank) <= ? then any_value(ranked.cmd_code) end as cmd_code,
            sum(ranked.value_usd) / 1e6 as value_musd,
            sum(ranked.value_usd) / nullif(any_value(totals.total_usd), 0) * 100 as share_pct
        from ranked inner join totals using (flow_code)
        group by ranked.flow_code, chapter
        order by ranked.flow_code desc, rank
    """,
        [side, top, top, top],
    )


# --- 4. Appeals --------------------------------------------------------------------------------------


def appeals_overall(con) -> Row | None:
    row = one(
        con,
        """
        select sum(answered_count)::bigint as answered, sum(answered_on_time_count)::bigint as on_time,
            sum(answered_on_time_count) / nullif(sum(answered_count), 0) * 100 as on_time_pct,
            min(month_start) as first_month, max(month_end) as last_month
        from marts.mart_appeals_sla
    """,
    )
    return row if row and row["answered"] else None


def appeals_by_agency(
    con, has_dim_agency: bool, *, min_answered: int = MIN_ANSWERED_PER_AGENCY, top: int = TOP_AGENCIES
) -> list[Row]:
    """The `top` agencies answering least often on time and the `top` answering most often, among
    those with at least `min_answered` answers; with the number of agencies ranked."""
    name = (
        "coalesce(agency.org_name, 'Organisation ' || rated.org_id)"
        if has_dim_agency
        else "'Organisation ' || rated.org_id"
    )
    # The agency's region, English and Russian, to give its name in the page's language (names.py).
    region = (
        "agency.region_name_en, agency.region_name_ru"
        if has_dim_agency
        else "null::varchar as region_name_en, null::varchar as region_name_ru"
    )
    join = "left join marts.dim_agency as agency on rated.org_id = agency.org_id" if has_dim_agency else ""
    return rows(
        con,
        f"""
        with by_agency as (
            select executive_org_id as org_id, sum(answered_count)::bigint as answered,
                sum(answered_on_time_count)::bigint as on_time
            from marts.mart_appeals_sla
            group by executive_org_id
            having sum(answered_count) >= ?
        ),
        rated as (
            select *, on_time / answered * 100 as on_time_pct,
                row_number() over (order by on_time / answered, answered desc, org_id) as from_bottom,
                row_number() over (order by on_time / answered desc, answered desc, org_id) as from_top,
                count(*) over () as agencies_ranked,
                count(case when on_time = answered then 1 end) over () as agencies_all_on_time
            from by_agency
        ),
        named as (
            select rated.*, {name} as name, {region}
            from rated {join}
            where rated.from_bottom <= ? or rated.from_top <= ?
        )
        select org_id,
            case when count(*) over (partition by name) > 1 then name || ' (' || org_id || ')' else name end
                as agency,
            name as org_name, region_name_en, region_name_ru,
            answered, on_time, on_time_pct, from_bottom, agencies_ranked, agencies_all_on_time
        from named
        order by on_time_pct, answered desc, org_id
    """,
        [min_answered, top, top],
    )


def appeals_by_region(con, has_dim_region: bool, russian: bool = False) -> list[Row]:
    """russian: the regions' Russian names (KATO) rather than the English ones."""
    column = "name_ru" if russian else "name_en"
    name = (
        f"coalesce(region.{column}, by_region.region_kato_2digit, 'No region')"
        if has_dim_region
        else "coalesce(by_region.region_kato_2digit, 'No region')"
    )
    join = "left join marts.dim_region as region using (region_kato_2digit)" if has_dim_region else ""
    return rows(
        con,
        f"""
        with by_region as (
            select region_kato_2digit, sum(answered_count)::bigint as answered,
                sum(answered_on_time_count)::bigint as on_time
            from marts.mart_appeals_sla
            group by region_kato_2digit
            having sum(answered_count) > 0
        )
        select {name} as region, answered, on_time, on_time / answered * 100 as on_time_pct
        from by_region {join}
        order by on_time_pct, answered desc
    """,
    )


# --- 5. Land and subsoil -------------------------------------------------------------------------------


def land_latest_season(con, has_dim_region: bool = False, russian: bool = False) -> list[Row]:
    """Unused agricultural land by region in the latest season with anything observed, with the
    season's totals on every row. russian: the regions' Russian names (KATO, from dim_region)."""
    name = "land.region_name_en"
    join = ""
    if russian and has_dim_region:
        name = "coalesce(region.name_ru, land.region_name_en)"
        join = "left join marts.dim_region as region on land.region_kato_2digit = region.region_kato_2digit"
    return rows(
        con,
        f"""
        with latest as (
            select season_seq, any_value(season_label) as season_label,
                any_value(season_year) as season_year, any_value(season_name) as season_name
            from marts.mart_land_utilization
            group by season_seq
            having sum(observed_ha) > 0
            order by season_seq desc
            limit 1
        ),
        by_region as (
            select coalesce({name}, land.region_kato_2digit, 'No region') as region,
                sum(land.observed_ha) as observed_ha, sum(land.unused_ha) as unused_ha,
                sum(land.returned_to_state_ha) as returned_to_state_ha
            from marts.mart_land_utilization as land
            inner join latest using (season_seq)
            {join}
            group by all
            having sum(land.observed_ha) > 0
        )
        select latest.season_label, latest.season_year, latest.season_name, by_region.*,
            by_region.unused_ha / by_region.observed_ha * 100 as unused_pct,
            sum(by_region.observed_ha) over () as total_observed_ha,
            sum(by_region.unused_ha) over () as total_unused_ha,
            sum(by_region.returned_to_state_ha) over () as total_returned_ha
        from by_region cross join latest
        order by by_region.unused_ha desc, region
    """,
    )


def subsoil_quarters(con) -> list[Row]:
    """Detections by calendar quarter: unlicensed ones are outside the contour or after the
    licence's expiry (compliance_category of fct_subsoil_detections)."""
    return rows(
        con,
        """
        select detection_quarter as quarter, count(*) as detections,
            count(case when compliance_category = 'outside_contour' then 1 end) as outside,
            count(case when compliance_category = 'after_licence_expiry' then 1 end) as after_expiry,
            count(case when is_unlicensed then 1 end) as unlicensed,
            coalesce(sum(case when is_unlicensed then disturbed_area_ha end), 0) as unlicensed_ha
        from marts.fct_subsoil_detections
        group by detection_quarter
        order by detection_quarter
    """,
    )


def subsoil_licences(con) -> Row | None:
    return one(
        con,
        """
        select count(case when unlicensed_detection_count > 0 then 1 end) as licences_unlicensed,
            count(case when is_repeat_offender then 1 end) as repeat_offenders
        from marts.mart_subsoil_compliance
    """,
    )


# --- 6. Commitments --------------------------------------------------------------------------------------


def commitments(con) -> list[Row]:
    return rows(
        con,
        """
        select commitment_id, commitment_title, indicator, unit, target_value, measured_value,
            measured_date, progress_pct,
            path_value_at_measurement / nullif(target_value, 0) * 100 as path_pct,
            status, deadline_date, deadline_is_assumed, made_at_event_date, made_at_event_title,
            source_url, status_note
        from marts.mart_commitment_progress
        order by made_at_event_date, commitment_id
    """,
    )


def commitments_by_status(con) -> list[Row]:
    return rows(
        con,
        """
        select status, count(*) as commitments from marts.mart_commitment_progress
        group by status order by commitments desc, status
    """,
    )


# --- 7. Digital Family Map (aggregate marts only) ------------------------------------------------------


def family_levels(con) -> list[Row]:
    """The whole country's families by well-being level and month ('KZ' rows of
    mart_family_wellbeing); suppressed cells (1..9 families) left out."""
    return rows(
        con,
        """
        select strftime(month, '%Y-%m') as month, level, families,
            share_of_families::double * 100 as share_pct
        from marts.mart_family_wellbeing
        where region_kato_2digit = 'KZ' and not is_suppressed and families is not null
        order by month, level
    """,
    )


def family_suppressed_cells(con) -> Row | None:
    """How many region x month x level cells of mart_family_wellbeing are withheld, of how many."""
    return one(
        con,
        """
        select count(*) filter (where is_suppressed) as suppressed, count(*) as cells
        from marts.mart_family_wellbeing
    """,
    )


def proactive_uptake(con) -> list[Row]:
    """Proactive services by benefit, the whole country ('KZ' rows), summed over the months of the
    offers: sums of the published cells (a withheld cell of 1..9 is not counted); uptake over the
    months whose offers and payments are both published; the monthly medians of days from the
    offer to the payment averaged, weighted by the payments."""
    return rows(
        con,
        """
        select benefit_type,
            strftime(min(month), '%Y-%m') as first_month, strftime(max(month), '%Y-%m') as last_month,
            sum(offers)::bigint as offers, sum(accepted)::bigint as accepted,
            sum(declined)::bigint as declined, sum(unanswered)::bigint as unanswered,
            sum(paid)::bigint as paid,
            sum(paid) filter (where offers is not null and paid is not null)
                / nullif(sum(offers) filter (where offers is not null and paid is not null), 0) * 100
                as uptake_pct,
            sum(median_days_offer_to_payment * paid) filter (where median_days_offer_to_payment is not null)
                / nullif(sum(paid) filter (where median_days_offer_to_payment is not null), 0)
                as median_days,
            sum(qualified_not_offered)::bigint as qualified_not_offered,
            count(*) filter (where is_suppressed) as suppressed_months
        from marts.mart_proactive_services
        where region_kato_2digit = 'KZ'
        group by benefit_type
        having sum(offers) > 0 or sum(qualified_not_offered) > 0
        order by offers desc nulls last, benefit_type
    """,
    )


def family_reconciliation(con) -> list[Row]:
    """Families and people the warehouse covers (times the scale factor) beside the published
    figures (mart_family_reconciliation)."""
    return rows(
        con,
        """
        select as_of, measure, published_value::double as published_value,
            warehouse_value::double as warehouse_value, scale_factor::double as scale_factor,
            warehouse_value_scaled::double as warehouse_value_scaled, difference_pct, confidence, source_url
        from marts.mart_family_reconciliation
        order by as_of, measure
    """,
    )


# --- 8. What the serving copy holds ----------------------------------------------------------------------


def serving_info(con) -> Row | None:
    return one(con, "select published_at from main.serving_info limit 1")


# data -> (its name, how its latest period reads, the query giving that period as `label`)
COVERAGE_QUERIES = {
    "trade": (
        N_("Trade (UN Comtrade, both sides)"),
        N_("month {value}"),
        """
        select max(period_label) as label
        from marts.mart_bilateral_turnover where grain = 'month'
    """,
    ),
    "appeals": (
        N_("Citizens' appeals (eOtinish)"),
        N_("day {value}"),
        """
        select max(calendar_date)::varchar as label
        from marts.mart_appeals_daily
    """,
    ),
    "land": (
        N_("Land and subsoil monitoring"),
        None,
        """
        select max(season_seq) as seq, arg_max(season_label, season_seq) as label, null::date as latest
        from marts.mart_land_utilization where observed_ha > 0
    """,
    ),
    "family": (
        N_("Digital Family Map (aggregates)"),
        N_("month {value}"),
        """
        select strftime(max(month), '%Y-%m') as label
        from marts.mart_family_wellbeing
    """,
    ),
    "bilateral": (
        N_("Bilateral events and commitments"),
        N_("event of {value}"),
        """
        select max(event_date)::varchar as label
        from marts.mart_bilateral_timeline
    """,
    ),
}
