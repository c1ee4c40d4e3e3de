"""The report: a tiny serving copy made with SQL, the real Altair and vl-convert, temporary folders."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from report_figures import same_figures

from ingest.loads import META_DDL
from report import FEED_MAX_AGE, build_report, feed_status_from_loads

NOW = datetime(2025, 8, 1, 12, 0, tzinfo=UTC)
CHARTS = [
    "turnover",
    "mirror_gap",
    "commodity_mix",
    "appeals_agencies",
    "appeals_regions",
    "unused_land",
    "commitments",
    "family_levels",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# (agency, region, answered, on time): agency 3 has too few answers to be ranked but counts overall.
APPEALS = [(1, "75", 30, 27), (1, "75", 10, 10), (2, "71", 25, 25), (3, "71", 5, 2)]
# (region, season_seq, season_label, observed ha, unused ha): the latest season with anything observed
# is 2024-AUTUMN; 2025-SPRING has only events (nothing observed).
LAND = [
    ("Almaty (city)", 10, "2024-AUTUMN", 1000.0, 100.0, "75"),
    ("Astana (city)", 10, "2024-AUTUMN", 500.0, 150.0, "71"),
    ("Almaty (city)", 9, "2024-SUMMER", 1000.0, 900.0, "75"),
    ("Almaty (city)", 11, "2025-SPRING", 0.0, 0.0, "75"),
]

# (detection quarter, compliance category, disturbed ha)
SUBSOIL = [
    ("2025-Q1", "outside_contour", 2.0),
    ("2025-Q1", "outside_contour", 1.0),
    ("2025-Q1", "after_licence_expiry", 3.0),
    ("2025-Q1", "inside_contour", 5.0),
    ("2025-Q2", "outside_contour", 0.5),
    ("2025-Q2", "after_licence_expiry", 1.5),
    ("2025-Q2", "inside_contour", 4.0),
]

TABLES = {
    "mart_bilateral_turnover": """
        create table marts.mart_bilateral_turnover as
        select * from (values
            ('KZ', 'year', '2022', date '2022-01-01', 2022, true, 1000000000.0::decimal(38, 6)),
            ('KZ', 'year', '2023', date '2023-01-01', 2023, true, 1150000000.0),
            ('KZ', 'year', '2024', date '2024-01-01', 2024, true, 1300000000.0),
            ('KZ', 'year', '2025', date '2025-01-01', 2025, false, 700000000.0),
            ('TJ', 'year', '2023', date '2023-01-01', 2023, true, 1100000000.0),
            ('TJ', 'year', '2024', date '2024-01-01', 2024, true, 1250000000.0),
            ('KZ', 'half_year', '2024-H1', date '2024-01-01', 2024, true, 600000000.0),
            ('KZ', 'half_year', '2024-H2', date '2024-07-01', 2024, true, 700000000.0),
            ('TJ', 'half_year', '2024-H1', date '2024-01-01', 2024, true, 580000000.0),
            ('KZ', 'month', '2025-06', date '2025-06-01', 2025, true, 60000000.0)
        ) as t(reporting_side, grain, period_label, period_start, period_year, is_complete, turnover_usd)
    """,
    "bilateral_targets": """
        create table marts.bilateral_targets as
        select 'kz_tj_turnover_2bn' as target_id, 'KZ-TJ turnover of USD 2 billion' as target_name,
            'turnover' as measure, 2000.0 as target_value_musd, date '2023-08-26' as set_date,
            '2023-01..2023-06' as baseline_period, 500.0 as baseline_value_musd,
            1000.0 as baseline_annualised_musd, date '2030-12-31' as deadline_date,
            true as deadline_is_assumed,
            'https://example.org/target' as source_url, 'assumed deadline' as note
    """,
    "mart_trade_target_progress": """
        create table marts.mart_trade_target_progress as
        select * from (values
            ('kz_tj_turnover_2bn', 'KZ', 2024, 1300000000.0::decimal(38, 6), '2024-07..2025-06',
             date '2025-06-30', 1350000000.0::decimal(38, 6), 65.0, 67.5, 8.0, 5.0, 2021, 2034, false, 2030),
            ('kz_tj_turnover_2bn', 'TJ', 2024, 1250000000.0, '2024-07..2025-06',
             date '2025-06-30', 1280000000.0, 62.5, 64.0, 8.5, 4.0, 2021, 2036, false, 2030)
        ) as t(target_id, reporting_side, latest_full_year, latest_full_year_turnover_usd,
               latest_rolling_12m_label, latest_rolling_12m_end, latest_rolling_12m_turnover_usd,
               progress_full_year_pct, progress_rolling_12m_pct, required_cagr_pct, trend_cagr_pct,
               trend_base_year, trend_target_year, is_on_track, deadline_year)
    """,
    "mart_trade_target_versions": """
        create table marts.mart_trade_target_versions as
        select * from (values
            ('v2018', 'KZ', date '2018-03-14', null, 'no deadline', false, 2000.0, 2024, 1300000000.0, 65.0,
             null, null, null, null, null, null, null, null, null),
            ('v2025', 'KZ', date '2023-05-04', 2025, 'missed', false, 2000.0, 2025, 1445000000.0, 72.25,
             1445000000.0, 72.25, null, null, null, null, null, null, null),
            ('v2025', 'TJ', date '2023-05-04', 2025, 'missed', false, 2000.0, 2025, 1470000000.0, 73.5,
             1470000000.0, 73.5, null, null, null, null, null, null, null),
            ('v2027', 'KZ', date '2024-08-22', 2027, 'deadline year not closed', true, 2000.0, 2025,
             1445000000.0, 72.25, null, null, 2023, 1560000000.0, false, 2022, 1.5706, 1490700000.0, 74.54),
            ('v2027', 'TJ', date '2024-08-22', 2027, 'deadline year not closed', true, 2000.0, 2025,
             1470000000.0, 73.5, null, null, 2023, 1574400000.0, false, 2022, 0.9238, 1497300000.0, 74.86)
        ) as t(target_id, reporting_side, stated_on, deadline_year, verdict, is_projected, target_value_musd,
               latest_closed_year, latest_closed_turnover_usd, progress_latest_closed_pct,
               deadline_year_turnover_usd, deadline_year_achieved_pct, path_base_year,
               path_required_latest_usd, is_on_straight_path, trend_base_year, trend_cagr_pct,
               trend_projection_usd, trend_projection_pct)
    """,
    "mart_trade_target_path": """
        create table marts.mart_trade_target_path as
        select 'v2027' as target_id, 'KZ' as reporting_side, year, 1120000000.0 + 220000000.0 * (year - 2023)
            as path_required_usd
        from range(2023, 2028) as r(year)
    """,
    "mart_trade_mirror_discrepancy": """
        create table marts.mart_trade_mirror_discrepancy as
        select *, (importer_reported_usd - exporter_reported_usd) / exporter_reported_usd * 100 as gap_pct
        from (values
            ('KZ_TO_TJ', 398, 762, 'year', 2023, 'annual', true, 800000000.0, 880000000.0),
            ('KZ_TO_TJ', 398, 762, 'year', 2024, 'annual', true, 900000000.0, 945000000.0),
            ('TJ_TO_KZ', 762, 398, 'year', 2024, 'monthly_sum', true, 300000000.0, 270000000.0),
            ('TJ_TO_KZ', 762, 398, 'year', 2025, 'monthly_sum', false, 100000000.0, 90000000.0)
        ) as t(flow_pair, exporter_code, importer_code, grain, ref_year, value_source, is_complete,
               exporter_reported_usd, importer_reported_usd)
    """,
    # Exports: the 2024 annual release. Imports: 12 months of 2024 (8 M USD a month: ores 5, fruit 3)
    # and 3 months of 2025, which is not a full year.
    "mart_commodity_mix": """
        create table marts.mart_commodity_mix as
        select 'KZ' as reporting_side, 2 as aggr_level, 'X' as flow_code, 2024 as ref_year, 'A' as freq_code,
            '2024' as period, cmd_code, title as chapter_title, title as cmd_desc,
            value::decimal(28, 6) as trade_value_usd, 100000000.0::decimal(38, 6) as flow_total_usd
        from (values ('10', 'Cereals', 60000000.0), ('27', 'Mineral fuels', 30000000.0),
                     ('72', 'Iron and steel', 10000000.0)) as c(cmd_code, title, value)
        union all
        select 'KZ', 2, 'M', year, 'M', year::varchar || lpad(month::varchar, 2, '0'), cmd_code, title, title,
            value, 8000000.0
        from (values (2024, 12), (2025, 3)) as y(year, months),
            lateral (select unnest(range(1, months + 1)) as month),
            (values ('26', 'Ores, slag and ash', 5000000.0), ('08', 'Edible fruit and nuts', 3000000.0))
                as c(cmd_code, title, value)
    """,
    "mart_appeals_sla": (
        """
        create table marts.mart_appeals_sla (executive_org_id integer, region_kato_2digit varchar,
            month_start date, month_end date, answered_count hugeint, answered_on_time_count hugeint)
    """,
        "insert into marts.mart_appeals_sla values (?, ?, date '2025-01-01', date '2025-03-31', ?, ?)",
        APPEALS,
    ),
    "dim_agency": """
        create table marts.dim_agency as
        select * from (values (1, 'Akimat of Almaty (city)', 'Almaty (city)', 'г.Алматы'),
                              (2, 'Ministry of Justice', null, null), (3, 'Small office', null, null))
            as t(org_id, org_name, region_name_en, region_name_ru)
    """,
    "dim_region": """
        create table marts.dim_region as
        select * from (values ('71', 'Astana (city)', 'г.Астана'), ('75', 'Almaty (city)', 'г.Алматы'))
            as t(region_kato_2digit, name_en, name_ru)
    """,
    "mart_land_utilization": (
        """
        create table marts.mart_land_utilization (region_name_en varchar, season_seq integer,
            season_label varchar, observed_ha double, unused_ha double, region_kato_2digit varchar,
            season_year integer generated always as (left(season_label, 4)::integer),
            season_name varchar generated always as (split_part(season_label, '-', 2)),
            returned_to_state_ha double default 0)
    """,
        "insert into marts.mart_land_utilization (region_name_en, season_seq, season_label, observed_ha, "
        "unused_ha, region_kato_2digit) values (?, ?, ?, ?, ?, ?)",
        LAND,
    ),
    "mart_subsoil_compliance": """
        create table marts.mart_subsoil_compliance as
        select * from (values (10, 3, 4, true, 12.5, date '2025-06-01'),
                              (4, 0, 1, false, 0.0, date '2025-05-01'))
            as t(detection_count, outside_detection_count, unlicensed_detection_count, is_repeat_offender,
                 outside_disturbed_ha, last_detection_date)
    """,
    # Unlicensed: outside the contour or after the licence's expiry; the latest quarter is 2025-Q2.
    "fct_subsoil_detections": (
        """
        create table marts.fct_subsoil_detections (detection_quarter varchar, compliance_category varchar,
            disturbed_area_ha decimal(18, 4),
            is_unlicensed boolean generated always as (compliance_category in ('outside_contour',
                'after_licence_expiry')))
    """,
        "insert into marts.fct_subsoil_detections (detection_quarter, compliance_category, "
        "disturbed_area_ha) values (?, ?, ?)",
        SUBSOIL,
    ),
    # Digital Family Map: the whole country ('KZ') in May and June 2025, 1,000 families each month (D+E:
    # 10% then 12%); region 75 with two suppressed cells, which the section must not count.
    "mart_family_wellbeing": """
        create table marts.mart_family_wellbeing as
        select month::date as month, region_kato_2digit, level, families::bigint as families,
            members::hugeint as members, children::hugeint as children,
            share_of_families::decimal(7, 4) as share_of_families, is_suppressed
        from (values
            ('2025-05-01', 'KZ', 'A', 400, 1200, 400, 0.40, false),
            ('2025-05-01', 'KZ', 'B', 300, 1000, 350, 0.30, false),
            ('2025-05-01', 'KZ', 'C', 200, 800, 300, 0.20, false),
            ('2025-05-01', 'KZ', 'D', 80, 400, 200, 0.08, false),
            ('2025-05-01', 'KZ', 'E', 20, 120, 60, 0.02, false),
            ('2025-06-01', 'KZ', 'A', 380, 1150, 390, 0.38, false),
            ('2025-06-01', 'KZ', 'B', 300, 1000, 350, 0.30, false),
            ('2025-06-01', 'KZ', 'C', 200, 800, 300, 0.20, false),
            ('2025-06-01', 'KZ', 'D', 90, 450, 220, 0.09, false),
            ('2025-06-01', 'KZ', 'E', 30, 170, 90, 0.03, false),
            ('2025-06-01', '75', 'A', 200, 600, 200, 0.5013, false),
            ('2025-06-01', '75', 'B', 150, 500, 170, 0.3759, false),
            ('2025-06-01', '75', 'C', 49, 190, 80, 0.1228, false),
            ('2025-06-01', '75', 'D', null, null, null, null, true),
            ('2025-06-01', '75', 'E', null, null, null, null, true)
        ) as t(month, region_kato_2digit, level, families, members, children, share_of_families,
               is_suppressed)
    """,
    # Childbirth: 220 offers, 160 paid over two months; large family: 40 offers, 25 paid, its declined and
    # unanswered cells withheld. Region 75's row is not the country's and must not be summed.
    "mart_proactive_services": """
        create table marts.mart_proactive_services as
        select month::date as month, region_kato_2digit, benefit_type, offers::bigint as offers,
            accepted::bigint as accepted, declined::bigint as declined, unanswered::bigint as unanswered,
            paid::bigint as paid, uptake_rate::decimal(7, 4) as uptake_rate,
            median_days_offer_to_payment::decimal(9, 2) as median_days_offer_to_payment,
            qualified_not_offered::bigint as qualified_not_offered, is_suppressed
        from (values
            ('2025-05-01', 'KZ', 'CHILDBIRTH', 100, 80, 10, 10, 75, 0.75, 6.0, 12, false),
            ('2025-06-01', 'KZ', 'CHILDBIRTH', 120, 90, 15, 15, 85, 0.7083, 8.0, null, true),
            ('2025-06-01', 'KZ', 'LARGE_FAMILY', 40, 30, null, null, 25, 0.625, 10.0, 0, true),
            ('2025-06-01', '75', 'CHILDBIRTH', 999, 999, 0, 0, 999, 1.0, 1.0, 0, false)
        ) as t(month, region_kato_2digit, benefit_type, offers, accepted, declined, unanswered, paid,
               uptake_rate, median_days_offer_to_payment, qualified_not_offered, is_suppressed)
    """,
    "mart_family_reconciliation": """
        create table marts.mart_family_reconciliation as
        select as_of::date as as_of, measure, published_value::bigint as published_value,
            warehouse_value::bigint as warehouse_value, 1000 as scale_factor,
            warehouse_value::bigint * 1000 as warehouse_value_scaled,
            difference_pct::decimal(9, 2) as difference_pct, 'medium' as confidence,
            'https://example.org/family' as source_url
        from (values
            ('2022-09-01', 'families_covered', 6000000, null, null),
            ('2023-01-01', 'families_covered', 6300000, 6100, -3.17),
            ('2023-01-01', 'people_covered', 19500000, 19800, 1.54)
        ) as t(as_of, measure, published_value, warehouse_value, difference_pct)
    """,
    "mart_commitment_progress": """
        create table marts.mart_commitment_progress as
        select * from (values
            ('cm_trade', 'Raise turnover to USD 2 billion', 'trade_turnover_usd', 'USD per year', 2e9, 1.35e9,
             date '2025-06-30', 67.5, 1.2e9, 'on track', date '2030-12-31', true, date '2023-08-26',
             'State visit', 'https://example.org/visit', null),
            ('cm_platform', 'Share the digital-government platform', null, null, null, null, null, null, null,
             'no indicator', null, false, date '2023-08-26', 'Memorandum', null, null),
            ('cm_training', 'Train specialists', 'specialists_trained', 'people', 100.0, 20.0,
             date '2025-01-01', 20.0, 50.0, 'at risk', date '2026-12-31', false, date '2023-08-26',
             'Memorandum', null, null)
        ) as t(commitment_id, commitment_title, indicator, unit, target_value, measured_value, measured_date,
               progress_pct, path_value_at_measurement, status, deadline_date, deadline_is_assumed,
               made_at_event_date, made_at_event_title, source_url, status_note)
    """,
}

FEEDS = [
    {
        "feed": "comtrade_records",
        "last_loaded_at": NOW - timedelta(days=3),
        "last_status": "published",
        "rows": 1200,
        "check_passed": True,
    },
    {
        "feed": "eotinish_appeals",
        "last_loaded_at": (NOW - timedelta(days=5)).replace(tzinfo=None),
        "last_status": "published",
        "rows": 300,
        "check_passed": True,
    },  # 2-day interval: stale
    {
        "feed": "land_observations",
        "last_loaded_at": NOW - timedelta(days=30),
        "last_status": "published",
        "rows": 50,
        "check_passed": True,
    },
    {
        "feed": "bilateral",
        "last_loaded_at": NOW - timedelta(days=400),
        "last_status": "published",
        "rows": 10,
        "check_passed": True,
    },  # no expected interval: never stale
    {
        "feed": "trade_reference",
        "last_loaded_at": NOW - timedelta(days=1),
        "last_status": "rejected",
        "rows": 0,
        "check_passed": False,
    },
]


def make_serving_copy(path: Path, skip: tuple[str, ...] = (), empty: tuple[str, ...] = ()) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for name, sql in TABLES.items():
            if name in skip:
                continue
            if isinstance(sql, tuple):
                create, insert, values = sql
                con.execute(create)
                con.executemany(insert, values)
            else:
                con.execute(sql)
            if name in empty:
                con.execute(f"delete from marts.{name}")
        con.execute(
            "create table main.serving_info as "
            "select timestamp '2025-08-01 06:00:00' as published_at, ['marts.x'] as tables"
        )
    return path


class Resources(HTMLParser):
    """Every URL a browser would fetch by itself (not <a href>), and the ids of inline SVGs' elements."""

    def __init__(self):
        super().__init__()
        self.fetched: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attributes = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "embed", "video", "audio"):
            self.fetched.append(attributes.get("src") or "")
        if tag == "link":
            self.fetched.append(attributes.get("href") or "")
        if tag == "object":
            self.fetched.append(attributes.get("data") or "")


