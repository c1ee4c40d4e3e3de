"""Every page the warehouse writes, opened as a person would open the file, without the internet:
the report, dbt's docs, the Great Expectations Data Docs index and one validation page, in
Debian's headless chromium driven by Playwright, with every request that is not for a local file
blocked (and counted: a page that needed one fails), and no script error.

The warehouse is the session's bundled test build (conftest's built_bundled_warehouse, shared with
tests/test_warehouse_integration.py); PAGES_WAREHOUSE_DIR=warehouse
uses an already built one instead (`make warehouse`). Screenshots go to tests/artifacts/pages/ (or
PAGES_ARTIFACTS_DIR). Without /usr/bin/chromium the tests are skipped, except under CI."""

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from report_figures import same_figures
from ui_support import CHROMIUM, launch_chromium

from ingest.settings import REPO_ROOT

pytestmark = [
    pytest.mark.ui,
    pytest.mark.integration,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason=f"no {CHROMIUM} (apt-get install chromium; .ci/run installs it)",
    ),
]

ARTIFACTS = Path(os.environ.get("PAGES_ARTIFACTS_DIR", REPO_ROOT / "tests" / "artifacts" / "pages"))
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def warehouse(request) -> Path:
    """The warehouse folder holding the pages: the session's bundled test build (or an already
    built one, PAGES_WAREHOUSE_DIR=warehouse)."""
    if os.environ.get("PAGES_WAREHOUSE_DIR"):
        return Path(os.environ["PAGES_WAREHOUSE_DIR"]).resolve()
    paths, _, result, _ = request.getfixturevalue("built_bundled_warehouse")
    assert result.success
    return paths.root


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


class OfflinePage:
    """A tab where only file:// requests go through: the others are aborted and listed, as are
    local files that fail to load and script errors."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.context.route(re.compile(r"^(?!file:|data:|blob:|about:)"), self._block)
        self.page = self.context.new_page()
        self.pending: set = set()
        self.page.on("request", lambda request: self.pending.add(request))
        self.page.on("requestfinished", lambda request: self.pending.discard(request))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _request_failed(self, request):
        self.pending.discard(request)
        if request.url.startswith("file:"):
            self.failed.append(f"{request.url}: {request.failure}")

    def wait_until_quiet(self, quiet_ms: int = 500) -> None:
        """Until no request has been pending for `quiet_ms` (the page has asked for everything it
        will ask for). Playwright's "networkidle" is not used: on the Data Docs index, Chromium
        never reported it although every request had ended within a second."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        quiet_since = None
        while time.monotonic() < deadline:
            if self.pending:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_ms / 1000:
                return
            self.page.wait_for_timeout(100)
        pytest.fail(f"requests still pending after {TIMEOUT_MS} ms: {[r.url for r in self.pending]}")

    def _block(self, route):
        self.blocked.append(route.request.url)
        route.abort("internetdisconnected")

    def open(self, path: Path) -> Page:
        assert path.is_file(), path
        self.page.goto(path.as_uri(), wait_until="load")
        return self.page

    def assert_self_contained(self, name: str, harmless: re.Pattern | None = None) -> None:
        """No request left the local files, none of those failed (but the `harmless`), no script
        error; a screenshot of the page either way."""
        self.wait_until_quiet()
        self.page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
        failed = sorted({f for f in self.failed if not (harmless and harmless.search(f))})
        assert sorted(set(self.blocked)) == [], f"{name} asked the internet for them"
        assert failed == [], f"{name}: local files failed to load"
        assert self.errors == [], f"{name}: script errors"


@pytest.fixture
def tab(browser):
    tab = OfflinePage(browser)
    yield tab
    tab.context.close()


def styled_by_bootstrap(page: Page) -> bool:
    return "Segoe UI" in page.evaluate("getComputedStyle(document.body).fontFamily")


REPORT_PAGES = {"en": Path("index.html"), "ru": Path("ru") / "index.html", "kk": Path("kk") / "index.html"}
SCREENSHOTS = {"en": "01-report", "ru": "01-report-ru", "kk": "01-report-kk"}


def report_texts(page: Page) -> tuple[list[str], list[str]]:
    """The main-figures cards (value and context) and the sections' takeaways, as shown."""
    cards = page.locator("#main-figures .card").evaluate_all(
        "cards => cards.map(c => c.querySelector('.value').innerText + ' | ' + "
        "c.querySelector('.context').innerText)"
    )
    takeaways = page.locator("p.takeaway").all_inner_texts()
    return cards, takeaways


# Widths of the same run of different Cyrillic letters, in the font of each chart's text: one
# width for all would mean the font has none of them (each drawn as the same missing-glyph box).
CYRILLIC_WIDTHS = """els => {
    const cyrillic = els.filter(e => /[\u0400-\u04ff]/.test(e.textContent));
    const context = document.createElement('canvas').getContext('2d');
    return cyrillic.slice(0, 20).map(e => {
        const style = getComputedStyle(e);
        context.font = style.fontSize + ' ' + style.fontFamily;
        return ['ЖЖЖЖЖ', 'іііііі'.slice(0, 5), 'қққққ', 'ӘӘӘӘӘ'].map(t => context.measureText(t).width);
    });
}"""


