"""The report's sections: for each, the query, a one-sentence takeaway computed from the data, the
chart, and the main figures it contributes.

A builder raises NoData when its tables are present but hold nothing to show; a missing table is
caught before it runs (`Spec.tables`). Neither stops the report: the section says "no data".
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import altair as alt
import duckdb

from catalog import GROUP_MAX_AGE, group_of
from report import charts, names, queries
from report.i18n import (
    N_,
    _,
    long_date,
    month_name,
    month_span,
    ngettext,
    num,
    pct,
    quarter_name,
    quarter_span,
    season_name,
    signed_pct,
)
from report.queries import Row

# The English names are also the main figures' keys (language-independent); _() translates them.
COUNTRIES = {398: N_("Kazakhstan"), 762: N_("Tajikistan")}  # M49 codes
SIDES = charts.SIDES
FLOWS = {"X": N_("Kazakhstan's exports to Tajikistan"), "M": N_("Kazakhstan's imports from Tajikistan")}

# How old a group's last successful load may be before it counts as stale, and which group each
# load belongs to: as the feeds declare them (catalog/).
FEED_MAX_AGE = GROUP_MAX_AGE


CHECK_LABELS = {True: N_("passed"), False: N_("failed"), None: "–"}
FEED_STATES = {"ok": N_("ok"), "stale": N_("STALE"), "failed": N_("FAILED")}
GROUP_NAMES = {
    "trade": N_("trade"),
    "appeals": N_("appeals"),
    "land": N_("land"),
    "bilateral": N_("bilateral"),
    "family": N_("family"),
}
LOAD_STATUSES = {
    "published": N_("published"),
    "unchanged": N_("unchanged"),
    "rejected": N_("rejected"),
    "failed": N_("failed"),
}


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
    title: str  # English; translated with _() where shown
    tables: tuple[str, ...]  # required; any missing -> "no data"
    build: Callable[[Context], Content]


# --- formatting (in the active language: see i18n.py) ------------------------------------------------


def musd(value: float) -> str:
    return _("USD {value} million").format(value=num(value))


def hectares(value: float) -> str:
    if value >= 1e6:
        return _("{value} million ha").format(value=num(value / 1e6, 2))
    return _("{value} ha").format(value=num(value))


def _aware(moment: datetime) -> datetime:
    """meta.loads stores UTC wall time without a zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# --- 1. Turnover and the target ---------------------------------------------------------------------


