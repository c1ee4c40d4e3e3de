"""The report's charts, declared with Altair (Vega-Lite) from the rows of queries.py.

Every function takes plain rows (lists of dicts) and returns an Altair chart; render.py turns it into
SVG and PNG with vl-convert. Field types are always given (the data are inline values, so Altair
cannot infer them). Titles, axes and legends are in the active language (i18n.py); series are keyed
by codes (KZ, TJ, target, ...) and shown by their translated names, and the labels written beside
marks are formatted in Python, with the text's locale.
"""

import altair as alt

from report.i18n import N_, _, num, pct
from report.queries import Row

WIDTH = 720
# DejaVu Sans covers Cyrillic, Kazakh letters included (Debian's fonts-dejavu-core; vl-convert
# finds the system's fonts for the PNGs, the browser for the inline SVGs); the others are fallbacks.
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"

SIDES = {"KZ": N_("Kazakhstan's statistics"), "TJ": N_("Tajikistan's statistics")}
SIDE_COLOURS = {"KZ": "#1f6fb2", "TJ": "#e07b39"}
TARGET_COLOUR = "#2e9e57"
TARGET_PATH = "target"
PROJECTION = "projection"
SERIES_NAMES = {
    **SIDES,
    TARGET_PATH: N_("Target path"),
    PROJECTION: N_("Trend projection (Kazakhstan's statistics)"),
}
PROJECTION_COLOUR = "#7fb2dd"
STATUS_COLOURS = {
    "met": "#1a9850",
    "on track": "#74c476",
    "at risk": "#fdae61",
    "missed": "#d73027",
    "not measured": "#9e9e9e",
    "no target": "#bdbdbd",
    "no indicator": "#d9d9d9",
}
STATUS_NAMES = {
    "met": N_("met"),
    "on track": N_("on track"),
    "at risk": N_("at risk"),
    "missed": N_("missed"),
    "not measured": N_("not measured"),
    "no target": N_("no target"),
    "no indicator": N_("no indicator"),
}
OTHER_CHAPTERS = N_("Other chapters")  # as queries.commodity_mix names them
ABOVE, BELOW = N_("at or above the overall rate"), N_("below the overall rate")
# Digital Family Map well-being levels (seed family_levels; the official thresholds are not public).
LEVEL_NAMES = {
    "A": N_("A well-off"),
    "B": N_("B satisfactory"),
    "C": N_("C unsatisfactory"),
    "D": N_("D crisis"),
    "E": N_("E emergency"),
}
LEVEL_COLOURS = {"A": "#1a9850", "B": "#91cf60", "C": "#fee08b", "D": "#fc8d59", "E": "#d73027"}


def period_name(period: str) -> str:
    """'2023-01..2023-06' -> 'H1 2023', '2023-07..2023-12' -> 'H2 2023'; anything else as it is."""
    halves = {("01", "06"): 1, ("07", "12"): 2}
    start, _sep, end = period.partition("..")
    if len(start) == 7 and len(end) == 7 and start[:4] == end[:4] and (start[5:], end[5:]) in halves:
        return _("H{half} {year}").format(half=halves[start[5:], end[5:]], year=start[:4])
    return period


def half_year_name(label: str) -> str:
    """'2024-H1' -> 'H1 2024' (en), '1-е полугодие 2024 г.' (ru); anything else as it is."""
    year, _sep, half = label.partition("-")
    if half in ("H1", "H2") and year.isdigit():
        return _("H{half} {year}").format(half=half[1], year=year)
    return label


def _data(values: list[Row]) -> alt.Data:
    return alt.Data(values=values)


