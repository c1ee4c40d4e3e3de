"""build_report: the serving copy -> one self-contained HTML page per language and a PNG per chart.

The pages: index.html (English), ru/index.html (Russian), kk/index.html (Kazakh), each linking to
the others at its top, with the same figures, charts and notes; the text comes from the message
catalogues (i18n.py). A page has no network dependency: CSS inline, every chart inline as SVG
rendered by vl-convert from its Altair (Vega-Lite) spec, no script. Each chart is also written as
charts/<name>.png beside its page (scale 2). Files are written under a temporary name and moved into
place (os.replace), so a reader never sees a half-written page.
"""

import logging
import os
import re
import time
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import jinja2
from markupsafe import Markup, escape

from report import i18n, queries
from report.drawing import ChartDrawer, ChartDrawingError
from report.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    SOURCE,
    _,
    month_span,
    ngettext,
    num,
    pct,
    quarter_name,
    quarter_span,
    season_name,
    signed_pct,
)
from report.names import KAZAKH_NAMES_NOTE
from report.sections import SPECS, Content, Context, NoData, Table, status_name

log = logging.getLogger(__name__)

TEMPLATE = "template.html.j2"
PNG_SCALE = 2
CHART_SECONDS = 120  # a page's charts not drawn by then are problems of the report, not a hung build
TITLE = N_("Kazakhstan–Tajikistan: trade, appeals, land and the bilateral agenda")
# On the Russian and Kazakh pages: what stays in English because the sources give it so.
SOURCE_TEXT_NOTE = N_(
    "Titles of HS chapters, of the commitments and of the bilateral events, and the "
    "feeds' technical names, are shown in English, as their sources give them."
)


@dataclass
class ReportResult:
    html: Path  # the English page
    pngs: dict[str, Path]  # chart name -> charts/<name>.png (the English page's)
    main_figures: dict[str, Any]
    pages: dict[str, Path] = field(default_factory=dict)  # language -> its page, English included
    empty_sections: list[str] = field(default_factory=list)  # sections that said "no data"
    problems: list[str] = field(default_factory=list)  # sections that failed unexpectedly
    seconds: float = 0.0

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