def turnover(ctx: Context) -> Content:
    years = queries.turnover_years(ctx.con)
    if not years:
        raise NoData(_("no complete year of turnover in marts.mart_bilateral_turnover"))
    half_years = queries.turnover_half_years(ctx.con)
    target = queries.turnover_target(ctx.con) if ctx.has("marts.bilateral_targets") else None
    progress = {}
    if target and ctx.has("marts.mart_trade_target_progress"):
        rows = queries.target_progress(ctx.con, target["target_id"])
        progress = {row["reporting_side"]: row for row in rows}
    lines = [
        {"year": r["year"], "turnover_musd": r["turnover_musd"], "series": r["reporting_side"]} for r in years
    ]
    notes = []
    versions = queries.target_versions(ctx.con) if ctx.has("marts.mart_trade_target_versions") else []
    straight = _straight_path(ctx, versions)
    if target and straight:
        path, version = straight
        lines += [{**row, "series": charts.TARGET_PATH} for row in path]
        notes.append(
            _(
                "Target path: a straight line from Kazakhstan's turnover in {base} ({value}) to "
                "{target} a year in {year}, the version of the target stated on {date} "
                "(marts.mart_trade_target_path)."
            ).format(
                base=version["path_base_year"],
                value=musd(path[0]["turnover_musd"]),
                target=musd(version["target_value_musd"]),
                year=version["deadline_year"],
                date=_stated(version["stated_on"]),
            )
        )
    elif target:
        lines += [
            {
                "year": target["baseline_year"],
                "turnover_musd": target["baseline_annualised_musd"],
                "series": charts.TARGET_PATH,
            },
            {
                "year": target["deadline_year"],
                "turnover_musd": target["target_value_musd"],
                "series": charts.TARGET_PATH,
            },
        ]
    if target and not straight:
        assumed = (
            (
                " "
                + _(
                    "No deadline was stated when the target was set: the year {year} is an "
                    "assumption (seed bilateral_targets, deadline_is_assumed)."
                ).format(year=target["deadline_year"])
            )
            if target["deadline_is_assumed"]
            else ""
        )
        notes.append(
            _(
                "Target path: a straight line from the baseline, {period} (about {baseline}, i.e. "
                "{annualised} a year), to {target} a year in {year}."
            ).format(
                period=charts.period_name(target["baseline_period"]),
                baseline=musd(target["baseline_value_musd"]),
                annualised=musd(target["baseline_annualised_musd"]),
                target=musd(target["target_value_musd"]),
                year=target["deadline_year"],
            )
            + assumed
        )
    if target and "KZ" in progress:
        projection = queries.trend_projection(ctx.con, target["target_id"], "KZ")
        lines += [{**row, "series": charts.PROJECTION} for row in projection]
        kz = progress["KZ"]
        if projection:
            notes.append(
                _(
                    "Trend projection: Kazakhstan's {year} turnover grown each year at its compound growth "
                    "rate over the last 3 full years ({first}–{year}: {rate} a year), as computed in "
                    "marts.mart_trade_target_progress."
                ).format(
                    year=kz["latest_full_year"],
                    first=kz["trend_base_year"],
                    rate=signed_pct(kz["trend_cagr_pct"]),
                )
            )
    notes.append(
        _(
            "Turnover = exports + imports as Comtrade and the published figures define them "
            "(re-exports and re-imports are already part of them, not added again), complete years "
            "and half-years only; each side's own statistics. Half-years are sums of the months."
        )
    )
    half_rows = [
        {"period_label": r["period_label"], "turnover_musd": r["turnover_musd"], "side": r["reporting_side"]}
        for r in half_years
    ]
    chart = charts.turnover(lines, half_rows, target)
    tables = [table] if (table := _versions_table(ctx, versions)) else []

    kz = progress.get("KZ")
    if kz is None:
        last = [r for r in years if r["reporting_side"] == "KZ"] or years
        side = last[-1]["reporting_side"]
        takeaway = _(
            "In {year} turnover was {value} ({side}); progress toward the target is not available."
        ).format(
            year=last[-1]["year"],
            value=musd(last[-1]["turnover_musd"]),
            side=_(SIDES[side]) if side in SIDES else side,
        )
        return Content(takeaway, chart, " ".join(notes), tables)
    ctx.figures.update(
        {
            "turnover_12m_kz_musd": round(kz["latest_rolling_12m_musd"], 1),
            "turnover_12m_period": kz["latest_rolling_12m_label"],
            "target_musd": target["target_value_musd"],
            "target_progress_pct": kz["progress_rolling_12m_pct"],
            "target_deadline_year": target["deadline_year"],
            "target_deadline_is_assumed": bool(target["deadline_is_assumed"]),
            "trend_growth_pct_per_year": kz["trend_cagr_pct"],
            "required_growth_pct_per_year": kz["required_cagr_pct"],
            "trend_reaches_target_year": kz["trend_target_year"],
        }
    )
    if "TJ" in progress:
        ctx.figures["turnover_12m_tj_musd"] = round(progress["TJ"]["latest_rolling_12m_musd"], 1)
        ctx.figures["turnover_12m_tj_period"] = progress["TJ"]["latest_rolling_12m_label"]
    period_end = kz["latest_rolling_12m_label"].split("..")[-1]
    deadline = (
        _("the assumed {year} deadline") if target["deadline_is_assumed"] else _("the {year} deadline")
    ).format(year=target["deadline_year"])
    first = _(
        "In the 12 months to {month} Kazakhstan recorded {value} of trade with Tajikistan, {share} of "
        "the {target} target"
    ).format(
        month=month_name(period_end),
        value=musd(kz["latest_rolling_12m_musd"]),
        share=pct(kz["progress_rolling_12m_pct"], 0),
        target=musd(target["target_value_musd"]),
    )
    values = {
        "first": first,
        "deadline": deadline,
        "year": kz["trend_target_year"],
        "trend": signed_pct(kz["trend_cagr_pct"]) if kz["trend_cagr_pct"] is not None else "",
        "needed": signed_pct(kz["required_cagr_pct"]) if kz["required_cagr_pct"] is not None else "",
    }
    if kz["progress_rolling_12m_pct"] is not None and kz["progress_rolling_12m_pct"] >= 100:
        takeaway = _("{first}: the target is reached.").format(**values)
    elif kz["trend_target_year"] is None:
        takeaway = _(
            "{first}; turnover has not grown over the last 3 full years, so at that trend it would "
            "not reach the target (it needs {needed} a year to {deadline})."
        ).format(**values)
    elif kz["is_on_track"]:
        takeaway = _(
            "{first}; at its trend of the last 3 years ({trend} a year) it would reach the target "
            "in {year}, within {deadline}."
        ).format(**values)
    else:
        takeaway = _(
            "{first}; at its trend of the last 3 years ({trend} a year) it would reach the target "
            "only in {year}, after {deadline}, which needs {needed} a year."
        ).format(**values)
    return Content(takeaway, chart, " ".join(notes), tables)


def _stated(value: Any) -> str:
    """A date the queries return as ISO text (or as a date), in the page's language."""
    return long_date(value if isinstance(value, date) else date.fromisoformat(str(value)[:10]))


def _straight_path(ctx: Context, versions: list[Row]) -> tuple[list[Row], Row] | None:
    """The straight path (Kazakhstan's statistics) of the latest-stated projected version."""
    projected = [
        v
        for v in versions
        if v["reporting_side"] == "KZ" and v["is_projected"] and v["path_base_year"] is not None
    ]
    if not projected or not ctx.has("marts.mart_trade_target_path"):
        return None
    version = projected[-1]
    path = queries.target_path(ctx.con, version["target_id"], "KZ")
    return (path, version) if path else None


def _verdict_name(verdict: str) -> str:
    return {
        "met": _("met"),
        "missed": _("missed"),
        "deadline year not closed": _("year not closed"),
        "no deadline": _("no deadline"),
    }.get(verdict, verdict)