def configure(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The house style: quiet axes, titles on the left, no frame. Set on the chart itself, which
    each chart function has just made: Altair's `configure_*` and `properties` each copy a chart,
    and copying a layered chart builds its layers again (~1.5 s of a build's report)."""
    chart.config = alt.Config(
        font=FONT,
        view=alt.ViewConfig(stroke=None),
        axis=alt.AxisConfig(
            labelFontSize=12, titleFontSize=12, titleFontWeight="normal", gridColor="#eeeeee"
        ),
        # Russian and Kazakh labels run longer than English ones.
        legend=alt.LegendConfig(labelFontSize=12, titleFontSize=12, orient="bottom", labelLimit=440),
        title=alt.TitleConfig(fontSize=15, anchor="start", subtitleColor="#555555", subtitleFontSize=12),
    )
    chart.background = "white"
    chart.padding = 8
    return chart


def turnover(lines: list[Row], half_years: list[Row], target: Row | None) -> alt.TopLevelMixin:
    """Top: yearly turnover by reporting side with the target path and the trend projection.
    Bottom: half-year turnover by side, with the H1 2023 reference and the half-year pace of the
    target. `lines` rows: year, turnover_musd, series (KZ, TJ, target, projection); `half_years`:
    period_label, side (KZ, TJ), turnover_musd."""
    lines = [{**row, "series_name": _(SERIES_NAMES.get(row["series"], row["series"]))} for row in lines]
    series = [s for s in (*SIDE_COLOURS, TARGET_PATH, PROJECTION) if any(row["series"] == s for row in lines)]
    colours = {**SIDE_COLOURS, TARGET_PATH: TARGET_COLOUR, PROJECTION: PROJECTION_COLOUR}
    colour = alt.Color(
        "series_name:N",
        title=None,
        scale=alt.Scale(domain=[_(SERIES_NAMES[s]) for s in series], range=[colours[s] for s in series]),
        legend=alt.Legend(orient="top", columns=2, symbolType="stroke", symbolStrokeWidth=3, symbolSize=400),
    )
    first, last = min(row["year"] for row in lines), max(row["year"] for row in lines)
    x = alt.X(
        "year:Q",
        title=None,
        scale=alt.Scale(domain=[first - 0.4, last + 0.4], nice=False, zero=False),
        axis=alt.Axis(format="d", values=list(range(first, last + 1)), labelAngle=0, grid=False),
    )
    y = alt.Y("turnover_musd:Q", title=_("USD million a year"))
    base = alt.Chart(_data(lines)).encode(x=x, y=y, color=colour)

    def only(*names: str) -> alt.FieldOneOfPredicate:
        return alt.FieldOneOfPredicate(field="series", oneOf=list(names))

    layers = [
        base.mark_line(strokeWidth=2.2).transform_filter(only(*SIDE_COLOURS)),
        base.mark_point(filled=True, size=36, opacity=1).transform_filter(only(*SIDE_COLOURS)),
        base.mark_line(strokeWidth=2.2, strokeDash=[7, 4]).transform_filter(only(TARGET_PATH)),
        base.mark_line(strokeWidth=2.2, strokeDash=[2, 3]).transform_filter(only(PROJECTION)),
    ]
    if target:
        label = (
            _("USD {value} million target by {year} (an assumed deadline)")
            if target["deadline_is_assumed"]
            else _("USD {value} million target by {year}")
        )
        goal = [
            {
                "turnover_musd": target["target_value_musd"],
                "label": label.format(value=num(target["target_value_musd"]), year=target["deadline_year"]),
            }
        ]
        rule = alt.Chart(_data(goal))
        layers += [
            rule.mark_rule(color="#999999", strokeDash=[2, 2]).encode(y="turnover_musd:Q"),
            rule.mark_text(align="left", dx=4, dy=-7, color="#555555", fontSize=11).encode(
                y="turnover_musd:Q", text="label:N", x=alt.value(0)
            ),
        ]
    top = alt.layer(*layers).properties(width=WIDTH, height=260, title=alt.Title(_("Per year, USD million")))
    if not half_years:
        return configure(top)
    half_years = [
        {
            **row,
            "side_name": _(SIDES.get(row["side"], row["side"])),
            "period_name": half_year_name(row["period_label"]),
        }
        for row in half_years
    ]
    periods = list(
        dict.fromkeys(row["period_name"] for row in sorted(half_years, key=lambda r: r["period_label"]))
    )
    sides = [s for s in SIDE_COLOURS if any(row["side"] == s for row in half_years)]
    half_colour = alt.Color(
        "side_name:N",
        title=None,
        legend=None,
        scale=alt.Scale(domain=[_(SIDES[s]) for s in sides], range=[SIDE_COLOURS[s] for s in sides]),
    )
    bars = (
        alt.Chart(_data(half_years))
        .mark_bar()
        .encode(
            x=alt.X("period_name:O", title=None, sort=periods, axis=alt.Axis(labelAngle=-60)),
            xOffset=alt.XOffset("side:N", scale=alt.Scale(domain=sides)),
            y=alt.Y("turnover_musd:Q", title=_("USD million a half-year")),
            color=half_colour,
        )
    )
    half_layers = [bars]
    if target:
        marks = [
            {
                "musd": target["target_value_musd"] / 2,
                "label": _("half-year at the USD {value} million pace").format(
                    value=num(target["target_value_musd"])
                ),
            }
        ]
        if target.get("baseline_value_musd"):
            marks.append(
                {
                    "musd": target["baseline_value_musd"],
                    "label": _("{period} as stated in 2023: about USD {value} million").format(
                        period=period_name(target["baseline_period"]),
                        value=num(target["baseline_value_musd"]),
                    ),
                }
            )
        rules = alt.Chart(_data(marks))
        half_layers += [
            rules.mark_rule(color="#555555", strokeDash=[2, 2]).encode(y="musd:Q"),
            rules.mark_text(align="left", dx=4, dy=-7, color="#333333", fontSize=11).encode(
                y="musd:Q", text="label:N", x=alt.value(0)
            ),
        ]
    bottom = alt.layer(*half_layers).properties(
        width=WIDTH, height=180, title=alt.Title(_("Per half-year, USD million"))
    )
    return configure(
        alt.vconcat(
            top,
            bottom,
            spacing=24,
            title=alt.Title(
                _("Kazakhstan–Tajikistan trade turnover"),
                subtitle=_("with the path to the target and the trend"),
            ),
        )
    )


def mirror_gap(values: list[Row]) -> alt.TopLevelMixin:
    """Rows: year, flow (its name), gap_pct, exporter_musd, importer_musd."""
    flows = list(dict.fromkeys(row["flow"] for row in values))
    bars = (
        alt.Chart(_data(values))
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("flow:N", scale=alt.Scale(domain=flows)),
            y=alt.Y("gap_pct:Q", title=_("importer's figure vs exporter's, %")),
            color=alt.Color(
                "flow:N", title=None, scale=alt.Scale(domain=flows, range=["#1f6fb2", "#e07b39"])
            ),
        )
    )
    zero = alt.Chart(_data([{"zero": 0}])).mark_rule(color="#333333").encode(y="zero:Q")
    return configure(
        alt.layer(bars, zero).properties(
            width=WIDTH,
            height=260,
            title=alt.Title(
                _("Mirror gap: what the importer recorded against what the exporter recorded"),
                subtitle=_("above zero: the importing country recorded more than the exporting one"),
            ),
        )
    )


def commodity_mix(values: list[Row]) -> alt.TopLevelMixin:
    """Rows: flow (a title), chapter, is_other, rank, share_pct, value_musd, label; one bar panel per
    flow."""
    panels = []
    top = max(row["share_pct"] or 0 for row in values)
    for flow in dict.fromkeys(row["flow"] for row in values):
        panel = sorted((row for row in values if row["flow"] == flow), key=lambda row: row["rank"])
        base = alt.Chart(_data(panel)).encode(
            y=alt.Y(
                "chapter:N", title=None, sort=[row["chapter"] for row in panel], axis=alt.Axis(labelLimit=330)
            ),
            x=alt.X("share_pct:Q", title=_("share of the flow, %"), scale=alt.Scale(domainMax=top + 12)),
        )
        bars = base.mark_bar(color="#1f6fb2").encode(
            color=alt.condition(alt.datum.is_other, alt.value("#b8c9d9"), alt.value("#1f6fb2"))
        )
        labels = base.mark_text(align="left", dx=3, fontSize=10, color="#333333").encode(text="label:N")
        panels.append(alt.layer(bars, labels).properties(width=WIDTH - 330, title=alt.Title(flow)))
    return configure(alt.vconcat(*panels, spacing=20))


def on_time(
    values: list[Row], label: str, overall_pct: float, title: str, subtitle: str
) -> alt.TopLevelMixin:
    """A dot per agency or region: the share of its answers given on time, against the overall rate.
    Rows: <label>, on_time_pct, answered."""
    above, below = _(ABOVE), _(BELOW)
    shaded = [
        {
            **row,
            "group": above if row["on_time_pct"] >= overall_pct else below,
            "text": _("{share} of {answered}").format(
                share=pct(row["on_time_pct"]), answered=num(row["answered"])
            ),
        }
        for row in values
    ]
    low = min([row["on_time_pct"] for row in values] + [overall_pct])
    domain = [max(0, (int(low) // 5) * 5 - 5), 100]
    order = [row[label] for row in sorted(values, key=lambda row: row["on_time_pct"])]
    x_scale = alt.Scale(domain=domain, clamp=True)
    base = alt.Chart(_data(shaded)).encode(
        y=alt.Y(f"{label}:N", title=None, sort=order, axis=alt.Axis(labelLimit=430)),
        x=alt.X("on_time_pct:Q", title=_("answered on time, %"), scale=x_scale, axis=alt.Axis(tickCount=6)),
    )
    dots = base.mark_circle(size=70, opacity=1).encode(
        color=alt.Color(
            "group:N", title=None, scale=alt.Scale(domain=[below, above], range=["#d7642c", "#1f6fb2"])
        )
    )
    labels = base.mark_text(align="left", dx=7, fontSize=10, color="#333333").encode(text="text:N")
    overall = alt.Chart(
        _data([{"pct": overall_pct, "label": _("overall {share}").format(share=pct(overall_pct))}])
    )
    rule = overall.mark_rule(color="#555555", strokeDash=[3, 3]).encode(x=alt.X("pct:Q", scale=x_scale))
    rule_label = overall.mark_text(align="right", dx=-3, baseline="top", fontSize=10, color="#555555").encode(
        x=alt.X("pct:Q", scale=x_scale), text="label:N", y=alt.value(-14)
    )
    return configure(
        alt.layer(rule, dots, labels, rule_label).properties(
            width=WIDTH - 440,
            height=max(120, 18 * len(values)),
            title=alt.Title(title, subtitle=subtitle, offset=18),
        )
    )


def unused_land(values: list[Row], season: str) -> alt.TopLevelMixin:
    """Rows: region, unused_ha, unused_pct, observed_ha, label."""
    base = alt.Chart(_data(values)).encode(
        y=alt.Y(
            "region:N", title=None, sort=[row["region"] for row in values], axis=alt.Axis(labelLimit=220)
        ),
        x=alt.X("unused_ha:Q", title=_("unused hectares"), axis=alt.Axis(format=",.0f")),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "unused_pct:Q",
            title=_("share of observed land unused, %"),
            scale=alt.Scale(scheme="oranges", domainMin=0),
            legend=alt.Legend(orient="bottom", gradientLength=200, titleLimit=400),
        )
    )
    labels = base.mark_text(align="left", dx=3, fontSize=10, color="#333333").encode(text="label:N")
    return configure(
        alt.layer(bars, labels).properties(
            width=WIDTH - 220,
            height=max(120, 18 * len(values)),
            title=alt.Title(
                _("Unused agricultural land by region, {season}").format(season=season),
                subtitle=_("hectares unused and their share of the land observed from space"),
            ),
        )
    )


def commitment_progress(values: list[Row]) -> alt.TopLevelMixin:
    """Rows: commitment_title, progress_pct, path_pct (may be null), status, status_name, label."""
    statuses = [s for s in STATUS_COLOURS if any(row["status"] == s for row in values)]
    top = max([100.0] + [row["progress_pct"] for row in values])
    base = alt.Chart(_data(values)).encode(
        y=alt.Y(
            "commitment_title:N",
            title=None,
            sort=[row["commitment_title"] for row in values],
            axis=alt.Axis(labelLimit=330),
        ),
    )
    x = alt.X("progress_pct:Q", title=_("progress toward the target, %"), scale=alt.Scale(domain=[0, top]))
    bars = base.mark_bar(height=18).encode(
        x=x,
        color=alt.Color(
            "status_name:N",
            title=_("status"),
            scale=alt.Scale(
                domain=[_(STATUS_NAMES[s]) for s in statuses], range=[STATUS_COLOURS[s] for s in statuses]
            ),
        ),
    )
    path = (
        base.mark_tick(color="#222222", thickness=2, size=26)
        .encode(x="path_pct:Q")
        .transform_filter("isValid(datum.path_pct)")
    )
    labels = base.mark_text(align="left", dx=4, fontSize=11, color="#222222").encode(
        x="progress_pct:Q", text="label:N"
    )
    full = alt.Chart(_data([{"x": 100}])).mark_rule(color="#555555", strokeDash=[3, 3]).encode(x="x:Q")
    return configure(
        alt.layer(bars, full, path, labels).properties(
            width=WIDTH - 300,
            height=max(60, 40 * len(values)),
            title=alt.Title(
                _("Commitments with a measured indicator"),
                subtitle=_("black tick: where a straight path from the baseline to the target would be"),
            ),
        )
    )


def family_levels(values: list[Row]) -> alt.TopLevelMixin:
    """Stacked bars: each level's share of the country's families, month by month. Rows: month
    ('YYYY-MM'), level (A..E), share_pct, families; suppressed cells are not among them."""
    levels = [lv for lv in LEVEL_COLOURS if any(row["level"] == lv for row in values)]
    values = [
        {
            **row,
            "level_name": _(LEVEL_NAMES.get(row["level"], row["level"])),
            "order": list(LEVEL_COLOURS).index(row["level"]) if row["level"] in LEVEL_COLOURS else 9,
        }
        for row in values
    ]
    months = sorted({row["month"] for row in values})
    bars = (
        alt.Chart(_data(values))
        .mark_bar()
        .encode(
            x=alt.X(
                "month:O", title=None, sort=months, axis=alt.Axis(labelAngle=-60 if len(months) > 8 else 0)
            ),
            y=alt.Y(
                "share_pct:Q", title=_("share of families, %"), stack="zero", scale=alt.Scale(domain=[0, 100])
            ),
            color=alt.Color(
                "level_name:N",
                title=_("well-being level"),
                scale=alt.Scale(
                    domain=[_(LEVEL_NAMES[lv]) for lv in levels], range=[LEVEL_COLOURS[lv] for lv in levels]
                ),
            ),
            order=alt.Order("order:Q", sort="ascending"),
        )
    )
    return configure(
        bars.properties(
            width=WIDTH,
            height=260,
            title=alt.Title(
                _("Families by well-being level, the whole country"),
                subtitle=_(
                    "share of the families in the map each month; cells of fewer than 10 "
                    "families are not published"
                ),
            ),
        )
    )
