"""The report's sections: for each, the query, a one-sentence takeaway computed from the data, the
chart, and the main figures it contributes.

A builder raises NoData when its tables are present but hold nothing to show; a missing table is
caught before it runs (`Spec.tables`). Neither stops the report: the section says "no data".
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import altair as alt
import duckdb

from orchestration.report import charts, queries
from orchestration.report.queries import Row

COUNTRIES = {398: "Kazakhstan", 762: "Tajikistan"}  # M49 codes
SIDES = {"KZ": "Kazakhstan's statistics", "TJ": "Tajikistan's statistics"}
FLOWS = {"X": "Kazakhstan's exports to Tajikistan", "M": "Kazakhstan's imports from Tajikistan"}

# How old a feed's last successful load may be before it counts as stale (None: no schedule).
FEED_MAX_AGE: dict[str, timedelta | None] = {
    "trade": timedelta(days=45),
    "appeals": timedelta(days=2),
    "land": timedelta(days=120),
    "bilateral": None,
}
# Which group each feed (meta.loads.feed) belongs to: exact names first, then name prefixes.
FEED_GROUPS = {
    "comtrade_records": "trade", "trade_reference": "trade",
    "eotinish_appeals": "appeals", "eotinish_appeal_events": "appeals",
    "land_parcels": "land", "land_observations": "land", "land_parcel_events": "land",
    "subsoil_sites": "land", "subsoil_detections": "land",
    "bilateral": "bilateral",
}
FEED_PREFIXES = {"comtrade": "trade", "trade": "trade", "eotinish": "appeals", "appeals": "appeals",
                 "land": "land", "subsoil": "land", "bilateral": "bilateral"}


CHECK_LABELS = {True: "passed", False: "failed", None: "–"}


class NoData(Exception):
    """The section's tables exist but hold nothing it can show."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    row_classes: list[str] = field(default_factory=list)
    caption: str | None = None


@dataclass
class Content:
    """What a builder returns."""

    takeaway: str
    chart: alt.TopLevelMixin | None = None
    note: str | None = None
    tables: list[Table] = field(default_factory=list)


@dataclass
class Context:
    con: duckdb.DuckDBPyConnection
    tables: set[str]
    now: datetime
    feed_status: list[dict] | None
    figures: dict[str, Any] = field(default_factory=dict)

    def has(self, table: str) -> bool:
        return table in self.tables


@dataclass
class Spec:
    key: str  # also the chart's file name: charts/<key>.png
    title: str
    tables: tuple[str, ...]  # required; any missing -> "no data"
    build: Callable[[Context], Content]


# --- formatting ---------------------------------------------------------------------------------

def musd(value: float) -> str:
    return f"USD {value:,.0f} million"


def pct(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}%"


def month_name(year_month: str) -> str:
    """'2025-12' -> 'December 2025' (anything else is returned as it is)."""
    try:
        year, month = year_month[:7].split("-")
        return f"{calendar.month_name[int(month)]} {year}"
    except (ValueError, IndexError):
        return year_month


def month_span(first: str, last: str) -> str:
    """('2024-01', '2024-03') -> 'January to March 2024'."""
    first, last = month_name(first), month_name(last)
    if first == last:
        return first
    if first.split()[-1] == last.split()[-1]:
        first = first.split()[0]
    return f"{first} to {last}"


def season_name(label: str) -> str:
    """'2025-AUTUMN' -> 'autumn 2025'."""
    year, _, name = label.partition("-")
    return f"{name.lower()} {year}" if name else label


def quarter_name(label: str) -> str:
    """'2025-Q4' -> 'Q4 2025'."""
    year, _, quarter = label.partition("-")
    return f"{quarter} {year}" if quarter else label


def quarter_span(first: str, last: str) -> str:
    """('2022-Q1', '2025-Q4') -> 'Q1 2022 to Q4 2025'."""
    return quarter_name(first) if first == last else f"{quarter_name(first)} to {quarter_name(last)}"


def hectares(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:,.2f} million ha"
    return f"{value:,.0f} ha"


