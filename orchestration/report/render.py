"""build_report: the serving copy -> one self-contained HTML page and a PNG per chart.

The page has no network dependency: CSS inline, every chart inline as SVG rendered by vl-convert
from its Altair (Vega-Lite) spec, no script. Each chart is also written as charts/<name>.png (scale
2). Files are written under a temporary name and moved into place (os.replace), so a reader never
sees a half-written page.
"""

import logging
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import vl_convert
from markupsafe import Markup, escape

from orchestration.report import queries
from orchestration.report.sections import (
    SPECS,
    Content,
    Context,
    NoData,
    Table,
    month_span,
    quarter_name,
    quarter_span,
    season_name,
)

log = logging.getLogger(__name__)

TEMPLATE = "template.html.j2"
PNG_SCALE = 2
TITLE = "Kazakhstan–Tajikistan: trade, appeals, land and the bilateral agenda"


@dataclass
class ReportResult:
    html: Path
    pngs: dict[str, Path]  # chart name -> charts/<name>.png
    main_figures: dict[str, Any]
    empty_sections: list[str] = field(default_factory=list)  # sections that said "no data"
    problems: list[str] = field(default_factory=list)  # sections that failed unexpectedly
    seconds: float = 0.0

    @property
    def png_paths(self) -> list[Path]:
        return list(self.pngs.values())

    def figures_markdown(self) -> str:
        """The main figures as a two-column Markdown table (for Dagster metadata)."""
        lines = ["| figure | value |", "|---|---|"]
        for key, value in self.main_figures.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k}: {v}" for k, v in value.items())
            elif isinstance(value, list):
                value = ", ".join(map(str, value)) or "none"
            lines.append(f"| {key} | {value} |")
        return "\n".join(lines)


@dataclass
class Section:
    key: str
    title: str
    takeaway: str | None = None
    svg: str | None = None
    note: str | None = None
    tables: list[Table] = field(default_factory=list)
    empty: str | None = None  # "no data" message
    png: str | None = None  # relative path, for a link