def _version_cell(row: Row) -> str:
    if row["verdict"] in ("met", "missed"):
        return _("{verdict}: {value} in {year}, {share} of the target").format(
            verdict=_verdict_name(row["verdict"]),
            value=musd(row["deadline_year_musd"]),
            year=row["deadline_year"],
            share=pct(row["deadline_year_achieved_pct"], 0),
        )
    if row["verdict"] == "no deadline" or not row["is_projected"]:
        return _("{verdict}; {value} in {year}, {share} of the target").format(
            verdict=_verdict_name(row["verdict"]),
            value=musd(row["latest_closed_musd"]),
            year=row["latest_closed_year"],
            share=pct(row["progress_latest_closed_pct"], 0),
        )
    path = (
        _("{value} in {year} against {required} on the straight path").format(
            value=musd(row["latest_closed_musd"]),
            year=row["latest_closed_year"],
            required=musd(row["path_required_latest_musd"]),
        )
        if row["path_required_latest_musd"] is not None
        else _("{value} in {year}").format(
            value=musd(row["latest_closed_musd"]), year=row["latest_closed_year"]
        )
    )
    if row["trend_projection_musd"] is None:
        return path + "; " + _("no trend")
    return (
        path
        + "; "
        + _("at the 3-year trend ({rate} a year) {projection} in {deadline}, {share} of the target").format(
            rate=signed_pct(row["trend_cagr_pct"]),
            projection=musd(row["trend_projection_musd"]),
            deadline=row["deadline_year"],
            share=pct(row["trend_projection_pct"], 0),
        )
    )


def _versions_table(ctx: Context, versions: list[Row]) -> Table | None:
    """The versions of the target as they were stated, each side's verdict or projections; the
    main figures of the Roadmap 2023-2025 (closed year) and of the latest projected version."""
    if not versions:
        return None
    by_id: dict[str, dict[str, Row]] = {}
    for row in versions:
        by_id.setdefault(row["target_id"], {})[row["reporting_side"]] = row
    rows = []
    for sides in by_id.values():
        first = next(iter(sides.values()))
        stated = (
            _("USD {value} M by the end of {year}").format(
                value=num(first["target_value_musd"]), year=first["deadline_year"]
            )
            if first["deadline_year"]
            else _("USD {value} M, no deadline stated").format(value=num(first["target_value_musd"]))
        )
        rows.append(
            [
                _stated(first["stated_on"]),
                stated,
                *(_version_cell(sides[side]) if side in sides else "–" for side in ("KZ", "TJ")),
            ]
        )
    kz = [row for row in versions if row["reporting_side"] == "KZ"]
    judged = [row for row in kz if row["verdict"] in ("met", "missed")]
    if judged:
        row = judged[0]
        ctx.figures.update(
            {
                "target_judged_year": row["deadline_year"],
                "target_judged_verdict": row["verdict"],
                "target_judged_musd": round(row["deadline_year_musd"], 1),
                "target_judged_pct": row["deadline_year_achieved_pct"],
                "target_judged_stated_on": str(row["stated_on"]),
            }
        )
    projected = [row for row in kz if row["is_projected"] and row["path_required_latest_musd"] is not None]
    if projected:
        row = projected[-1]
        ctx.figures.update(
            {
                "target_projected_year": row["deadline_year"],
                "target_projected_latest_year": row["latest_closed_year"],
                "target_projected_latest_musd": round(row["latest_closed_musd"], 1),
                "target_projected_path_musd": round(row["path_required_latest_musd"], 1),
                "target_projected_on_path": bool(row["is_on_straight_path"]),
                "target_projected_trend_pct": row["trend_cagr_pct"],
                "target_projected_trend_musd": (
                    round(row["trend_projection_musd"], 1)
                    if row["trend_projection_musd"] is not None
                    else None
                ),
            }
        )
    return Table(
        headers=[_("Stated"), _("Target"), _("Kazakhstan's statistics"), _("Tajikistan's statistics")],
        rows=rows,
        caption=_(
            "The USD 2 billion target as it was stated, and how each version "
            "is measured (marts.mart_trade_target_versions)"
        ),
    )


# --- 2. Mirror gap ---------------------------------------------------------------------------------------


def _country(code: int, translate: bool = True) -> str:
    name = COUNTRIES.get(code)
    if name is None:
        return str(code)
    return _(name) if translate else name


def _flow_label(row: Row, translate: bool = True) -> str:
    return f"{_country(row['exporter_code'], translate)} → {_country(row['importer_code'], translate)}"


def mirror(ctx: Context) -> Content:
    years = queries.mirror_years(ctx.con)
    if not years:
        raise NoData(_("no complete year with both sides' figures in marts.mart_trade_mirror_discrepancy"))
    values = [{**row, "flow": _flow_label(row)} for row in years]
    latest_year = max(row["year"] for row in values)
    latest = [row for row in values if row["year"] == latest_year]
    parts = []
    for row in latest:
        message = (
            _(
                "{importer} recorded {gap} more imports from {exporter} than {exporter} recorded "
                "exports (USD {imports} million against {exports} million)"
            )
            if row["gap_pct"] >= 0
            else _(
                "{importer} recorded {gap} less imports from {exporter} than {exporter} recorded "
                "exports (USD {imports} million against {exports} million)"
            )
        )
        parts.append(
            message.format(
                importer=_(COUNTRIES[row["importer_code"]])
                if row["importer_code"] in COUNTRIES
                else _("the importer"),
                exporter=_(COUNTRIES[row["exporter_code"]])
                if row["exporter_code"] in COUNTRIES
                else _("the exporter"),
                gap=pct(abs(row["gap_pct"])),
                imports=num(row["importer_musd"]),
                exports=num(row["exporter_musd"]),
            )
        )
    ctx.figures["mirror_gap_year"] = latest_year
    ctx.figures["mirror_gap_pct"] = {
        _flow_label(row, translate=False): round(row["gap_pct"], 1) for row in latest
    }
    takeaway = _("In {year} {parts}.").format(year=latest_year, parts=_(", and ").join(parts))
    note = _(
        "Each flow as the exporting country reports it (FOB) beside the same flow as the importing "
        "country reports it (CIF, freight and insurance included): importers' figures are usually a few "
        "percent higher; larger gaps point to timing, re-exports, valuation or unrecorded trade. Gap = "
        "(importer's figure - exporter's) / exporter's. Annual releases where both sides published one, "
        "else the sum of the months."
    )
    return Content(takeaway, charts.mirror_gap(values), note)