def _aware(moment: datetime) -> datetime:
    """meta.loads stores UTC wall time without a zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# --- 1. Turnover and the target ---------------------------------------------------------------------

def turnover(ctx: Context) -> Content:
    years = queries.turnover_years(ctx.con)
    if not years:
        raise NoData("no complete year of turnover in marts.mart_bilateral_turnover")
    half_years = queries.turnover_half_years(ctx.con)
    target = queries.turnover_target(ctx.con) if ctx.has("marts.bilateral_targets") else None
    progress = {}
    if target and ctx.has("marts.mart_trade_target_progress"):
        rows = queries.target_progress(ctx.con, target["target_id"])
        progress = {row["reporting_side"]: row for row in rows}
    lines = [{"year": r["year"], "turnover_musd": r["turnover_musd"], "series": SIDES.get(r["reporting_side"],
              r["reporting_side"])} for r in years]
    notes = []
    if target:
        lines += [
            {"year": target["baseline_year"], "turnover_musd": target["baseline_annualised_musd"],
             "series": charts.TARGET_PATH},
            {"year": target["deadline_year"], "turnover_musd": target["target_value_musd"],
             "series": charts.TARGET_PATH},
        ]
        assumed = (" No deadline was stated when the target was set: the year "
                   f"{target['deadline_year']} is an assumption (seed bilateral_targets, "
                   "deadline_is_assumed).") if target["deadline_is_assumed"] else ""
        notes.append(
            "Target path: a straight line from the baseline, "
            f"{charts.period_name(target['baseline_period'])} "
            f"(about {musd(target['baseline_value_musd'])}, i.e. {musd(target['baseline_annualised_musd'])} "
            f"a year), to {musd(target['target_value_musd'])} a year in {target['deadline_year']}.{assumed}")
        if "KZ" in progress:
            projection = queries.trend_projection(ctx.con, target["target_id"], "KZ")
            lines += [{**row, "series": charts.PROJECTION} for row in projection]
            kz = progress["KZ"]
            if projection:
                notes.append(
                    f"Trend projection: Kazakhstan's {kz['latest_full_year']} turnover grown each year at "
                    f"its compound growth rate over the last 3 full years ({kz['trend_base_year']}–"
                    f"{kz['latest_full_year']}: {kz['trend_cagr_pct']:+.1f}% a year), as computed in "
                    "marts.mart_trade_target_progress.")
    notes.append("Turnover = exports + imports as Comtrade and the published figures define them (re-exports "
                 "and re-imports are already part of them, not added again), complete years and half-years "
                 "only; each side's own statistics. Half-years are sums of the months.")
    half_rows = [{"period_label": r["period_label"], "turnover_musd": r["turnover_musd"],
                  "side": SIDES.get(r["reporting_side"], r["reporting_side"])} for r in half_years]
    chart = charts.turnover(lines, half_rows, target)

    kz = progress.get("KZ")
    if kz is None:
        last = [r for r in years if r["reporting_side"] == "KZ"] or years
        takeaway = (f"In {last[-1]['year']} turnover was {musd(last[-1]['turnover_musd'])} "
                    f"({SIDES.get(last[-1]['reporting_side'], last[-1]['reporting_side'])}); "
                    "progress toward the target is not available.")
        return Content(takeaway, chart, " ".join(notes))
    ctx.figures.update({
        "turnover_12m_kz_musd": round(kz["latest_rolling_12m_musd"], 1),
        "turnover_12m_period": kz["latest_rolling_12m_label"],
        "target_musd": target["target_value_musd"],
        "target_progress_pct": kz["progress_rolling_12m_pct"],
        "target_deadline_year": target["deadline_year"],
        "target_deadline_is_assumed": bool(target["deadline_is_assumed"]),
        "trend_growth_pct_per_year": kz["trend_cagr_pct"],
        "required_growth_pct_per_year": kz["required_cagr_pct"],
        "trend_reaches_target_year": kz["trend_target_year"],
    })
    if "TJ" in progress:
        ctx.figures["turnover_12m_tj_musd"] = round(progress["TJ"]["latest_rolling_12m_musd"], 1)
    period_end = kz["latest_rolling_12m_label"].split("..")[-1]
    deadline = f"the {'assumed ' if target['deadline_is_assumed'] else ''}{target['deadline_year']} deadline"
    first = (f"In the 12 months to {month_name(period_end)} Kazakhstan recorded "
             f"{musd(kz['latest_rolling_12m_musd'])} of trade with Tajikistan, "
             f"{pct(kz['progress_rolling_12m_pct'], 0)} of the {musd(target['target_value_musd'])} target")
    if kz["progress_rolling_12m_pct"] is not None and kz["progress_rolling_12m_pct"] >= 100:
        takeaway = f"{first}: the target is reached."
    elif kz["trend_target_year"] is None:
        takeaway = (f"{first}; turnover has not grown over the last 3 full years, so at that trend it would "
                    f"not reach the target (it needs {kz['required_cagr_pct']:+.1f}% a year to {deadline}).")
    elif kz["is_on_track"]:
        takeaway = (f"{first}; at its trend of the last 3 years ({kz['trend_cagr_pct']:+.1f}% a year) it "
                    f"would reach the target in {kz['trend_target_year']}, within {deadline}.")
    else:
        takeaway = (f"{first}; at its trend of the last 3 years ({kz['trend_cagr_pct']:+.1f}% a year) it "
                    f"would reach the target only in {kz['trend_target_year']}, after {deadline}, which "
                    f"needs {kz['required_cagr_pct']:+.1f}% a year.")
    return Content(takeaway, chart, " ".join(notes))


# --- 2. Mirror gap ---------------------------------------------------------------------------------------

def _flow_label(row: Row) -> str:
    exporter = COUNTRIES.get(row["exporter_code"], str(row["exporter_code"]))
    importer = COUNTRIES.get(row["importer_code"], str(row["importer_code"]))
    return f"{exporter} → {importer}"


def mirror(ctx: Context) -> Content:
    years = queries.mirror_years(ctx.con)
    if not years:
        raise NoData("no complete year with both sides' figures in marts.mart_trade_mirror_discrepancy")
    values = [{**row, "flow": _flow_label(row)} for row in years]
    latest_year = max(row["year"] for row in values)
    latest = [row for row in values if row["year"] == latest_year]
    parts = []
    for row in latest:
        importer = COUNTRIES.get(row["importer_code"], "the importer")
        exporter = COUNTRIES.get(row["exporter_code"], "the exporter")
        more = "more" if row["gap_pct"] >= 0 else "less"
        parts.append(f"{importer} recorded {pct(abs(row['gap_pct']))} {more} imports from {exporter} than "
                     f"{exporter} recorded exports (USD {row['importer_musd']:,.0f} million against "
                     f"{row['exporter_musd']:,.0f} million)")
    ctx.figures["mirror_gap_year"] = latest_year
    ctx.figures["mirror_gap_pct"] = {row["flow"]: round(row["gap_pct"], 1) for row in latest}
    takeaway = f"In {latest_year} " + ", and ".join(parts) + "."
    note = ("Each flow as the exporting country reports it (FOB) beside the same flow as the importing "
            "country reports it (CIF, freight and insurance included): importers' figures are usually a few "
            "percent higher; larger gaps point to timing, re-exports, valuation or unrecorded trade. Gap = "
            "(importer's figure - exporter's) / exporter's. Annual releases where both sides published one, "
            "else the sum of the months.")
    return Content(takeaway, charts.mirror_gap(values), note)


# --- 3. Commodity mix ----------------------------------------------------------------------------------

def commodities(ctx: Context) -> Content:
    mix = queries.commodity_mix(ctx.con)
    if not mix:
        raise NoData("no full year of HS chapters in marts.mart_commodity_mix")
    values = [{**row, "flow": f"{FLOWS.get(row['flow_code'], row['flow_code'])}, {row['year']}"}
              for row in mix]
    parts = []
    for code in ("X", "M"):
        top = [row for row in mix if row["flow_code"] == code and row["chapter"] != "Other chapters"]
        if top:
            first = top[0]
            top3 = sum(row["share_pct"] or 0 for row in top[:3])
            parts.append(f"{first['title']} (HS {first['cmd_code']}) made up {pct(first['share_pct'], 0)} of "
                         f"{FLOWS[code]} in {first['year']} (the top three chapters: {pct(top3, 0)})")
            ctx.figures[f"top_chapter_{'exports' if code == 'X' else 'imports'}"] = {
                "year": first["year"], "chapter": first["chapter"], "share_pct": round(first["share_pct"], 1)}
    takeaway = "; ".join(parts) + "." if parts else "The commodity mix has no main flow to show."
    note = (f"HS chapters (2-digit) as Kazakhstan reports its trade with Tajikistan, in the latest full year "
            f"of each flow (the annual release where there is one, else the sum of 12 months); the "
            f"{queries.TOP_CHAPTERS} largest chapters, the others summed.")
    return Content(takeaway, charts.commodity_mix(values), note)


# --- 4. Appeals ----------------------------------------------------------------------------------------

def _appeals_overall(ctx: Context) -> Row:
    overall = queries.appeals_overall(ctx.con)
    if overall is None:
        raise NoData("no answered appeal in marts.mart_appeals_sla")
    ctx.figures.update({
        "appeals_answered": overall["answered"],
        "appeals_on_time_pct": round(overall["on_time_pct"], 1),
        "appeals_period": f"{overall['first_month'][:7]}..{overall['last_month'][:7]}",
    })
    return overall


def _appeals_period(overall: Row) -> str:
    return month_span(overall["first_month"], overall["last_month"])


APPEALS_NOTE = ("On time: the first answer given within the deadline in working days (prolongations "
                "included), Kazakhstan's public holidays excluded; appeals counted by the month of their "
                "first answer.")


def appeals_agencies(ctx: Context) -> Content:
    overall = _appeals_overall(ctx)
    agencies = queries.appeals_by_agency(ctx.con, ctx.has("marts.dim_agency"))
    if not agencies:
        raise NoData(f"no agency has {queries.MIN_ANSWERED_PER_AGENCY} or more answered appeals")
    ranked = agencies[0]["agencies_ranked"]
    worst, best = agencies[0], agencies[-1]
    perfect = worst["agencies_all_on_time"]
    best_part = (f"{perfect} answered every appeal on time" if perfect > 1 else
                 f"{best['agency']} the most ({pct(best['on_time_pct'])})")
    takeaway = (f"Of the {ranked} agencies with at least {queries.MIN_ANSWERED_PER_AGENCY} answered appeals, "
                f"{worst['agency']} answered the fewest on time ({pct(worst['on_time_pct'])} of "
                f"{worst['answered']:,}, against {pct(overall['on_time_pct'])} overall) and {best_part} "
                f"({_appeals_period(overall)}).")
    shown = "all of them" if len(agencies) == ranked else (
        f"the {queries.TOP_AGENCIES} lowest and {queries.TOP_AGENCIES} highest of {ranked}")
    chart = charts.on_time(agencies, "agency", overall["on_time_pct"],
                           "Appeals answered on time, by executing agency",
                           f"agencies with {queries.MIN_ANSWERED_PER_AGENCY}+ answers: {shown}")
    return Content(takeaway, chart, APPEALS_NOTE)


def appeals_regions(ctx: Context) -> Content:
    overall = _appeals_overall(ctx)
    regions = queries.appeals_by_region(ctx.con, ctx.has("marts.dim_region"))
    if not regions:
        raise NoData("no answered appeal by region in marts.mart_appeals_sla")
    worst, best = regions[0], regions[-1]
    ctx.figures["appeals_lowest_region"] = {"region": worst["region"],
                                            "on_time_pct": round(worst["on_time_pct"], 1)}
    takeaway = (f"{pct(overall['on_time_pct'])} of {overall['answered']:,} answers were given on time "
                f"({_appeals_period(overall)}); the lowest rate was in {worst['region']} "
                f"({pct(worst['on_time_pct'])}), the highest in {best['region']} "
                f"({pct(best['on_time_pct'])}).")
    chart = charts.on_time(regions, "region", overall["on_time_pct"], "Appeals answered on time, by region",
                           "region of the appeal; every region with an answered appeal")
    return Content(takeaway, chart, APPEALS_NOTE)


# --- 5. Land -----------------------------------------------------------------------------------------

def land(ctx: Context) -> Content:
    regions = queries.land_latest_season(ctx.con)
    if not regions:
        raise NoData("no season with observed land in marts.mart_land_utilization")
    first = regions[0]
    season = season_name(first["season_label"])
    share = first["total_unused_ha"] / first["total_observed_ha"] * 100
    ctx.figures.update({
        "land_season": first["season_label"],
        "unused_land_ha": round(first["total_unused_ha"]),
        "unused_land_share_pct": round(share, 1),
        "land_observed_ha": round(first["total_observed_ha"]),
    })
    takeaway = (f"In {season}, {hectares(first['total_unused_ha'])} of the "
                f"{hectares(first['total_observed_ha'])} of agricultural land observed from space lay unused "
                f"({pct(share)}); the most in {first['region']} ({hectares(first['unused_ha'])}, "
                f"{pct(first['unused_pct'])} of its land observed).")
    note = ("Unused: parcels classified UNUSED in full, PARTLY_USED by the share not in use; parcels "
            "without a usable scene are left out. Hectares of the parcels monitored in this warehouse, not "
            "national totals (the published national figures are compared in "
            "marts.mart_land_reconciliation).")
    subsoil = _subsoil(ctx)
    if subsoil:
        note += " " + subsoil
    return Content(takeaway, charts.unused_land(regions, season), note)


def _subsoil(ctx: Context) -> str | None:
    """The subsoil figures (no chart of their own): a sentence for the land section's note."""
    if not (ctx.has("marts.fct_subsoil_detections") and ctx.has("marts.mart_subsoil_compliance")):
        return None
    quarters = queries.subsoil_quarters(ctx.con)
    licences = queries.subsoil_licences(ctx.con)
    if not quarters or not licences:
        return None

    def total(key: str) -> int:
        return sum(q[key] for q in quarters)

    first, latest = quarters[0], quarters[-1]
    period = quarter_span(first["quarter"], latest["quarter"])
    ctx.figures.update({
        "subsoil_period": f"{first['quarter']}..{latest['quarter']}",
        "subsoil_detections_unlicensed": total("unlicensed"),
        "subsoil_detections_outside_contour": total("outside"),
        "subsoil_detections_after_licence_expiry": total("after_expiry"),
        "subsoil_latest_quarter": latest["quarter"],
        "subsoil_latest_quarter_unlicensed": latest["unlicensed"],
        "subsoil_latest_quarter_outside_contour": latest["outside"],
        "subsoil_latest_quarter_after_licence_expiry": latest["after_expiry"],
        "subsoil_licences_unlicensed": licences["licences_unlicensed"],
        "subsoil_repeat_offenders": licences["repeat_offenders"],
    })
    return (f"Subsoil use, {period}: {total('unlicensed'):,} of {total('detections'):,} detected workings "
            f"were unlicensed, {total('outside'):,} outside the licensed contour and "
            f"{total('after_expiry'):,} after the licence had expired "
            f"({licences['licences_unlicensed']:,} licences, {licences['repeat_offenders']:,} of them in two "
            f"or more quarters; {sum(q['unlicensed_ha'] for q in quarters):,.0f} ha disturbed); "
            f"in the latest quarter, {quarter_name(latest['quarter'])}, {latest['unlicensed']:,} "
            f"({latest['outside']:,} outside, {latest['after_expiry']:,} after expiry).")


