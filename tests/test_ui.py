"""The Dagster UI, as an operator sees it, in a real browser: the webserver is started on
127.0.0.1 over a temporary Dagster home and warehouse holding one real run (two months of Comtrade
records loaded and validated), and Debian's headless chromium, driven by Playwright, checks that
the asset graph and catalog show the feeds and marts, that the load's asset check shows its result,
and that a materialization launched from the UI succeeds.

Screenshots go to tests/artifacts/ui/ (or UI_ARTIFACTS_DIR), with the webserver's log. Without
/usr/bin/chromium the tests are skipped, except under CI, where .ci/run installs it."""

import os
import re
import sys
import urllib.parse
from pathlib import Path

import pytest
from comtrade_files import month_records, write_csv
from dagster import AssetKey, DagsterInstance, DagsterRunStatus, materialize
from playwright.sync_api import Page, expect, sync_playwright
from ui_support import CHROMIUM, UI_TEST_DAGSTER_YAML, Webserver, launch_chromium

from ingest.settings import REPO_ROOT, WarehousePaths

pytestmark = [
    pytest.mark.ui,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason=f"no {CHROMIUM} (apt-get install chromium; .ci/run installs it)",
    ),
]

ARTIFACTS = Path(os.environ.get("UI_ARTIFACTS_DIR", REPO_ROOT / "tests" / "artifacts" / "ui"))
LOCATION = "orchestration.definitions"  # the code location: `-m orchestration.definitions`, as `make ui`
MONTHS = ("2023-01-01", "2023-02-01")
COMTRADE = AssetKey(["raw", "comtrade_records"])
COMTRADE_CHECK = "comtrade_records_suite"
LAUNCHED = AssetKey(["ref", "kz_regions"])  # unpartitioned, no upstream, loads 20 rows
TIMEOUT_MS = 30_000
RUN_TIMEOUT_MS = 120_000
expect.set_options(timeout=TIMEOUT_MS)


def asset_groups() -> dict[AssetKey, str]:
    from orchestration.definitions import defs

    return {spec.key: spec.group_name for spec in defs.resolve_all_asset_specs()}


GROUPS = asset_groups()
FEEDS = sorted(k for k in GROUPS if k.path[0] == "raw")
MARTS = sorted(k for k in GROUPS if k.path[-1].startswith("mart_"))


def test_the_graph_has_the_feeds_and_marts_the_test_looks_for():
    names = {k.to_user_string() for k in FEEDS + MARTS}
    assert {
        "raw/comtrade_records",
        "raw/eotinish_appeals",
        "raw/land_parcels",
        "raw/bilateral_events",
        "mart_trade_target_progress",
        "mart_appeals_sla",
        "mart_land_utilization",
        "mart_commitment_progress",
    } <= names


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    """A Dagster home and warehouse of their own, one run materialized into them in-process
    (country codes, and Comtrade records for two months with their blocking check), then the
    webserver over them. The webserver's whole process group is stopped at the end, whatever
    happens."""
    root = tmp_path_factory.mktemp("ui")
    paths = WarehousePaths(root=root / "warehouse", landing=root / "landing")
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(UI_TEST_DAGSTER_YAML)
    write_csv(paths.trade_landing / "kz_2023_01_02.csv", month_records("202301") + month_records("202302"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()

    with pytest.MonkeyPatch.context() as patch:
        for name, value in paths.export_env().items():
            patch.setenv(name, value)
        patch.setenv("DAGSTER_HOME", str(home))
        patch.setenv("WAREHOUSE_DEMO", "1")
        patch.setenv("DUCKDB_MEMORY_LIMIT", "1GB")
        with DagsterInstance.get() as instance:
            seeded = seed_run(paths, instance)
            env = dict(os.environ)
            # The venv's dbt for the code server and its runs (as `make ui`), and the repository's
            # packages importable whether or not they are installed.
            env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
            server = Webserver(LOCATION, cwd=REPO_ROOT, env=env, log_path=ARTIFACTS / "webserver.log")
            try:
                server.wait_ready(timeout=90)
                yield server, instance, seeded
            finally:
                server.stop()


def seed_run(paths: WarehousePaths, instance: DagsterInstance) -> str:
    from orchestration.definitions import defs
    from orchestration.defs.resources import WarehouseResource, dbt_resource

    result = materialize(
        list(defs.assets),
        selection=[AssetKey(["ref", "country_codes"]), COMTRADE],
        resources={
            "warehouse": WarehouseResource(root=str(paths.root), landing=str(paths.landing)),
            "dbt": dbt_resource(),
        },
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": MONTHS[0],
            "dagster/asset_partition_range_end": MONTHS[1],
        },
        raise_on_error=False,
    )
    assert result.success
    assert (COMTRADE_CHECK, True) in [
        (e.asset_check_key.name, e.passed) for e in result.get_asset_check_evaluations()
    ]
    return result.run_id


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, ui, request):
    """A fresh browser tab on the webserver; a screenshot of where it stood if the test failed."""
    server, _, _ = ui
    context = browser.new_context(base_url=server.url, viewport={"width": 1600, "height": 1200})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(60_000)
    tab = context.new_page()
    failed_before = request.session.testsfailed
    yield tab
    if request.session.testsfailed > failed_before:
        tab.screenshot(path=ARTIFACTS / f"FAILED-{request.node.name}.png", full_page=True)
    context.close()