# --- 3. Commodity mix ----------------------------------------------------------------------------------


def commodities(ctx: Context) -> Content:
    mix = queries.commodity_mix(ctx.con)
    if not mix:
        raise NoData(_("no full year of HS chapters in marts.mart_commodity_mix"))
    other = charts.OTHER_CHAPTERS
    values = [
        {
            **row,
            "flow": f"{_(FLOWS.get(row['flow_code'], row['flow_code']))}, {row['year']}",
            "chapter": _(other) if row["chapter"] == other else row["chapter"],
            "is_other": row["chapter"] == charts.OTHER_CHAPTERS,
            "label": _("{share}  (USD {value} M)").format(
                share=pct(row["share_pct"] or 0), value=num(row["value_musd"])
            ),
        }
        for row in mix
    ]
    parts = []
    for code in ("X", "M"):
        top = [row for row in mix if row["flow_code"] == code and row["chapter"] != charts.OTHER_CHAPTERS]
        if top:
            first = top[0]
            top3 = sum(row["share_pct"] or 0 for row in top[:3])
            parts.append(
                _(
                    "{title} (HS {code}) made up {share} of {flow} in {year} (the top three chapters: {top3})"
                ).format(
                    title=first["title"],
                    code=first["cmd_code"],
                    share=pct(first["share_pct"], 0),
                    flow=_(FLOWS[code]),
                    year=first["year"],
                    top3=pct(top3, 0),
                )
            )
            ctx.figures[f"top_chapter_{'exports' if code == 'X' else 'imports'}"] = {
                "year": first["year"],
                "chapter": first["chapter"],
                "share_pct": round(first["share_pct"], 1),
            }
    takeaway = ("; ".join(parts) + ".") if parts else _("The commodity mix has no main flow to show.")
    note = _(
        "HS chapters (2-digit) as Kazakhstan reports its trade with Tajikistan, in the latest full year "
        "of each flow (the annual release where there is one, else the sum of 12 months); the {top} "
        "largest chapters, the others summed."
    ).format(top=queries.TOP_CHAPTERS)
    return Content(takeaway, charts.commodity_mix(values), note)


# --- 4. Appeals ----------------------------------------------------------------------------------------


def _appeals_overall(ctx: Context) -> Row:
    overall = queries.appeals_overall(ctx.con)
    if overall is None:
        raise NoData(_("no answered appeal in marts.mart_appeals_sla"))
    ctx.figures.update(
        {
            "appeals_answered": overall["answered"],
            "appeals_on_time_pct": round(overall["on_time_pct"], 1),
            "appeals_period": f"{overall['first_month'][:7]}..{overall['last_month'][:7]}",
        }
    )
    return overall


def _appeals_period(overall: Row) -> str:
    return month_span(overall["first_month"], overall["last_month"])


APPEALS_NOTE = N_(
    "On time: the first answer given within the deadline in working days (prolongations "
    "included), Kazakhstan's public holidays excluded; appeals counted by the month of their "
    "first answer."
)


def appeals_agencies(ctx: Context) -> Content:
    overall = _appeals_overall(ctx)
    agencies = queries.appeals_by_agency(ctx.con, ctx.has("marts.dim_agency"))
    if not agencies:
        raise NoData(
            _("no agency has {n} or more answered appeals").format(n=queries.MIN_ANSWERED_PER_AGENCY)
        )
    agencies = [{**row, "agency": names.agency(row)} for row in agencies]
    ranked = agencies[0]["agencies_ranked"]
    worst, best = agencies[0], agencies[-1]
    perfect = worst["agencies_all_on_time"]
    best_part = (
        ngettext("{n} answered every appeal on time", "{n} answered every appeal on time", perfect).format(
            n=perfect
        )
        if perfect > 1
        else _("{agency} the most ({share})").format(agency=best["agency"], share=pct(best["on_time_pct"]))
    )
    takeaway = _(
        "Of the {ranked} agencies with at least {min} answered appeals, {worst} answered the fewest "
        "on time ({share} of {answered}, against {overall} overall) and {best} ({period})."
    ).format(
        ranked=ranked,
        min=queries.MIN_ANSWERED_PER_AGENCY,
        worst=worst["agency"],
        share=pct(worst["on_time_pct"]),
        answered=num(worst["answered"]),
        overall=pct(overall["on_time_pct"]),
        best=best_part,
        period=_appeals_period(overall),
    )
    shown = (
        _("all of them")
        if len(agencies) == ranked
        else _("the {top} lowest and {top} highest of {ranked}").format(
            top=queries.TOP_AGENCIES, ranked=ranked
        )
    )
    chart = charts.on_time(
        agencies,
        "agency",
        overall["on_time_pct"],
        _("Appeals answered on time, by executing agency"),
        _("agencies with {min}+ answers: {shown}").format(min=queries.MIN_ANSWERED_PER_AGENCY, shown=shown),
    )
    return Content(takeaway, chart, _(APPEALS_NOTE))