# --- 6. Commitments -----------------------------------------------------------------------------------------

def _value(value: float | None, unit: str | None) -> str:
    if value is None:
        return "–"
    if unit and unit.upper().startswith("USD"):
        return f"{musd(value / 1e6)}{unit[3:]}"
    return f"{value:,.0f} {unit or ''}".strip()


def commitment_status(ctx: Context) -> Content:
    items = queries.commitments(ctx.con)
    if not items:
        raise NoData("no commitment in marts.mart_commitment_progress")
    by_status = {row["status"]: row["commitments"] for row in queries.commitments_by_status(ctx.con)}
    ctx.figures["commitments_by_status"] = by_status
    measured = [row for row in items if row["progress_pct"] is not None]
    unmeasured = [row for row in items if row["progress_pct"] is None]
    counts = ", ".join(f"{n} {status}" for status, n in sorted(
        by_status.items(), key=lambda item: list(charts.STATUS_COLOURS).index(item[0])
        if item[0] in charts.STATUS_COLOURS else 99))
    takeaway = f"Of {len(items)} commitments: {counts}"
    trade = next((row for row in measured if row["indicator"] == "trade_turnover_usd"), None)
    if trade:
        position = ""
        if trade["path_pct"] is not None:
            position = (", ahead of" if trade["progress_pct"] >= trade["path_pct"] else ", behind") + \
                " the straight path to it"
        takeaway += (f"; the trade commitment stands at {pct(trade['progress_pct'], 0)} of its "
                     f"target{position}")
    takeaway += "."
    table = Table(
        headers=["Commitment", "Made at", "Indicator", "Latest value", "Target", "Deadline", "Status"],
        rows=[[row["commitment_title"],
               f"{(row['made_at_event_date'] or '')[:10]} {row['made_at_event_title'] or ''}".strip(),
               row["indicator"] or "none",
               _value(row["measured_value"], row["unit"]) + (f" ({row['measured_date'][:10]})"
                                                              if row["measured_date"] else ""),
               _value(row["target_value"], row["unit"]),
               ((row["deadline_date"] or "–")[:10] + (" (assumed)" if row["deadline_is_assumed"] else "")),
               row["status"]] for row in items],
        row_classes=["muted" if row["progress_pct"] is None else "" for row in items],
        caption=(f"All commitments; greyed: {len(unmeasured)} without a measured indicator, whose status "
                 "cannot be computed" if unmeasured else "All commitments"),
    )
    note = ("Status rule (marts.mart_commitment_progress): met when the latest value reaches the target; "
            "missed when the deadline has passed; on track when the value is at or above the straight path "
            "from the baseline to the target at the date of the measurement; at risk otherwise. Commitments "
            "without an indicator or a measurement show 'no indicator' or 'not measured'. Trade turnover is "
            "measured as Kazakhstan's latest complete 12 months.")
    chart = charts.commitment_progress(measured) if measured else None
    return Content(takeaway, chart, note, [table])