def section(html: str, key: str) -> str:
    return html.split(f'<section id="{key}">', 1)[1].split("</section>", 1)[0]


# Renders the whole report once (charts, three languages), ~10 s: the tests using it are marked slow.
@pytest.fixture(scope="module")
def full(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    serving = make_serving_copy(root / "serving.duckdb")
    docs = root / "data_docs" / "index.html"
    # validate_charts: a chart whose spec breaks the Vega-Lite schema is a problem (test_page_and_pngs).
    result = build_report(
        serving, root / "out", data_docs=docs, now=NOW, feed_status=FEEDS, validate_charts=True
    )
    return result, result.html.read_text(encoding="utf-8")


@pytest.mark.slow
def test_page_and_pngs(full):
    result, html = full
    assert result.problems == []
    assert result.empty_sections == []
    assert result.html == result.html.parent / "index.html" and result.html.exists()
    # One inline SVG per chart, and its PNG.
    assert sorted(result.pngs) == sorted(CHARTS)
    for name in CHARTS:
        assert "<svg" in section(html, name), name
        png = result.pngs[name]
        assert png == result.html.parent / "charts" / f"{name}.png"
        data = png.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 5000, name
        # Scale 2: the PNG is twice the SVG's own width (IHDR width, big-endian, at byte 16).
        width = int.from_bytes(data[16:20], "big")
        assert width > 400, name
    # Title, date, the main-figures box, notes; no temporary file left behind.
    assert "<h1>Kazakhstan–Tajikistan" in html and "1 August 2025" in html
    assert 'id="main-figures"' in html and 'id="notes"' in html
    assert not [p for p in result.html.parent.rglob("*.tmp")]
    # Links to the Data Docs relative to the page.
    assert 'href="../data_docs/index.html"' in html


@pytest.mark.slow
def test_self_contained(full):
    _, html = full
    parser = Resources()
    parser.feed(html)
    assert "script" not in parser.tags
    assert not [url for url in parser.fetched if re.match(r"(https?:)?//", url)], parser.fetched
    assert "@import" not in html and not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    # Source links are plain <a href> in the notes.
    assert '<a href="https://example.org/target">' in html.split('<footer id="notes">', 1)[1]
    # Each chart's SVG ids are prefixed, so clip paths do not clash between charts.
    ids = re.findall(r"<svg[^>]*>.*?</svg>", html, re.S)
    all_ids = [i for svg in ids for i in re.findall(r'\bid="([^"]+)"', svg)]
    assert len(all_ids) == len(set(all_ids))


@pytest.mark.slow
def test_main_figures_match_the_tables(full):
    result, html = full
    figures = result.main_figures
    # Trade: straight from the target-progress mart.
    assert figures["turnover_12m_kz_musd"] == 1350.0
    assert figures["turnover_12m_tj_musd"] == 1280.0
    assert figures["target_progress_pct"] == 67.5
    assert figures["trend_reaches_target_year"] == 2034
    assert figures["target_deadline_year"] == 2030 and figures["target_deadline_is_assumed"] is True
    # The versions of the target: the Roadmap's closed year, the 2027 straight path and trend.
    assert figures["target_judged_verdict"] == "missed" and figures["target_judged_year"] == 2025
    assert figures["target_judged_musd"] == 1445.0 and figures["target_judged_pct"] == 72.25
    assert figures["target_projected_year"] == 2027 and figures["target_projected_on_path"] is False
    assert figures["target_projected_path_musd"] == 1560.0
    assert figures["target_projected_latest_musd"] == 1445.0
    assert figures["target_projected_trend_musd"] == 1490.7
    versions = section(html, "turnover")
    assert "missed: USD 1,445 million in 2025, 72% of the target" in versions
    assert "USD 1,445 million in 2025 against USD 1,560 million on the straight path" in versions
    assert "USD 1,491 million in 2027, 75% of the target" in versions
    assert "USD 2,000 M, no deadline stated" in versions
    # Appeals: every row counts overall, also the agency with too few answers to be ranked.
    answered = sum(a for _, _, a, _ in APPEALS)
    on_time = sum(o for _, _, _, o in APPEALS)
    assert figures["appeals_answered"] == answered
    assert figures["appeals_on_time_pct"] == round(on_time / answered * 100, 1)
    # Land: the latest season with anything observed.
    latest = [row for row in LAND if row[2] == "2024-AUTUMN"]
    unused, observed = sum(r[4] for r in latest), sum(r[3] for r in latest)
    assert figures["land_season"] == "2024-AUTUMN"
    assert figures["unused_land_ha"] == round(unused)
    assert figures["unused_land_share_pct"] == round(unused / observed * 100, 1)
    # Subsoil: unlicensed = outside the contour + after the licence's expiry, over the quarters
    # detected and in the latest one.
    assert figures["subsoil_period"] == "2025-Q1..2025-Q2"
    assert figures["subsoil_detections_outside_contour"] == 3
    assert figures["subsoil_detections_after_licence_expiry"] == 2
    assert figures["subsoil_detections_unlicensed"] == 5
    assert figures["subsoil_latest_quarter"] == "2025-Q2"
    assert figures["subsoil_latest_quarter_unlicensed"] == 2
    assert figures["subsoil_licences_unlicensed"] == 2
    assert figures["subsoil_repeat_offenders"] == 1
    assert figures["commitments_by_status"] == {"on track": 1, "no indicator": 1, "at risk": 1}
    # Mirror gap and commodity mix of the latest full year.
    assert figures["mirror_gap_year"] == 2024
    assert figures["mirror_gap_pct"] == {"Kazakhstan → Tajikistan": 5.0, "Tajikistan → Kazakhstan": -10.0}
    assert figures["top_chapter_exports"] == {"year": 2024, "chapter": "HS 10 Cereals", "share_pct": 60.0}
    assert figures["top_chapter_imports"] == {
        "year": 2024,
        "chapter": "HS 26 Ores, slag and ash",
        "share_pct": 62.5,
    }
    # The takeaways say the same.
    assert "USD 1,350 million" in section(html, "turnover")
    assert "only in 2034, after the assumed 2030 deadline" in section(html, "turnover")
    assert f"{on_time / answered * 100:.1f}% of {answered} answers" in section(html, "appeals_regions")
    # Agency 3 (5 answers) is below the threshold: not ranked.
    assert "Small office" not in section(html, "appeals_agencies")
    assert "Of the 2 agencies" in section(html, "appeals_agencies")
    assert "1,500 ha" in section(html, "unused_land") and "250 ha" in section(html, "unused_land")
    assert (
        "Subsoil use, Q1 2025 to Q2 2025: 5 of 7 detected workings were unlicensed, 3 outside the "
        "licensed contour and 2 after the licence had expired"
    ) in section(html, "unused_land")
    assert "in the latest quarter, Q2 2025, 2 (1 outside, 1 after expiry)" in section(html, "unused_land")
    assert "Share the digital-government platform" in section(html, "commitments")
    assert result.figures_markdown().startswith("| figure | value |")


@pytest.mark.slow
def test_family_map_section(full):
    """The Digital Family Map: the country's rows only, suppressed cells left out and the rule stated,
    uptake by benefit, coverage beside the published figures."""
    result, html = full
    figures = result.main_figures
    assert figures["family_month"] == "2025-06" and figures["family_families"] == 1000
    assert figures["family_crisis_share_pct"] == 12.0 and figures["family_crisis_families"] == 120
    assert figures["proactive_offers"] == 260 and figures["proactive_paid"] == 185
    assert figures["proactive_uptake_pct"] == 71.2
    family = section(html, "family_levels")
    assert "<svg" in family
    assert (
        "In June 2025, 12.0% of the 1,000 families in the map were at level D or E (crisis or "
        "emergency): 120 families, against 10.0% in May 2025; of 260 proactive offers of benefits "
        "(May to June 2025), 185 were paid (71.2%)."
    ) in family
    assert "Cells of fewer than 10 families are not published" in family
    assert "2 of 15 cells (region, month and level) are withheld." in family
    rows = {
        re.search(r"<td>([^<]+)</td>", row).group(1): re.findall(r"<td>([^<]*)</td>", row)
        for row in re.findall(r"<tr[^>]*>.*?</tr>", family, re.S)
        if "<td>" in row
    }
    assert rows["childbirth"] == ["childbirth", "220", "170", "25", "25", "160", "72.7%", "7.1", "12"]
    assert rows["large family"] == ["large family", "40", "30", "–", "–", "25", "62.5%", "10.0", "0"]
    # Coverage: the bundled set is 1/1000 of the country.
    assert "6,300,000" in family and "6,100,000" in family and "-3.2%" in family
    assert "1/1,000 of the country" in family
    value, context = cards(html)["Families at level D or E (crisis, emergency)"]
    assert value == "12.0%"
    assert context == (
        "June 2025: 120 of 1,000 families in the Digital Family Map; 71.2% of proactive offers paid"
    )


def test_family_map_without_its_optional_marts(tmp_path):
    """Without the proactive-services and reconciliation marts the section still shows the levels;
    without the well-being mart it says 'no data', and the rest of the report is drawn."""
    serving = make_serving_copy(
        tmp_path / "serving.duckdb", skip=("mart_proactive_services", "mart_family_reconciliation")
    )
    result = build_report(serving, tmp_path / "out", now=NOW, languages=("en",))
    family = section(result.html.read_text(encoding="utf-8"), "family_levels")
    assert result.problems == [] and "family_levels" not in result.empty_sections
    assert "120 families" in family and "<table>" not in family and "proactive offers" not in family
    serving = make_serving_copy(tmp_path / "bare.duckdb", skip=("mart_family_wellbeing",))
    result = build_report(serving, tmp_path / "bare", now=NOW, languages=("en",))
    assert result.problems == [] and result.empty_sections == ["family_levels"]
    assert "No data: marts.mart_family_wellbeing is not in the serving copy." in section(
        result.html.read_text(encoding="utf-8"), "family_levels"
    )
    assert "family_crisis_share_pct" not in result.main_figures


def test_family_map_with_a_level_of_the_country_withheld(tmp_path):
    """A level of the whole country under the disclosure threshold (and its complement) is
    withheld: the section says the crisis figure is withheld instead of summing the published
    levels alone (which understated it, and failed on the withheld shares), and it draws the rest."""
    serving = make_serving_copy(tmp_path / "serving.duckdb")
    with duckdb.connect(str(serving)) as con:
        con.execute(
            "update marts.mart_family_wellbeing set families = null, members = null, children = null, "
            "share_of_families = null, is_suppressed = true "
            "where region_kato_2digit = 'KZ' and month = '2025-06-01' and level in ('D', 'E')"
        )
    result = build_report(serving, tmp_path / "out", now=NOW, languages=("en", "ru"))
    assert result.problems == []
    family = section(result.html.read_text(encoding="utf-8"), "family_levels")
    assert "June 2025: the families at level D or E (crisis or emergency) are withheld" in family
    assert "no cell under 10 families" in family and "<svg" in family
    assert result.main_figures["family_crisis_share_pct"] is None


def cards(html: str) -> dict[str, tuple[str, str]]:
    """The main-figures box: label -> (value, context)."""
    return {
        label: (value, context)
        for label, value, context in re.findall(
            r'<div class="label">([^<]*)</div>\s*<div class="value">([^<]*)</div>\s*'
            r'<div class="context">([^<]*)</div>',
            html,
        )
    }


@pytest.mark.slow
def test_subsoil_tile_names_its_period_and_the_latest_quarter(full):
    """The total is over every quarter detected, so the tile says which, gives the latest quarter
    beside it, and counts work after a licence's expiry as unlicensed beside work outside the
    contour."""
    _, html = full
    value, context = cards(html)["Unlicensed subsoil workings"]
    assert value == "5"
    assert context == (
        "Q1 2025 to Q2 2025: 3 outside licensed contours, 2 after the licence expired; "
        "Q2 2025 alone: 2 (1 outside, 1 after expiry)"
    )


@pytest.mark.slow
def test_stale_and_failed_feeds_are_highlighted(full):
    result, html = full
    assert FEED_MAX_AGE["appeals"] == timedelta(days=2) and FEED_MAX_AGE["bilateral"] is None
    assert result.main_figures["stale_feeds"] == ["eotinish_appeals"]
    assert result.main_figures["failed_feeds"] == ["trade_reference"]
    table = section(html, "freshness")
    rows = {
        re.search(r"<td>([^<]+)</td>", row).group(1): row
        for row in re.findall(r"<tr[^>]*>.*?</tr>", table, re.S)
        if "<td>" in row
    }
    assert 'class="stale"' in rows["eotinish_appeals"] and "STALE" in rows["eotinish_appeals"]
    assert 'class="failed"' in rows["trade_reference"]
    for fresh in ("comtrade_records", "land_observations", "bilateral"):
        assert "class=" not in rows[fresh].split(">", 1)[0], fresh
    assert "1 of 5 feeds is stale (eotinish_appeals)" in table


@pytest.mark.slow
def test_missing_and_empty_tables_say_no_data(tmp_path, full):
    serving = make_serving_copy(
        tmp_path / "serving.duckdb",
        skip=("mart_land_utilization", "dim_agency"),
        empty=("mart_commitment_progress",),
    )
    out = tmp_path / "out"
    # A picture left from an earlier run must go when its chart has no data now.
    (out / "charts").mkdir(parents=True)
    (out / "charts" / "unused_land.png").write_bytes(b"old")
    result = build_report(serving, out, now=NOW)
    html = result.html.read_text(encoding="utf-8")
    assert result.problems == []
    assert sorted(result.empty_sections) == ["commitments", "unused_land"]
    land = section(html, "unused_land")
    assert "No data: marts.mart_land_utilization is not in the serving copy." in land and "<svg" not in land
    assert "No data" in section(html, "commitments") and "<svg" not in section(html, "commitments")
    assert not (out / "charts" / "unused_land.png").exists()
    assert "unused_land_ha" not in result.main_figures
    # Without dim_agency the agencies are named by their id.
    assert "Organisation 1" in section(html, "appeals_agencies")
    # Without feed_status the freshness section says so, and still shows what the copy holds.
    freshness = section(html, "freshness")
    assert "was not available" in freshness and "2025-06" in freshness


def test_a_chart_breaking_the_vega_lite_schema_is_a_problem_when_validated(tmp_path, monkeypatch):
    """validate_charts runs Altair's schema validation on every chart (the tests' `full` report):
    a spec Vega-Lite does not know is a problem of the report, not drawn. Without it (a build),
    Vega draws what it can."""
    import altair as alt

    from report import render
    from report.sections import Content, Spec

    def broken(ctx):
        chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_point().encode(x="a:Q")
        chart.mark = {"type": "point", "no_such_property": 1}  # set after Altair's own checks
        return Content(takeaway="", chart=chart)

    monkeypatch.setattr(render, "SPECS", [Spec("broken", "Broken", (), broken)])
    serving = make_serving_copy(tmp_path / "serving.duckdb")
    checked = build_report(serving, tmp_path / "checked", now=NOW, languages=("en",), validate_charts=True)
    assert len(checked.problems) == 1 and "broken chart (en): SchemaValidationError" in checked.problems[0]
    assert checked.pngs == {}
    unchecked = build_report(serving, tmp_path / "unchecked", now=NOW, languages=("en",))
    assert unchecked.problems == [] and list(unchecked.pngs) == ["broken"]


def test_charts_that_could_not_be_drawn_are_problems_and_the_pages_are_written(tmp_path, monkeypatch):
    """Drawing processes that end without drawing: every chart is a problem naming why, no PNG
    is written, and the page is written with its sections' text."""
    import sys

    from report.drawing import _Helper

    monkeypatch.setattr(_Helper, "command", [sys.executable, "-c", "import sys; sys.stdin.readline()"])
    serving = make_serving_copy(tmp_path / "serving.duckdb")
    result = build_report(serving, tmp_path / "out", now=NOW, languages=("en",))
    assert result.problems and result.pngs == {}
    assert all("chart (en): the drawing process ended (exit code 0)" in p for p in result.problems)
    assert "<svg" not in result.html.read_text(encoding="utf-8")


def test_no_serving_copy_at_all(tmp_path):
    result = build_report(tmp_path / "missing.duckdb", tmp_path / "out", now=NOW)
    html = result.html.read_text(encoding="utf-8")
    assert result.pngs == {} and result.problems == []
    assert set(result.empty_sections) == set(CHARTS)
    assert html.count("No data") >= len(CHARTS)


def test_feed_status_from_the_load_bookkeeping(tmp_path):
    """meta.loads -> feed_status: the last publishing load's time and rows, the last load's outcome."""
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute(META_DDL)
        con.executemany(
            "insert into meta.loads (load_id, feed, status, rows_published, started_at, finished_at) "
            "values (?, ?, ?, ?, ?::timestamp - interval 1 minute, ?::timestamp)",
            [
                (load_id, feed, status, rows, at, at)
                for load_id, feed, status, rows, at in [
                    ("a1", "eotinish_appeals", "published", 30, "2025-07-20 10:00:00"),
                    ("a2", "eotinish_appeals", "published", 40, "2025-07-27 10:00:00"),
                    ("a3", "eotinish_appeals", "unchanged", 0, "2025-07-31 10:00:00"),
                    ("t1/2025-05-01", "comtrade_records", "published", 200, "2025-07-30 10:00:00"),
                    ("t1/2025-06-01", "comtrade_records", "published", 300, "2025-07-30 10:00:01"),
                    # one load of two months: the first rejected, the last published
                    ("t2/2025-06-01", "comtrade_records", "rejected", 0, "2025-07-31 10:00:00"),
                    ("t2/2025-07-01", "comtrade_records", "published", 100, "2025-07-31 10:00:01"),
                    ("b1", "bilateral", "failed", None, "2025-07-31 10:00:00"),
                ]
            ],
        )
        status = {row["feed"]: row for row in feed_status_from_loads(con)}
    assert status["eotinish_appeals"] == {
        "feed": "eotinish_appeals",
        "last_loaded_at": "2025-07-27T10:00:00",
        "last_status": "unchanged",
        "rows": 40,
        "check_passed": True,
    }
    assert status["comtrade_records"]["last_status"] == "rejected"
    assert status["comtrade_records"]["check_passed"] is False
    assert status["comtrade_records"]["last_loaded_at"] == "2025-07-31T10:00:01"
    assert status["comtrade_records"]["rows"] == 100
    assert status["bilateral"]["last_loaded_at"] is None and status["bilateral"]["check_passed"] is None
    # Passed on to the report: appeals last published 5 days before NOW, so stale; trade failed.
    result = build_report(
        tmp_path / "missing.duckdb", tmp_path / "out", now=NOW, feed_status=list(status.values())
    )
    assert result.main_figures["stale_feeds"] == ["eotinish_appeals"]
    assert result.main_figures["failed_feeds"] == ["bilateral", "comtrade_records"]


# --- the pages in Russian and Kazakh ------------------------------------------------------------------


def visible_text(html: str) -> str:
    html = re.sub(r"<(style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def figures_and_takeaways(html: str) -> tuple[list[str], list[str]]:
    cards = [
        unescape(f"{value} | {context}")
        for value, context in re.findall(
            r'<div class="value">([^<]*)</div>\s*<div class="context">([^<]*)</div>', html
        )
    ]
    return cards, [unescape(t) for t in re.findall(r'<p class="takeaway">(.*?)</p>', html, re.S)]


@pytest.fixture(scope="module")
def pages(full):
    result, _ = full
    return {lang: path.read_text(encoding="utf-8") for lang, path in result.pages.items()}


@pytest.mark.slow
def test_a_page_per_language_with_links_to_the_others(full, pages):
    result, _ = full
    out = result.html.parent
    assert result.pages == {
        "en": out / "index.html",
        "ru": out / "ru" / "index.html",
        "kk": out / "kk" / "index.html",
    }
    links = {
        "en": {"ru": "ru/index.html", "kk": "kk/index.html"},
        "ru": {"en": "../index.html", "kk": "../kk/index.html"},
        "kk": {"en": "../index.html", "ru": "../ru/index.html"},
    }
    for lang, html in pages.items():
        assert f'<html lang="{lang}">' in html
        found = dict((code, href) for href, code in re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', html))
        assert found == links[lang], lang
        for href in found.values():
            assert (result.pages[lang].parent / href).resolve().is_file()
        # Each page has its own charts, the PNGs beside it, the Data Docs linked from where it is.
        for name in CHARTS:
            png = result.pages[lang].parent / "charts" / f"{name}.png"
            assert png.read_bytes().startswith(PNG_SIGNATURE), (lang, name)
            assert "<svg" in section(html, name), (lang, name)
        docs = "../data_docs/index.html" if lang == "en" else "../../data_docs/index.html"
        assert f'href="{docs}"' in html, lang


@pytest.mark.slow
def test_every_page_shows_the_english_figures(pages):
    """The numbers of each card and takeaway, read back in the page's locale with Babel, are the
    English page's."""
    english_cards, english_takeaways = figures_and_takeaways(pages["en"])
    assert len(english_cards) == 11 and len(english_takeaways) == 9
    for lang in ("ru", "kk"):
        cards, takeaways = figures_and_takeaways(pages[lang])
        assert same_figures(english_cards, cards, lang) == []
        assert same_figures(english_takeaways, takeaways, lang) == []
    # The comparison does see a wrong figure.
    assert same_figures(["USD 1,350 M"], ["1\xa0305 млн долл. США"], "ru") != []


@pytest.mark.slow
def test_numbers_dates_and_names_in_the_page_language(pages):
    ru, kk = visible_text(pages["ru"]), visible_text(pages["kk"])
    # A no-break space between thousands and a decimal comma; months in the language.
    assert "1\xa0350 млн долларов США" in section(pages["ru"], "turnover")
    assert "91,4\xa0%" in ru and "91,4%" in kk  # CLDR: a space before % in Russian, none in Kazakh
    # (CLDR's date patterns hold narrow no-break spaces: '2025\u202fг.'.)
    ru_words, kk_words = (re.sub("[\xa0\u202f]", " ", text) for text in (ru, kk))
    assert "1 августа 2025 г." in ru_words and "2025 ж. 1 тамыз" in kk_words
    assert "июль 2024 г. — июнь 2025 г." in ru_words and "2024 ж. шілде – 2025 ж. маусым" in kk_words
    # Regions from KATO (dim_region.name_ru); agencies from the catalogue with the region put in.
    assert "г.Астана" in section(pages["ru"], "appeals_regions")
    assert "Astana (city)" not in ru and "Almaty (city)" not in ru
    assert "г.Алматы: акимат" in ru and "Министерство юстиции" in ru
    assert "г.Алматы: әкімдік" in kk and "Әділет министрлігі" in kk
    # Only the Kazakh page says that names are in Russian.
    assert 'id="names-note"' in pages["kk"] and "орыс тілінде" in kk
    assert 'id="names-note"' not in pages["ru"] and 'id="names-note"' not in pages["en"]
    # No English left in the template's or the sections' own text.
    for english in (
        "Main figures",
        "Notes and sources",
        "The chart as a PNG image",
        "Report of",
        "answered on time",
        "Kazakhstan's statistics",
        " million",
    ):
        assert english not in ru and english not in kk, english


def test_catalogues_translate_every_message():
    """Every message of the code and template has a Russian and a Kazakh translation (not fuzzy),
    with the same placeholders: `python -m report.catalogue` lists what is missing."""
    from babel.messages.pofile import read_po

    from report.catalogue import extract, untranslated
    from report.i18n import po_path

    messages = {m.id for m in extract() if m.id}
    assert len(messages) > 200

    def placeholders(text: str) -> set[str]:
        return set(re.findall(r"\{\w*\}|%\(\w+\)s", text))

    for lang in ("ru", "kk"):
        with po_path(lang).open("rb") as po:
            catalog = read_po(po, locale=lang)
        assert {m.id for m in catalog if m.id} >= messages, lang
        assert untranslated(catalog) == [], lang
        for message in catalog:
            if not message.id:
                continue
            source = message.id if isinstance(message.id, str) else message.id[1]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in strings:
                assert placeholders(text) == placeholders(source), (lang, message.id, text)
    assert not list((po_path("ru").parent).glob("*.mo")), "the .mo files are compiled at build time"


def test_cyrillic_is_drawn_in_the_png_charts():
    """The charts' font draws Cyrillic and Kazakh letters: two different words give two different
    PNGs. A font without them draws each letter as the same missing-glyph box (or nothing), so the
    two PNGs are identical: the control with a font that does not exist shows the test can fail."""
    import hashlib

    import altair as alt
    import vl_convert

    from report import charts

    def png(title: str, font: str | None = None) -> str:
        chart = charts.configure(
            alt.Chart(alt.Data(values=[{"a": 1}])).mark_point().encode(x="a:Q").properties(title=title)
        )
        spec = chart.to_dict()
        if font:
            spec["config"]["font"] = font
        # As report/render.py draws them: the PNG from the chart's SVG.
        return hashlib.sha256(vl_convert.svg_to_png(vl_convert.vegalite_to_svg(spec))).hexdigest()

    assert png("ЖЖЖ қққ") != png("ШШШ әәә")
    assert png("ЖЖЖ қққ", "NoSuchFont") == png("ШШШ әәә", "NoSuchFont")


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_the_turnover_card_names_tajikistans_months_when_they_differ(lang):
    """Each side's latest 12 months end when its own statistics do: Tajikistan's figure beside
    Kazakhstan's names its months when they are not Kazakhstan's."""
    from report import i18n
    from report.render import _cards

    figures = {
        "turnover_12m_kz_musd": 1445.0,
        "turnover_12m_period": "2025-01..2025-12",
        "turnover_12m_tj_musd": 1400.0,
    }
    with i18n.active(lang):
        same = _cards({**figures, "turnover_12m_tj_period": "2025-01..2025-12"})[0]["context"]
        lagging = _cards({**figures, "turnover_12m_tj_period": "2024-10..2025-09"})[0]["context"]
        october = i18n.month_name("2024-10")
    assert october not in same
    assert october in lagging and lagging != same