def appeals_regions(ctx: Context) -> Content:
    overall = _appeals_overall(ctx)
    regions = queries.appeals_by_region(ctx.con, ctx.has("marts.dim_region"), names.local_names())
    if not regions:
        raise NoData(_("no answered appeal by region in marts.mart_appeals_sla"))
    regions = [{**row, "region": names.region(row["region"])} for row in regions]
    worst, best = regions[0], regions[-1]
    ctx.figures["appeals_lowest_region"] = {
        "region": worst["region"],
        "on_time_pct": round(worst["on_time_pct"], 1),
    }
    takeaway = _(
        "{share} of {answered} answers were given on time ({period}); the lowest rate was in "
        "{worst} ({worst_share}), the highest in {best} ({best_share})."
    ).format(
        share=pct(overall["on_time_pct"]),
        answered=num(overall["answered"]),
        period=_appeals_period(overall),
        worst=worst["region"],
        worst_share=pct(worst["on_time_pct"]),
        best=best["region"],
        best_share=pct(best["on_time_pct"]),
    )
    chart = charts.on_time(
        regions,
        "region",
        overall["on_time_pct"],
        _("Appeals answered on time, by region"),
        _("region of the appeal; every region with an answered appeal"),
    )
    return Content(takeaway, chart, _(APPEALS_NOTE))


# --- 5. Land -----------------------------------------------------------------------------------------


def land(ctx: Context) -> Content:
    regions = queries.land_latest_season(ctx.con, ctx.has("marts.dim_region"), names.local_names())
    if not regions:
        raise NoData(_("no season with observed land in marts.mart_land_utilization"))
    regions = [{**row, "region": names.region(row["region"])} for row in regions]
    first = regions[0]
    season = season_name(first["season_label"])
    share = first["total_unused_ha"] / first["total_observed_ha"] * 100
    ctx.figures.update(
        {
            "land_season": first["season_label"],
            "unused_land_ha": round(first["total_unused_ha"]),
            "unused_land_share_pct": round(share, 1),
            "land_observed_ha": round(first["total_observed_ha"]),
        }
    )
    takeaway = _(
        "In {season}, {unused} of the {observed} of agricultural land observed from space lay "
        "unused ({share}); the most in {region} ({region_unused}, {region_share} of its land "
        "observed)."
    ).format(
        season=season,
        unused=hectares(first["total_unused_ha"]),
        observed=hectares(first["total_observed_ha"]),
        share=pct(share),
        region=first["region"],
        region_unused=hectares(first["unused_ha"]),
        region_share=pct(first["unused_pct"]),
    )
    note = _(
        "Unused: parcels classified UNUSED in full, PARTLY_USED by the share not in use; parcels "
        "without a usable scene are left out. Hectares of the parcels monitored in this warehouse, not "
        "national totals (the published national figures are compared in "
        "marts.mart_land_reconciliation)."
    )
    subsoil = _subsoil(ctx)
    if subsoil:
        note += " " + subsoil
    rows = [
        {
            **row,
            "label": _("{hectares}, {share}").format(
                hectares=hectares(row["unused_ha"]), share=pct(row["unused_pct"])
            ),
        }
        for row in regions
    ]
    return Content(takeaway, charts.unused_land(rows, season), note)


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
    ctx.figures.update(
        {
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
        }
    )
    return _(
        "Subsoil use, {period}: {unlicensed} of {detections} detected workings were unlicensed, "
        "{outside} outside the licensed contour and {after} after the licence had expired ({licences} "
        "licences, {repeat} of them in two or more quarters; {hectares} ha disturbed); in the latest "
        "quarter, {latest}, {latest_unlicensed} ({latest_outside} outside, {latest_after} after "
        "expiry)."
    ).format(
        period=period,
        unlicensed=num(total("unlicensed")),
        detections=num(total("detections")),
        outside=num(total("outside")),
        after=num(total("after_expiry")),
        licences=num(licences["licences_unlicensed"]),
        repeat=num(licences["repeat_offenders"]),
        hectares=num(sum(q["unlicensed_ha"] for q in quarters)),
        latest=quarter_name(latest["quarter"]),
        latest_unlicensed=num(latest["unlicensed"]),
        latest_outside=num(latest["outside"]),
        latest_after=num(latest["after_expiry"]),
    )


# --- 6. Commitments -----------------------------------------------------------------------------------------


def _value(value: float | None, unit: str | None) -> str:
    if value is None:
        return "–"
    if unit and unit.upper().startswith("USD"):
        rest = unit[3:].strip()
        return musd(value / 1e6) + (" " + _(rest) if rest else "")
    return f"{num(value)} {_(unit) if unit else ''}".strip()


# Units of the commitments' indicators (data/bilateral/), for the catalogue.
UNITS = (N_("per year"), N_("people"))


def status_name(status: str) -> str:
    return _(charts.STATUS_NAMES[status]) if status in charts.STATUS_NAMES else status