# --- 7. Freshness and validation --------------------------------------------------------------------------

def feed_group(feed: str) -> str | None:
    if feed in FEED_GROUPS:
        return FEED_GROUPS[feed]
    return next((group for prefix, group in FEED_PREFIXES.items() if feed.startswith(prefix)), None)


def judge_feed(entry: dict, now: datetime) -> dict:
    """One feed_status entry with its group, expected interval, age and state (ok, stale, failed)."""
    group = entry.get("group") or feed_group(str(entry.get("feed", "")))
    max_age = FEED_MAX_AGE.get(group) if group else None
    loaded = entry.get("last_loaded_at")
    if isinstance(loaded, str):
        loaded = datetime.fromisoformat(loaded)
    age = _aware(now) - _aware(loaded) if loaded else None
    stale = max_age is not None and (age is None or age > max_age)
    failed = entry.get("check_passed") is False or str(entry.get("last_status", "")).lower() in (
        "rejected", "failed", "failure")
    return {**entry, "group": group, "max_age": max_age, "age": age, "last_loaded_at": loaded,
            "stale": stale, "failed": failed}


def _age(age: timedelta | None) -> str:
    if age is None:
        return "never"
    if age < timedelta(hours=1):
        return f"{max(0, int(age.total_seconds() // 60))} min"
    if age < timedelta(days=2):
        return f"{age.total_seconds() / 3600:.0f} h"
    return f"{age.days} days"