def _svg(spec: dict, key: str, title: str) -> str:
    svg = vl_convert.vegalite_to_svg(spec)
    # Vega numbers clip paths and gradients from 1 in every SVG: prefix the ids so that charts
    # inlined in one page do not take each other's clip paths.
    svg = re.sub(r'(?<![\w-])id="([^"]+)"', rf'id="{key}-\1"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', rf'url(#{key}-\1)', svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{key}-\1"', svg)
    # Natural size (width, height) on a wide screen; the page's CSS shrinks it on a narrow one.
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _connect(serving_db: Path) -> duckdb.DuckDBPyConnection:
    if Path(serving_db).exists():
        return duckdb.connect(str(serving_db), read_only=True)
    log.warning("report: no serving copy at %s; every section will say 'no data'", serving_db)
    return duckdb.connect(":memory:")


def _build_section(spec, ctx: Context, problems: list[str]) -> tuple[Section, Content | None]:
    section = Section(spec.key, spec.title)
    missing = [t for t in spec.tables if not ctx.has(t)]
    if missing:
        section.empty = f"No data: {', '.join(missing)} is not in the serving copy."
        return section, None
    try:
        content = spec.build(ctx)
    except NoData as reason:
        section.empty = f"No data: {reason}."
        return section, None
    except duckdb.CatalogException as error:
        section.empty = f"No data: {str(error).splitlines()[0]}"
        return section, None
    except Exception as error:  # one broken section must not take the report down
        log.exception("report section %s failed", spec.key)
        problems.append(f"{spec.key}: {type(error).__name__}: {error}")
        section.empty = f"No data: this section could not be drawn ({type(error).__name__})."
        return section, None
    section.takeaway, section.note, section.tables = content.takeaway, content.note, content.tables
    return section, content


def build_report(
    serving_db: Path,
    out_dir: Path,
    *,
    data_docs: Path | None = None,
    now: datetime | None = None,
    feed_status: list[dict] | None = None,
    demo_data: bool = False,
) -> ReportResult:
    """Write out_dir/index.html and out_dir/charts/<name>.png from the serving copy.

    serving_db: the serving copy (opened read-only; a missing file gives a page of "no data").
    data_docs: Great Expectations Data Docs index, linked from the notes (relative link).
    now: the report's date and the reference for feed staleness (default: the current UTC time).
    feed_status: one dict per feed: feed, last_loaded_at (datetime, UTC), last_status, rows,
        check_passed (bool or None); optionally group (trade, appeals, land, bilateral) to override
        the one inferred from the feed name. None: the freshness section says it is unavailable.
    demo_data: show a banner saying the figures come from the bundled synthetic demo files.
    """
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    out_dir = Path(out_dir)
    chart_dir = out_dir / "charts"
    chart_dir.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    sections: list[Section] = []
    pngs: dict[str, Path] = {}
    with _connect(serving_db) as con:
        ctx = Context(con, queries.existing_tables(con), now, feed_status)
        info = queries.serving_info(con) if ctx.has("main.serving_info") else None
        published = (info or {}).get("published_at")
        target_source = _target_source(ctx)
        for spec in SPECS:
            section, content = _build_section(spec, ctx, problems)
            if content is not None and content.chart is not None:
                try:
                    vl_spec = content.chart.to_dict()
                    section.svg = _svg(vl_spec, spec.key, spec.title)
                    png = chart_dir / f"{spec.key}.png"
                    _write_atomic(png, vl_convert.vegalite_to_png(vl_spec, scale=PNG_SCALE))
                    pngs[spec.key] = png
                    section.png = f"charts/{png.name}"
                except Exception as error:
                    log.exception("report chart %s failed", spec.key)
                    problems.append(f"{spec.key} chart: {type(error).__name__}: {error}")
                    section.svg = None
            sections.append(section)
    # A chart with no data this time must not leave last run's picture behind.
    for spec in SPECS:
        stale_png = chart_dir / f"{spec.key}.png"
        if spec.key not in pngs and stale_png.exists():
            stale_png.unlink()

    html = _render(
        sections=sections, figures=ctx.figures, now=now, published=published, demo_data=demo_data,
        data_docs=os.path.relpath(data_docs, out_dir) if data_docs else None,
        target_source=target_source,
        deadline=(ctx.figures.get("target_deadline_year"), ctx.figures.get("target_deadline_is_assumed")),
    )
    page = out_dir / "index.html"
    _write_atomic(page, html.encode("utf-8"))
    seconds = time.perf_counter() - started
    log.info("report written to %s in %.1f s", page, seconds)
    return ReportResult(
        html=page, pngs=pngs, main_figures=ctx.figures,
        empty_sections=[s.key for s in sections if s.empty], problems=problems, seconds=seconds,
    )


def _target_source(ctx: Context) -> str | None:
    """The published source of the turnover target (seed bilateral_targets), for the notes."""
    if not ctx.has("marts.bilateral_targets"):
        return None
    try:
        row = queries.one(ctx.con, "select source_url from marts.bilateral_targets "
                                   "where measure = 'turnover' order by target_id limit 1")
    except duckdb.Error:
        return None
    url = (row or {}).get("source_url")
    return url if url and re.match(r"https?://", url) else None


def _months(period: str) -> str:
    """'2024-01..2024-03' -> 'January to March 2024'."""
    first, _, last = period.partition("..")
    return month_span(first, last or first)


def _cards(figures: dict[str, Any]) -> list[dict[str, str]]:
    """The main-figures box: label, value, and a line of context, for the figures present."""
    cards = []
    f = figures.get
    if f("turnover_12m_kz_musd") is not None:
        cards.append({"label": "Trade turnover, last 12 months",
                      "value": f"USD {f('turnover_12m_kz_musd'):,.0f} M",
                      "context": f"{_months(f('turnover_12m_period'))}, Kazakhstan's statistics"
                                 + (f" (Tajikistan's: {f('turnover_12m_tj_musd'):,.0f} M)"
                                    if f("turnover_12m_tj_musd") is not None else "")})
    if f("target_progress_pct") is not None:
        assumed = " (assumed)" if f("target_deadline_is_assumed") else ""
        cards.append({"label": f"Progress to the USD {f('target_musd'):,.0f} M target",
                      "value": f"{f('target_progress_pct'):.0f}%",
                      "context": f"deadline {f('target_deadline_year')}{assumed}"})
        year = f("trend_reaches_target_year")
        cards.append({"label": "At the 3-year trend the target is reached in",
                      "value": str(year) if year else "never",
                      "context": (f"trend {f('trend_growth_pct_per_year'):+.1f}%/yr"
                                  if f("trend_growth_pct_per_year") is not None else "no trend")
                                 + (f"; needed {f('required_growth_pct_per_year'):+.1f}%/yr"
                                    if f("required_growth_pct_per_year") is not None else "")})
    if f("appeals_on_time_pct") is not None:
        cards.append({"label": "Appeals answered on time", "value": f"{f('appeals_on_time_pct'):.1f}%",
                      "context": f"{f('appeals_answered'):,} answers, {_months(f('appeals_period'))}"})
    if f("unused_land_ha") is not None:
        cards.append({"label": "Unused agricultural land", "value": f"{f('unused_land_ha'):,} ha",
                      "context": f"{f('unused_land_share_pct'):.1f}% of the land observed, "
                                 f"{season_name(f('land_season'))}"})
    if f("subsoil_detections_unlicensed") is not None:
        first, _, last = f("subsoil_period").partition("..")
        cards.append({"label": "Unlicensed subsoil workings",
                      "value": f"{f('subsoil_detections_unlicensed'):,}",
                      "context": f"{quarter_span(first, last)}: "
                                 f"{f('subsoil_detections_outside_contour'):,} outside licensed contours, "
                                 f"{f('subsoil_detections_after_licence_expiry'):,} after the licence "
                                 "expired; "
                                 f"{quarter_name(f('subsoil_latest_quarter'))} alone: "
                                 f"{f('subsoil_latest_quarter_unlicensed'):,} "
                                 f"({f('subsoil_latest_quarter_outside_contour'):,} outside, "
                                 f"{f('subsoil_latest_quarter_after_licence_expiry'):,} after expiry)"})
    if f("commitments_by_status"):
        cards.append({"label": "Commitments by status",
                      "value": str(sum(f("commitments_by_status").values())),
                      "context": ", ".join(f"{n} {s}" for s, n in f("commitments_by_status").items())})
    if f("feeds") is not None:
        stale, failed = f("stale_feeds") or [], f("failed_feeds") or []
        cards.append({"label": "Feeds stale or failing", "value": str(len(set(stale) | set(failed))),
                      "context": f"of {f('feeds')} feeds", "alert": "yes" if stale or failed else ""})
    return cards


def _render(*, sections, figures, now, published, demo_data, data_docs, target_source, deadline) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    return env.get_template(TEMPLATE).render(
        title=TITLE,
        report_date=now.strftime("%d %B %Y").lstrip("0"),
        generated_at=now.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if now.tzinfo else
        now.strftime("%Y-%m-%d %H:%M"),
        published=published[:16].replace("T", " ") + " UTC" if published else None,
        cards=_cards(figures),
        sections=[{**s.__dict__, "svg": Markup(s.svg) if s.svg else None}
                  for s in sections],
        demo_data=demo_data,
        data_docs=data_docs,
        target_source=target_source,
        deadline_year=deadline[0],
        deadline_is_assumed=deadline[1],
    )