def _svg(svg: str, key: str, title: str) -> str:
    # Vega numbers clip paths and gradients from 1 in every SVG: prefix the ids so that charts
    # inlined in one page do not take each other's clip paths.
    svg = re.sub(r'(?<![\w-])id="([^"]+)"', rf'id="{key}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{key}-\1)", svg)
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
    section = Section(spec.key, _(spec.title))
    missing = [t for t in spec.tables if not ctx.has(t)]
    if missing:
        section.empty = ngettext(
            "No data: {tables} is not in the serving copy.",
            "No data: {tables} are not in the serving copy.",
            len(missing),
        ).format(tables=", ".join(missing))
        return section, None
    try:
        content = spec.build(ctx)
    except NoData as reason:
        section.empty = _("No data: {reason}.").format(reason=reason)
        return section, None
    except duckdb.CatalogException as error:
        section.empty = _("No data: {reason}").format(reason=str(error).splitlines()[0])
        return section, None
    except Exception as error:  # one broken section (or translation) must not take the report down
        log.exception("report section %s (%s) failed", spec.key, i18n.lang())
        where = spec.key if i18n.lang() == SOURCE else f"{spec.key} ({i18n.lang()})"
        problems.append(f"{where}: {type(error).__name__}: {error}")
        section.empty = _("No data: this section could not be drawn ({error}).").format(
            error=type(error).__name__
        )
        return section, None
    section.takeaway, section.note, section.tables = content.takeaway, content.note, content.tables
    return section, content


def page_path(out_dir: Path, lang: str) -> Path:
    """index.html for English, <lang>/index.html for the others."""
    return out_dir / "index.html" if lang == SOURCE else out_dir / lang / "index.html"


def build_report(
    serving_db: Path,
    out_dir: Path,
    *,
    data_docs: Path | None = None,
    now: datetime | None = None,
    feed_status: list[dict] | None = None,
    demo_data: bool = False,
    languages: tuple[str, ...] = LANGUAGES,
    validate_charts: bool = False,
) -> ReportResult:
    """Write out_dir/index.html (English), out_dir/<lang>/index.html for the other languages, and
    beside each page charts/<name>.png, from the serving copy.

    serving_db: the serving copy (opened read-only; a missing file gives a page of "no data").
    data_docs: Great Expectations Data Docs index, linked from the notes (relative link).
    now: the report's date and the reference for feed staleness (default: the current UTC time).
    feed_status: one dict per feed: feed, last_loaded_at (datetime, UTC), last_status, rows,
        check_passed (bool or None); optionally group (trade, appeals, land, bilateral) to override
        the one inferred from the feed name. None: the freshness section says it is unavailable.
    demo_data: show a banner saying the figures come from the bundled synthetic demo files.
    languages: the pages to write (English always first: the result's figures are its).
    validate_charts: check every chart's spec against the Vega-Lite schema (Altair's validation,
        ~3 s of the report's ~20 s; on in tests/test_report.py's `full` report, off in a build).
    """
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    out_dir = Path(out_dir)
    languages = (SOURCE, *[lang for lang in languages if lang != SOURCE])
    problems: list[str] = []
    pages: dict[str, Path] = {}
    result: ReportResult | None = None
    # Two passes: every language's sections first, their charts handed to the drawing processes
    # as they come; then each page, once its charts are drawn.
    built = []
    with _connect(serving_db) as con, ChartDrawer() as drawer:
        tables = queries.existing_tables(con)
        info = queries.serving_info(con) if "main.serving_info" in tables else None
        published = (info or {}).get("published_at")
        for lang in languages:
            with i18n.active(lang):
                ctx = Context(con, tables, now, feed_status)
                target_source = _target_source(ctx)
                sections, drawings = _build_sections(ctx, problems, validate_charts, drawer)
                built.append((lang, ctx, target_source, sections, drawings))
        for lang, ctx, target_source, sections, drawings in built:
            page = page_path(out_dir, lang)
            with i18n.active(lang):
                pngs = _place_charts(sections, drawings, page.parent / "charts", problems)
                html = _render(
                    sections=sections,
                    figures=ctx.figures,
                    now=now,
                    published=published,
                    demo_data=demo_data,
                    data_docs=os.path.relpath(data_docs, page.parent) if data_docs else None,
                    target_source=target_source,
                    deadline=(
                        ctx.figures.get("target_deadline_year"),
                        ctx.figures.get("target_deadline_is_assumed"),
                    ),
                    links=[
                        {
                            "lang": other,
                            "name": LANGUAGE_NAMES[other],
                            "href": Path(os.path.relpath(page_path(out_dir, other), page.parent)).as_posix(),
                            "current": other == lang,
                        }
                        for other in languages
                    ],
                )
            _write_atomic(page, html.encode("utf-8"))
            pages[lang] = page
            if lang == SOURCE:
                result = ReportResult(
                    html=page,
                    pngs=pngs,
                    main_figures=ctx.figures,
                    pages=pages,
                    empty_sections=[s.key for s in sections if s.empty],
                    problems=problems,
                )
    seconds = time.perf_counter() - started
    log.info("report written to %s in %.1f s", ", ".join(map(str, pages.values())), seconds)
    result.seconds = seconds
    return result


def _build_sections(
    ctx: Context, problems: list[str], validate_charts: bool, drawer: ChartDrawer
) -> tuple[list[Section], dict[str, Future]]:
    """Every section in the active language; its chart's spec handed to the drawer (key -> the
    drawing's future)."""
    sections: list[Section] = []
    drawings: dict[str, Future] = {}
    # Vega formats the axes' numbers: in the page's locale (English: Vega's own default).
    locale = {} if i18n.lang() == SOURCE else {"format_locale": i18n.vega_locale()}
    for spec in SPECS:
        section, content = _build_section(spec, ctx, problems)
        if content is not None and content.chart is not None:
            try:
                chart = content.chart.to_dict(validate=validate_charts)
            except Exception as error:
                _chart_problem(spec.key, error, problems)
            else:
                # The PNG is made from the drawn SVG: Vega lays the chart out once, not twice.
                drawings[spec.key] = drawer.draw(chart, locale, PNG_SCALE)
        sections.append(section)
    return sections, drawings


def _place_charts(
    sections: list[Section], drawings: dict[str, Future], chart_dir: Path, problems: list[str]
) -> dict[str, Path]:
    """Each drawn chart into its section (inline SVG) and into chart_dir as a PNG."""
    chart_dir.mkdir(parents=True, exist_ok=True)
    pngs: dict[str, Path] = {}
    deadline = time.monotonic() + CHART_SECONDS
    for section in sections:
        if section.key not in drawings:
            continue
        try:
            svg, png_bytes = drawings[section.key].result(timeout=max(0, deadline - time.monotonic()))
        except TimeoutError:
            _chart_problem(section.key, ChartDrawingError(f"not drawn within {CHART_SECONDS} s"), problems)
            continue
        except Exception as error:
            _chart_problem(section.key, error, problems)
            continue
        section.svg = _svg(svg, section.key, section.title)
        png = chart_dir / f"{section.key}.png"
        _write_atomic(png, png_bytes)
        pngs[section.key] = png
        section.png = f"charts/{png.name}"
    # A chart with no data this time must not leave last run's picture behind.
    for spec in SPECS:
        stale_png = chart_dir / f"{spec.key}.png"
        if spec.key not in pngs and stale_png.exists():
            stale_png.unlink()
    return pngs


def _chart_problem(key: str, error: Exception, problems: list[str]) -> None:
    # A drawing process's error already names the original one (e.g. "ValueError: ...").
    what = str(error) if isinstance(error, ChartDrawingError) else f"{type(error).__name__}: {error}"
    log.error("report chart %s (%s) failed: %s", key, i18n.lang(), what, exc_info=error)
    problems.append(f"{key} chart ({i18n.lang()}): {what}")


def _target_source(ctx: Context) -> str | None:
    """The published source of the turnover target (seed bilateral_targets), for the notes."""
    if not ctx.has("marts.bilateral_targets"):
        return None
    try:
        row = queries.one(
            ctx.con,
            "select source_url from marts.bilateral_targets "
            "where measure = 'turnover' order by target_id limit 1",
        )
    except duckdb.Error:
        return None
    url = (row or {}).get("source_url")
    return url if url and re.match(r"https?://", url) else None


def _months(period: str) -> str:
    """'2024-01..2024-03' -> 'January to March 2024' (in the active language)."""
    first, _sep, last = period.partition("..")
    return month_span(first, last or first)


def _cards(figures: dict[str, Any]) -> list[dict[str, str]]:
    """The main-figures box: label, value, and a line of context, for the figures present."""
    cards = []
    f = figures.get
    if f("turnover_12m_kz_musd") is not None:
        tj = ""
        if f("turnover_12m_tj_musd") is not None:
            # Each side's latest 12 months end when its own statistics do: name them if they differ.
            tj_period = f("turnover_12m_tj_period")
            tj = " " + (
                _("(Tajikistan's: {value} M)")
                if tj_period in (None, f("turnover_12m_period"))
                else _("(Tajikistan's, {months}: {value} M)")
            ).format(value=num(f("turnover_12m_tj_musd")), months=_months(tj_period or ""))
        cards.append(
            {
                "label": _("Trade turnover, last 12 months"),
                "value": _("USD {value} M").format(value=num(f("turnover_12m_kz_musd"))),
                "context": _("{months}, Kazakhstan's statistics").format(
                    months=_months(f("turnover_12m_period"))
                )
                + tj,
            }
        )
    if f("target_progress_pct") is not None:
        deadline = (
            _("deadline {year} (assumed)") if f("target_deadline_is_assumed") else _("deadline {year}")
        ).format(year=f("target_deadline_year"))
        cards.append(
            {
                "label": _("Progress to the USD {value} M target").format(value=num(f("target_musd"))),
                "value": pct(f("target_progress_pct"), 0),
                "context": deadline,
            }
        )
        year = f("trend_reaches_target_year")
        trend = (
            _("trend {rate}/yr").format(rate=signed_pct(f("trend_growth_pct_per_year")))
            if f("trend_growth_pct_per_year") is not None
            else _("no trend")
        )
        needed = (
            "; " + _("needed {rate}/yr").format(rate=signed_pct(f("required_growth_pct_per_year")))
            if f("required_growth_pct_per_year") is not None
            else ""
        )
        cards.append(
            {
                "label": _("At the 3-year trend the target is reached in"),
                "value": str(year) if year else _("never"),
                "context": trend + needed,
            }
        )
    if f("target_judged_verdict") is not None:
        verdict = _("met") if f("target_judged_verdict") == "met" else _("missed")
        cards.append(
            {
                "label": _("USD {value} M by {year}, Roadmap 2023–2025").format(
                    value=num(f("target_musd") or 2000), year=f("target_judged_year")
                ),
                "value": verdict,
                "context": _("{year}: USD {value} M, {share} of the target, Kazakhstan's statistics").format(
                    year=f("target_judged_year"),
                    value=num(f("target_judged_musd")),
                    share=pct(f("target_judged_pct"), 0),
                ),
            }
        )
    if f("target_projected_path_musd") is not None:
        trend = (
            _("at the 3-year trend ({rate}/yr) USD {value} M in {year}").format(
                rate=signed_pct(f("target_projected_trend_pct")),
                value=num(f("target_projected_trend_musd")),
                year=f("target_projected_year"),
            )
            if f("target_projected_trend_musd") is not None
            else _("no trend")
        )
        cards.append(
            {
                "label": _("Target for {year}: straight path and trend").format(
                    year=f("target_projected_year")
                ),
                "value": _("on the path") if f("target_projected_on_path") else _("behind the path"),
                "context": _("{year}: USD {value} M against {required} M on the straight path").format(
                    year=f("target_projected_latest_year"),
                    value=num(f("target_projected_latest_musd")),
                    required=num(f("target_projected_path_musd")),
                )
                + "; "
                + trend,
            }
        )
    if f("appeals_on_time_pct") is not None:
        cards.append(
            {
                "label": _("Appeals answered on time"),
                "value": pct(f("appeals_on_time_pct")),
                "context": ngettext(
                    "{n} answer, {months}", "{n} answers, {months}", f("appeals_answered")
                ).format(n=num(f("appeals_answered")), months=_months(f("appeals_period"))),
            }
        )
    if f("unused_land_ha") is not None:
        cards.append(
            {
                "label": _("Unused agricultural land"),
                "value": _("{value} ha").format(value=num(f("unused_land_ha"))),
                "context": _("{share} of the land observed, {season}").format(
                    share=pct(f("unused_land_share_pct")), season=season_name(f("land_season"))
                ),
            }
        )
    if f("subsoil_detections_unlicensed") is not None:
        first, _sep, last = f("subsoil_period").partition("..")
        cards.append(
            {
                "label": _("Unlicensed subsoil workings"),
                "value": num(f("subsoil_detections_unlicensed")),
                "context": _(
                    "{period}: {outside} outside licensed contours, {after} after the licence "
                    "expired; {latest} alone: {latest_unlicensed} ({latest_outside} outside, "
                    "{latest_after} after expiry)"
                ).format(
                    period=quarter_span(first, last),
                    outside=num(f("subsoil_detections_outside_contour")),
                    after=num(f("subsoil_detections_after_licence_expiry")),
                    latest=quarter_name(f("subsoil_latest_quarter")),
                    latest_unlicensed=num(f("subsoil_latest_quarter_unlicensed")),
                    latest_outside=num(f("subsoil_latest_quarter_outside_contour")),
                    latest_after=num(f("subsoil_latest_quarter_after_licence_expiry")),
                ),
            }
        )
    if f("family_crisis_share_pct") is not None:
        context = _("{month}: {n} of {families} families in the Digital Family Map").format(
            month=i18n.month_name(f("family_month")),
            n=num(f("family_crisis_families")),
            families=num(f("family_families")),
        )
        if f("proactive_uptake_pct") is not None:
            context += "; " + _("{share} of proactive offers paid").format(
                share=pct(f("proactive_uptake_pct"))
            )
        cards.append(
            {
                "label": _("Families at level D or E (crisis, emergency)"),
                "value": pct(f("family_crisis_share_pct")),
                "context": context,
            }
        )
    if f("commitments_by_status"):
        cards.append(
            {
                "label": _("Commitments by status"),
                "value": num(sum(f("commitments_by_status").values())),
                "context": ", ".join(
                    f"{num(n)} {status_name(s)}" for s, n in f("commitments_by_status").items()
                ),
            }
        )
    if f("feeds") is not None:
        stale, failed = f("stale_feeds") or [], f("failed_feeds") or []
        cards.append(
            {
                "label": _("Feeds stale or failing"),
                "value": num(len(set(stale) | set(failed))),
                "context": ngettext("of {n} feed", "of {n} feeds", f("feeds")).format(n=num(f("feeds"))),
                "alert": "yes" if stale or failed else "",
            }
        )
    return cards


def _render(
    *, sections, figures, now, published, demo_data, data_docs, target_source, deadline, links
) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # newstyle: the template's _() escapes its arguments and fills %(name)s placeholders itself.
    env.install_gettext_translations(i18n.translations(i18n.lang()), newstyle=True)
    lang = i18n.lang()
    return env.get_template(TEMPLATE).render(
        lang=lang,
        links=links,
        title=_(TITLE),
        report_date=i18n.long_date(now),
        generated_at=now.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        if now.tzinfo
        else now.strftime("%Y-%m-%d %H:%M"),
        published=published[:16].replace("T", " ") + " UTC" if published else None,
        cards=_cards(figures),
        sections=[{**s.__dict__, "svg": Markup(s.svg) if s.svg else None} for s in sections],
        demo_data=demo_data,
        data_docs=data_docs,
        target_source=target_source,
        deadline_year=deadline[0],
        deadline_is_assumed=deadline[1],
        # Links inside translated sentences: the sentence has a placeholder, the link is built here.
        links_html={
            "comtrade": Markup('<a href="https://comtradeplus.un.org/">comtradeplus.un.org</a>'),
            "eotinish": Markup('<a href="https://eotinish.kz/">eotinish.kz</a>'),
            "data_docs": Markup('<a href="{}">Great Expectations Data Docs</a>').format(data_docs or ""),
        },
        names_note=_(KAZAKH_NAMES_NOTE) if lang == "kk" else None,
        source_text_note=_(SOURCE_TEXT_NOTE) if lang != SOURCE else None,
    )