def commitment_status(ctx: Context) -> Content:
    items = queries.commitments(ctx.con)
    if not items:
        raise NoData(_("no commitment in marts.mart_commitment_progress"))
    by_status = {row["status"]: row["commitments"] for row in queries.commitments_by_status(ctx.con)}
    ctx.figures["commitments_by_status"] = by_status
    measured = [row for row in items if row["progress_pct"] is not None]
    unmeasured = [row for row in items if row["progress_pct"] is None]
    counts = ", ".join(
        f"{n} {status_name(status)}"
        for status, n in sorted(
            by_status.items(),
            key=lambda item: (
                list(charts.STATUS_COLOURS).index(item[0]) if item[0] in charts.STATUS_COLOURS else 99
            ),
        )
    )
    takeaway = _("Of {n} commitments: {counts}").format(n=len(items), counts=counts)
    trade = next((row for row in measured if row["indicator"] == "trade_turnover_usd"), None)
    if trade:
        position = ""
        if trade["path_pct"] is not None:
            position = (
                _(", ahead of the straight path to it")
                if trade["progress_pct"] >= trade["path_pct"]
                else _(", behind the straight path to it")
            )
        takeaway += _("; the trade commitment stands at {share} of its target{position}").format(
            share=pct(trade["progress_pct"], 0), position=position
        )
    takeaway += "."
    table = Table(
        headers=[
            _("Commitment"),
            _("Made at"),
            _("Indicator"),
            _("Latest value"),
            _("Target"),
            _("Deadline"),
            _("Status"),
        ],
        rows=[
            [
                row["commitment_title"],
                f"{(row['made_at_event_date'] or '')[:10]} {row['made_at_event_title'] or ''}".strip(),
                row["indicator"] or _("none"),
                _value(row["measured_value"], row["unit"])
                + (f" ({row['measured_date'][:10]})" if row["measured_date"] else ""),
                _value(row["target_value"], row["unit"]),
                (
                    (row["deadline_date"] or "–")[:10]
                    + (" " + _("(assumed)") if row["deadline_is_assumed"] else "")
                ),
                status_name(row["status"]),
            ]
            for row in items
        ],
        row_classes=["muted" if row["progress_pct"] is None else "" for row in items],
        caption=(
            ngettext(
                "All commitments; greyed: {n} without a measured indicator, whose status cannot be computed",
                "All commitments; greyed: {n} without a measured indicator, whose status cannot be computed",
                len(unmeasured),
            ).format(n=len(unmeasured))
            if unmeasured
            else _("All commitments")
        ),
    )
    note = _(
        "Status rule (marts.mart_commitment_progress): met when the latest value reaches the target; "
        "missed when the deadline has passed; on track when the value is at or above the straight path "
        "from the baseline to the target at the date of the measurement; at risk otherwise. Commitments "
        "without an indicator or a measurement show 'no indicator' or 'not measured'. Trade turnover is "
        "measured as Kazakhstan's latest complete 12 months."
    )
    chart = (
        charts.commitment_progress(
            [
                {
                    **row,
                    "status_name": status_name(row["status"]),
                    "label": f"{pct(row['progress_pct'])} ({status_name(row['status'])})",
                }
                for row in measured
            ]
        )
        if measured
        else None
    )
    return Content(takeaway, chart, note, [table])


# --- 7. Digital Family Map ---------------------------------------------------------------------------------

# Proactive services (mart_proactive_services.benefit_type), for the catalogue.
BENEFITS = {
    "CHILDBIRTH": N_("childbirth"),
    "LARGE_FAMILY": N_("large family"),
    "CHILD_DISABILITY": N_("disabled child"),
    "TARGETED_SOCIAL_ASSISTANCE": N_("targeted social assistance"),
    "SURVIVOR": N_("loss of a breadwinner"),
    "CHILDCARE_UNDER_1": N_("childcare up to age 1"),
    "DISABILITY": N_("disability"),
    "CARER_OF_DISABLED": N_("carer of a disabled person"),
    "MATERNITY": N_("maternity"),
}
FAMILY_MEASURES = {"families_covered": N_("families"), "people_covered": N_("people")}
# The disclosure rule of the family marts (dbt var family_min_cell).
FAMILY_MIN_CELL = 10
# The well-being levels of the map (seed family_levels): A well-off .. E emergency.
FAMILY_LEVELS = ("A", "B", "C", "D", "E")


def _benefit(code: str) -> str:
    return _(BENEFITS[code]) if code in BENEFITS else code


def _count(value: float | None) -> str:
    return "–" if value is None else num(value)