@pytest.mark.parametrize("lang", list(REPORT_PAGES))
def test_report(tab, warehouse, lang):
    """Each language's page: its sections and charts, the same figures as the English page, the
    links to the other languages, Cyrillic drawn in the charts."""
    report = warehouse / "report"
    page = tab.open(report / REPORT_PAGES[lang])
    assert page.locator("html").get_attribute("lang") == lang
    expect(page.locator("h1").first).to_be_visible()
    sections = page.locator("h2")
    assert sections.count() >= 5
    charts = page.locator("svg, img")
    assert charts.count() >= 5
    expect(charts.first).to_be_visible()
    cards, takeaways = report_texts(page)
    assert len(cards) >= 5 and len(takeaways) >= 5
    tab.assert_self_contained(SCREENSHOTS[lang])
    if lang != "en":
        # The figures: every number of each card and takeaway, read in the page's locale, equals
        # the English page's (as a multiset: a sentence may put them in another order).
        english = tab.open(report / REPORT_PAGES["en"])
        english_cards, english_takeaways = report_texts(english)
        assert same_figures(english_cards, cards, lang) == []
        assert same_figures(english_takeaways, takeaways, lang) == []
        page = tab.open(report / REPORT_PAGES[lang])
        texts = page.locator("svg text").evaluate_all(CYRILLIC_WIDTHS)
        assert texts, f"{lang}: no Cyrillic text in the charts"
        for widths in texts:
            assert len(set(widths)) == len(widths), f"{lang}: Cyrillic letters drawn as missing glyphs"
    if lang == "kk":
        expect(page.locator("#names-note")).to_contain_text("орыс тілінде")
    # The links to the other languages lead to their pages.
    for other, path in REPORT_PAGES.items():
        if other == lang:
            continue
        page = tab.open(report / REPORT_PAGES[lang])
        page.locator(f"nav.languages a[hreflang='{other}']").click()
        page.wait_for_load_state("load")
        assert page.url == (report / path).as_uri()
        assert page.locator("html").get_attribute("lang") == other
        expect(page.locator("h1").first).to_be_visible()


# dbt's page asks for files that are not there whatever the network: images whose address is an
# Angular binding not yet filled in ("{{ getIcon(...) }}"), a favicon address left as a template
# ("${require(...)}"), and its usage-tracking script, a protocol-relative address ("//d1fc...")
# that is no address at all from a file. Nothing is missing from the page for them.
DBT_DOCS_HARMLESS = re.compile(r"%7B%7B|\$%7Brequire|^file://[^/]+\.cloudfront\.net/")


def test_dbt_docs(tab, warehouse):
    page = tab.open(warehouse / "dbt_docs" / "index.html")
    # The model tree of the sidebar, then one model's page with its columns.
    expect(page.get_by_text("Projects", exact=True).first).to_be_visible()
    page.goto(
        (warehouse / "dbt_docs" / "index.html").as_uri()
        + "#!/model/model.kz_tj_warehouse.mart_trade_target_progress"
    )
    expect(page.get_by_text("mart_trade_target_progress").first).to_be_visible()
    expect(page.get_by_text("progress_rolling_12m_pct").first).to_be_visible()
    tab.assert_self_contained("02-dbt-docs", harmless=DBT_DOCS_HARMLESS)


def validation_pages(warehouse: Path) -> list[Path]:
    return sorted((warehouse / "data_docs" / "validations").rglob("*.html"))


def test_data_docs_index_lists_every_validation_with_its_status(tab, warehouse):
    pages = validation_pages(warehouse)
    assert len(pages) >= 10
    page = tab.open(warehouse / "data_docs" / "index.html")
    assert styled_by_bootstrap(page)
    expect(page.locator("img[alt='Great Expectations']").first).to_be_visible()
    # bootstrap-table fills the list in: "Showing 1 to 10 of N rows", N every validation run.
    info = page.locator(
        ".ge-index-page-validation-results-table-container .pagination-info, .pagination-info"
    ).first
    expect(info).to_contain_text(re.compile(rf"of {len(pages)} rows"))
    rows = page.locator("table.ge-index-page-validation-results-table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 10
    # Each run's status, as an icon of Font Awesome's (the vendored web font, loaded).
    statuses = rows.locator("i.ge-success-icon, i.ge-failed-icon")
    assert statuses.count() == rows.count()
    expect(statuses.first).to_be_visible()
    assert page.evaluate("""[...document.fonts].some(
        f => f.family.includes('Font Awesome') && f.status === 'loaded')""")
    tab.assert_self_contained("03-data-docs-index")


def test_a_validation_page_shows_its_expectations(tab, warehouse):
    pages = validation_pages(warehouse)
    shown = next((p for p in pages if "comtrade_records" in p.name), pages[0])
    page = tab.open(shown)
    assert styled_by_bootstrap(page)
    expect(page.get_by_text("Overview").first).to_be_visible()
    expect(page.get_by_text("Evaluated Expectations").first).to_be_visible()
    expect(page.locator("table").nth(1)).to_be_visible()
    assert page.locator("table tbody tr").count() >= 5
    tab.assert_self_contained("04-data-docs-validation")