def screenshot(page: Page, name: str) -> None:
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def catalog_link(page: Page, key: AssetKey):
    """The catalog row's link to an asset, labelled with its key ('raw / comtrade_records')."""
    label = re.escape(" / ".join(key.path)).replace("/", r"\/")  # the pattern goes to JS as /.../
    return page.get_by_role("link", name=re.compile(rf"^{label}(\s|$)")).first


def test_asset_graph_and_catalog_show_the_feeds_and_marts(page: Page):
    # The global lineage: one node per asset group, the feeds' groups and the marts among them.
    page.goto("/asset-groups")
    graph = page.locator("svg")
    groups = sorted({GROUPS[k] for k in FEEDS} | {"marts"})
    assert {"trade", "appeals", "land", "bilateral", "marts"} <= set(groups)
    for group in groups:
        expect(graph.get_by_text(group, exact=True)).to_be_visible()
    screenshot(page, "01-asset-graph-groups")

    # The catalog, filtered as an operator would type it: every feed, then every mart.
    for selection, keys, name in [
        ('key:"raw/*"', FEEDS, "02-catalog-feeds"),
        ('key:"mart_*"', MARTS, "03-catalog-marts"),
    ]:
        page.goto("/assets?asset-selection=" + urllib.parse.quote(selection))
        for key in keys:
            expect(catalog_link(page, key)).to_be_visible()
        expect(page.get_by_text(re.compile(r"^Loading"))).to_have_count(0)  # statuses, for the picture
        screenshot(page, name)


def test_asset_check_results_are_visible(page: Page, ui):
    _, _, seeded_run = ui
    # In the trade group's graph, the Comtrade node counts its passed checks.
    page.goto(f"/locations/__repository__@{LOCATION}/asset-groups/{GROUPS[COMTRADE]}")
    node = (
        page.locator("svg foreignObject")
        .filter(has=page.get_by_text(COMTRADE.path[-1], exact=True))
        .filter(has_text="Asset checks")
    )
    expect(node).to_have_count(1)
    expect(node).to_contain_text(re.compile(r"[1-9]\d* / \d+ Passed"))
    screenshot(page, "04-trade-graph-checks")

    # The asset's checks tab: the blocking suite, succeeded, with the evaluation of the seeded run.
    page.goto("/assets/" + "/".join(COMTRADE.path) + "?view=checks")
    listed = (
        page.locator("div")
        .filter(has=page.get_by_text(COMTRADE_CHECK, exact=True))
        .filter(has_text="Succeeded")
        .last
    )
    expect(listed).to_be_visible()
    expect(page.get_by_text("This is a blocking asset check.")).to_be_visible()
    result = (
        page.locator("div")
        .filter(has=page.get_by_text("Evaluation result", exact=True))
        .filter(has_text="Passed")
        .last
    )
    expect(result).to_be_visible()
    expect(page.locator(f'a[href^="/runs/{seeded_run}"]').first).to_be_visible()
    screenshot(page, "05-checks-tab")


def test_materialize_from_the_ui_succeeds(page: Page, ui):
    _, instance, _ = ui
    assert instance.get_latest_materialization_event(LAUNCHED) is None

    page.goto("/assets/" + "/".join(LAUNCHED.path))
    # Named after its icon too ("materialization Materialize"); not "Materialize…" nor "... all".
    button = page.get_by_role("button", name=re.compile(r"\bMaterialize$"))
    expect(button).to_be_enabled()
    with page.expect_response(lambda r: "LaunchPipelineExecution" in r.url) as launched:
        button.click()
    launch = launched.value.json()["data"]["launchPipelineExecution"]
    assert launch["__typename"] == "LaunchRunSuccess", launch
    run_id = launch["run"]["id"]
    expect(page.get_by_text(f"Launched run {run_id[:8]}")).to_be_visible()

    # The run's page, until it ends: Success.
    page.goto(f"/runs/{run_id}")
    status = page.get_by_text(re.compile(r"^(Success|Failure|Canceled)$")).first
    expect(status).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(status).to_have_text("Success")
    expect(page.get_by_text("RUN_SUCCESS", exact=True)).to_be_visible()
    screenshot(page, "06-run-success")

    # The instance agrees: the run succeeded and materialized the asset.
    run = instance.get_run_by_id(run_id)
    assert run.status == DagsterRunStatus.SUCCESS
    assert run.asset_selection == {LAUNCHED}
    assert instance.get_latest_materialization_event(LAUNCHED).run_id == run_id