def family_map(ctx: Context) -> Content:
    levels = queries.family_levels(ctx.con)
    if not levels:
        raise NoData(_("no published cell in marts.mart_family_wellbeing"))
    months = sorted({row["month"] for row in levels})
    first, latest = months[0], months[-1]

    def crisis(month: str) -> tuple[float, int] | None:
        """The share (%) and number of families at level D or E in the month, or None when a level
        of the country is withheld (fewer than FAMILY_MIN_CELL families, or its complement): a
        sum over the published cells alone would understate it."""
        cells = {row["level"]: row for row in levels if row["month"] == month}
        if len(cells) < len(FAMILY_LEVELS) or any(row["share_pct"] is None for row in cells.values()):
            return None
        crisis_cells = [cells[level] for level in ("D", "E")]
        return sum(row["share_pct"] for row in crisis_cells), sum(row["families"] for row in crisis_cells)

    def families(month: str) -> int:
        return sum(row["families"] for row in levels if row["month"] == month)

    latest_crisis = crisis(latest)
    ctx.figures.update(
        {
            "family_month": latest,
            "family_families": families(latest),
            "family_crisis_share_pct": round(latest_crisis[0], 1) if latest_crisis else None,
            "family_crisis_families": latest_crisis[1] if latest_crisis else None,
        }
    )
    if latest_crisis is None:
        takeaway = _(
            "{month}: the families at level D or E (crisis or emergency) are withheld under the "
            "disclosure rule (no cell under {min} families, nor one that would reveal it)"
        ).format(month=month_name(latest), min=FAMILY_MIN_CELL)
    else:
        takeaway = _(
            "In {month}, {share} of the {families} families in the map were at level D or E (crisis "
            "or emergency): {crisis} families"
        ).format(
            month=month_name(latest),
            share=pct(latest_crisis[0]),
            families=num(families(latest)),
            crisis=num(latest_crisis[1]),
        )
        if first != latest and (earlier := crisis(first)):
            earlier_share = pct(earlier[0])
            takeaway += _(", against {share} in {month}").format(share=earlier_share, month=month_name(first))

    tables = []
    services = queries.proactive_uptake(ctx.con) if ctx.has("marts.mart_proactive_services") else []
    if services:
        offers = sum(row["offers"] or 0 for row in services)
        paid = sum(row["paid"] or 0 for row in services)
        period = month_span(
            min(row["first_month"] for row in services), max(row["last_month"] for row in services)
        )
        ctx.figures.update(
            {
                "proactive_offers": offers,
                "proactive_paid": paid,
                "proactive_uptake_pct": round(paid / offers * 100, 1) if offers else None,
            }
        )
        if offers:
            takeaway += _(
                "; of {offers} proactive offers of benefits ({period}), {paid} were paid ({share})"
            ).format(offers=num(offers), period=period, paid=num(paid), share=pct(paid / offers * 100))
        tables.append(
            Table(
                headers=[
                    _("Benefit"),
                    _("Offers"),
                    _("Accepted"),
                    _("Declined"),
                    _("Unanswered"),
                    _("Paid"),
                    _("Uptake"),
                    _("Median days, offer to payment"),
                    _("Qualified, not offered"),
                ],
                rows=[
                    [
                        _benefit(row["benefit_type"]),
                        _count(row["offers"]),
                        _count(row["accepted"]),
                        _count(row["declined"]),
                        _count(row["unanswered"]),
                        _count(row["paid"]),
                        "–" if row["uptake_pct"] is None else pct(row["uptake_pct"]),
                        "–" if row["median_days"] is None else num(row["median_days"], 1),
                        _count(row["qualified_not_offered"]),
                    ]
                    for row in services
                ],
                caption=_(
                    "Proactive services by benefit, the whole country, {period} "
                    "(marts.mart_proactive_services)"
                ).format(period=period),
            )
        )
    takeaway += "."

    reconciliation = (
        queries.family_reconciliation(ctx.con) if ctx.has("marts.mart_family_reconciliation") else []
    )
    scale = next((row["scale_factor"] for row in reconciliation if row["scale_factor"]), None)
    if reconciliation:
        tables.append(
            Table(
                headers=[
                    _("Date"),
                    _("Measure"),
                    _("Published"),
                    _("In the warehouse"),
                    _("In the warehouse, scaled"),
                    _("Difference"),
                ],
                rows=[
                    [
                        _stated(row["as_of"]),
                        (
                            _(FAMILY_MEASURES[row["measure"]])
                            if row["measure"] in FAMILY_MEASURES
                            else row["measure"]
                        ),
                        num(row["published_value"]),
                        _count(row["warehouse_value"]),
                        _count(row["warehouse_value_scaled"]),
                        "–" if row["difference_pct"] is None else signed_pct(row["difference_pct"]),
                    ]
                    for row in reconciliation
                ],
                caption=_("Coverage beside the published figures (marts.mart_family_reconciliation)"),
            )
        )
    notes = [
        _(
            "Cells of fewer than {n} families are not published (their counts and shares are withheld), "
            "and uptake and medians over fewer than {n} offers neither; the chart leaves withheld cells "
            "out, so a month's bar may fall short of 100%."
        ).format(n=FAMILY_MIN_CELL),
        _(
            "Where a withheld cell could be derived from a total by subtraction (the country less the "
            "regions, a region less its other levels, the offers less the other outcomes), the "
            "smallest other cell of that group is withheld too."
        ),
    ]
    cells = queries.family_suppressed_cells(ctx.con)
    if cells and cells["cells"]:
        notes.append(
            ngettext(
                "{n} of {cells} cells (region, month and level) is withheld.",
                "{n} of {cells} cells (region, month and level) are withheld.",
                cells["suppressed"],
            ).format(n=num(cells["suppressed"]), cells=num(cells["cells"]))
        )
    notes.append(
        _(
            "Levels A (well-off) to E (emergency) from a score of assumed indicators, weights and "
            "thresholds: the official ones are not public."
        )
    )
    if services:
        notes.append(
            _(
                "Proactive services: sums of the published monthly cells of the whole country, by "
                "the month of the offer; uptake = paid / offers; median days: the monthly medians "
                "weighted by the payments."
            )
        )
    if scale and scale != 1:
        notes.append(
            _(
                "The bundled data stand for 1/{factor} of the country: the warehouse's counts are "
                "multiplied by {factor} to compare them with the published figures."
            ).format(factor=num(scale))
        )
    return Content(takeaway, charts.family_levels(levels), " ".join(notes), tables)


# --- 8. Freshness and validation --------------------------------------------------------------------------


def judge_feed(entry: dict, now: datetime) -> dict:
    """One feed_status entry with its group, expected interval, age and state (ok, stale, failed)."""
    group = entry.get("group") or group_of(str(entry.get("feed", "")))
    max_age = FEED_MAX_AGE.get(group) if group else None
    loaded = entry.get("last_loaded_at")
    if isinstance(loaded, str):
        loaded = datetime.fromisoformat(loaded)
    age = _aware(now) - _aware(loaded) if loaded else None
    stale = max_age is not None and (age is None or age > max_age)
    failed = entry.get("check_passed") is False or str(entry.get("last_status", "")).lower() in (
        "rejected",
        "failed",
        "failure",
    )
    return {
        **entry,
        "group": group,
        "max_age": max_age,
        "age": age,
        "last_loaded_at": loaded,
        "stale": stale,
        "failed": failed,
    }