def freshness(ctx: Context) -> Content:
    coverage = []
    for key, (label, sql) in queries.COVERAGE_QUERIES.items():
        try:
            row = queries.one(ctx.con, sql)
        except duckdb.Error:
            row = None
        latest = (row or {}).get("label")
        coverage.append([label, (season_name(latest) if key == "land" else latest) if latest else "no data"])
    info = queries.serving_info(ctx.con) if ctx.has("main.serving_info") else None
    published = (info or {}).get("published_at")
    caption = "Latest data in the serving copy" + (f" (published {published[:16].replace('T', ' ')} UTC)"
                                                   if published else "")
    tables = [Table(["Data", "Latest period"], coverage, caption=caption)]
    if ctx.feed_status is None:
        takeaway = ("The load and validation status of the feeds was not available to this report; below is "
                    "the latest data the serving copy holds.")
        return Content(takeaway, None, None, tables)
    judged = [judge_feed(entry, ctx.now) for entry in ctx.feed_status]
    stale = [f["feed"] for f in judged if f["stale"]]
    failed = [f["feed"] for f in judged if f["failed"]]
    ctx.figures["feeds"] = len(judged)
    ctx.figures["stale_feeds"] = stale
    ctx.figures["failed_feeds"] = failed
    rows, classes = [], []
    for f in judged:
        state = "failed" if f["failed"] else "stale" if f["stale"] else "ok"
        rows.append([
            str(f["feed"]), f["group"] or "–",
            f["last_loaded_at"].strftime("%Y-%m-%d %H:%M") if f["last_loaded_at"] else "never",
            _age(f["age"]),
            f"{f['max_age'].days} days" if f["max_age"] else "no schedule",
            str(f.get("last_status") or "–"),
            "–" if f.get("rows") is None else f"{f['rows']:,}",
            CHECK_LABELS.get(f.get("check_passed"), str(f.get("check_passed"))),
            state.upper() if state != "ok" else "ok",
        ])
        classes.append(" ".join(c for c, on in (("stale", f["stale"]), ("failed", f["failed"])) if on))
    tables.insert(0, Table(
        ["Feed", "Group", "Last loaded (UTC)", "Age", "Expected within", "Last load", "Rows (last load)",
         "Last check", "State"], rows, classes,
        caption="Feeds: last successful load and last validation (stale: older than the expected interval)"))
    if not stale and not failed:
        takeaway = (f"All {len(judged)} feeds loaded within their expected interval and passed their last "
                    "validation.")
    else:
        bits = []
        if stale:
            verb = "is" if len(stale) == 1 else "are"
            bits.append(f"{len(stale)} of {len(judged)} feeds {verb} stale ({', '.join(stale)})")
        if failed:
            bits.append(f"{len(failed)} failed {'its' if len(failed) == 1 else 'their'} last load or "
                        f"validation ({', '.join(failed)})")
        takeaway = "; ".join(bits) + ": the figures above may be out of date."
    note = ("Expected intervals: " + ", ".join(
        f"{group} {age.days} days" if age else f"{group} none (reviewed files, no schedule)"
        for group, age in FEED_MAX_AGE.items()) + ".")
    return Content(takeaway, None, note, tables)


SPECS = [
    Spec("turnover", "Trade turnover and the USD 2 billion target",
         ("marts.mart_bilateral_turnover",), turnover),
    Spec("mirror_gap", "Kazakh and Tajik statistics: the mirror gap",
         ("marts.mart_trade_mirror_discrepancy",), mirror),
    Spec("commodity_mix", "What is traded: the commodity mix", ("marts.mart_commodity_mix",), commodities),
    Spec("appeals_agencies", "Citizens' appeals answered on time, by agency",
         ("marts.mart_appeals_sla",), appeals_agencies),
    Spec("appeals_regions", "Citizens' appeals answered on time, by region",
         ("marts.mart_appeals_sla",), appeals_regions),
    Spec("unused_land", "Unused agricultural land by region", ("marts.mart_land_utilization",), land),
    Spec("commitments", "Bilateral commitments and their status",
         ("marts.mart_commitment_progress",), commitment_status),
    Spec("freshness", "Freshness of the data and the last validation of each feed", (), freshness),
]