def _days(n: int) -> str:
    return ngettext("{n} day", "{n} days", n).format(n=num(n))


def _age(age: timedelta | None) -> str:
    if age is None:
        return _("never")
    if age < timedelta(hours=1):
        return _("{n} min").format(n=max(0, int(age.total_seconds() // 60)))
    if age < timedelta(days=2):
        return _("{n} h").format(n=num(age.total_seconds() / 3600))
    return _days(age.days)


def _group(group: str | None) -> str:
    return _(GROUP_NAMES[group]) if group in GROUP_NAMES else (group or "–")


def freshness(ctx: Context) -> Content:
    coverage = []
    for key, (label, reads, sql) in queries.COVERAGE_QUERIES.items():
        try:
            row = queries.one(ctx.con, sql)
        except duckdb.Error:
            row = None
        latest = (row or {}).get("label")
        if not latest:
            shown = _("no data")
        elif key == "land":
            shown = season_name(latest)
        else:
            shown = _(reads).format(value=latest) if reads else latest
        coverage.append([_(label), shown])
    info = queries.serving_info(ctx.con) if ctx.has("main.serving_info") else None
    published = (info or {}).get("published_at")
    caption = (
        _("Latest data in the serving copy (published {at} UTC)").format(at=published[:16].replace("T", " "))
        if published
        else _("Latest data in the serving copy")
    )
    tables = [Table([_("Data"), _("Latest period")], coverage, caption=caption)]
    if ctx.feed_status is None:
        takeaway = _(
            "The load and validation status of the feeds was not available to this report; below is "
            "the latest data the serving copy holds."
        )
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
        status = str(f.get("last_status") or "–")
        rows.append(
            [
                str(f["feed"]),
                _group(f["group"]),
                f["last_loaded_at"].strftime("%Y-%m-%d %H:%M") if f["last_loaded_at"] else _("never"),
                _age(f["age"]),
                _days(f["max_age"].days) if f["max_age"] else _("no schedule"),
                _(LOAD_STATUSES[status]) if status in LOAD_STATUSES else status,
                "–" if f.get("rows") is None else num(f["rows"]),
                _(CHECK_LABELS[f.get("check_passed")])
                if f.get("check_passed") in CHECK_LABELS
                else str(f.get("check_passed")),
                _(FEED_STATES[state]),
            ]
        )
        classes.append(" ".join(c for c, on in (("stale", f["stale"]), ("failed", f["failed"])) if on))
    tables.insert(
        0,
        Table(
            [
                _("Feed"),
                _("Group"),
                _("Last loaded (UTC)"),
                _("Age"),
                _("Expected within"),
                _("Last load"),
                _("Rows (last load)"),
                _("Last check"),
                _("State"),
            ],
            rows,
            classes,
            caption=_(
                "Feeds: last successful load and last validation (stale: older than the expected interval)"
            ),
        ),
    )
    if not stale and not failed:
        takeaway = ngettext(
            "All {n} feeds loaded within their expected interval and passed their last validation.",
            "All {n} feeds loaded within their expected interval and passed their last validation.",
            len(judged),
        ).format(n=len(judged))
    else:
        bits = []
        if stale:
            bits.append(
                ngettext(
                    "{n} of {total} feeds is stale ({feeds})",
                    "{n} of {total} feeds are stale ({feeds})",
                    len(stale),
                ).format(n=len(stale), total=len(judged), feeds=", ".join(stale))
            )
        if failed:
            bits.append(
                ngettext(
                    "{n} failed its last load or validation ({feeds})",
                    "{n} failed their last load or validation ({feeds})",
                    len(failed),
                ).format(n=len(failed), feeds=", ".join(failed))
            )
        takeaway = _("{problems}: the figures above may be out of date.").format(problems="; ".join(bits))
    note = _("Expected intervals: {intervals}.").format(
        intervals=", ".join(
            _("{group} {days}").format(group=_group(group), days=_days(age.days))
            if age
            else _("{group} none (reviewed files, no schedule)").format(group=_group(group))
            for group, age in FEED_MAX_AGE.items()
        )
    )
    return Content(takeaway, None, note, tables)


SPECS = [
    Spec(
        "turnover",
        N_("Trade turnover and the USD 2 billion target"),
        ("marts.mart_bilateral_turnover",),
        turnover,
    ),
    Spec(
        "mirror_gap",
        N_("Kazakh and Tajik statistics: the mirror gap"),
        ("marts.mart_trade_mirror_discrepancy",),
        mirror,
    ),
    Spec(
        "commodity_mix", N_("What is traded: the commodity mix"), ("marts.mart_commodity_mix",), commodities
    ),
    Spec(
        "appeals_agencies",
        N_("Citizens' appeals answered on time, by agency"),
        ("marts.mart_appeals_sla",),
        appeals_agencies,
    ),
    Spec(
        "appeals_regions",
        N_("Citizens' appeals answered on time, by region"),
        ("marts.mart_appeals_sla",),
        appeals_regions,
    ),
    Spec("unused_land", N_("Unused agricultural land by region"), ("marts.mart_land_utilization",), land),
    Spec(
        "commitments",
        N_("Bilateral commitments and their status"),
        ("marts.mart_commitment_progress",),
        commitment_status,
    ),
    Spec(
        "family_levels",
        N_("Digital Family Map: families by well-being level and proactive services"),
        ("marts.mart_family_wellbeing",),
        family_map,
    ),
    Spec("freshness", N_("Freshness of the data and the last validation of each feed"), (), freshness),
]
