"""Shared fixtures. Every test that writes gets its own warehouse and landing folder under
pytest's tmp_path; the dbt manifest is prepared once per session, before the Dagster definitions
(which read it at import time) are imported."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.settings import WarehousePaths, dbt_target

REPO_ROOT = Path(__file__).resolve().parent.parent
# The tests' key for hashing applicants' identifiers (ingest/privacy.py wants 32 bytes or more).
TEST_HASH_KEY = "test-only-key-for-hashing-applicants-0001"


def pytest_sessionstart(session):
    """`@dbt_assets` needs target/manifest.json at import time: parse the project once.
    (SKIP_DBT_PARSE=1 skips it when a manifest is already there, for running the unit tests alone:
    `make test-fast`; the modules that import the Dagster definitions need one to be collected.)"""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # under pytest-xdist the controller has parsed it before starting the workers
    project = REPO_ROOT / "dbt_project"
    if os.environ.get("SKIP_DBT_PARSE") == "1" and (project / "target" / "manifest.json").exists():
        return
    env = {**os.environ, "WAREHOUSE_PATH": os.environ.get("WAREHOUSE_PATH", "/tmp/unused.duckdb")}
    subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "parse",
            "--quiet",
            "--target",
            dbt_target(),
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
        ],
        check=True,
        env=env,
    )


# The modules that read the session's bundled test warehouse (built_bundled_warehouse).
BUNDLED_WAREHOUSE_MODULES = {"test_warehouse_integration", "test_pages_offline", "test_spark_engine"}


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")


@pytest.hookimpl(optionalhook=True)  # a venv without pytest-xdist (the Spark one) knows no such hook
def pytest_xdist_make_scheduler(config, log):
    """For pytest-xdist (`make test` runs two workers): whole groups of tests to a worker, a group
    being a module (its module fixtures, a Dagster build or a browser, run once) or the modules
    that share the bundled warehouse (built once). xdist's own --dist loadgroup marks groups by
    renaming node ids, which pytest 9.2 no longer reads: a scheduler is the supported way."""
    from xdist.scheduler import LoadScopeScheduling

    # xdist would otherwise hand out the groups with the most tests first (--loadscope-reorder, on
    # by default), whatever pytest_collection_modifyitems ordered: the privacy scan (3 tests, the
    # longest module) started last.
    config.option.loadscopereorder = False

    class ModuleGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = _module(nodeid)
            return "bundled_warehouse" if module in BUNDLED_WAREHOUSE_MODULES else module

    return ModuleGroups(config, log)


# The longest modules after the bundled-warehouse group, longest first (a CI run of 2026-12-03 on
# two workers: ~360, 180, 150, 130, 60 s): handed out first, so that a long module is less likely
# to start when the other worker has little left to do.
LONG_MODULES = [
    "test_privacy_scan",
    "test_ui",
    "test_trade_fct_window",
    "test_load_bookkeeping",
    "test_dead_runs",
]


def pytest_collection_modifyitems(config, items):
    """The bundled-warehouse group, the longest, first, then LONG_MODULES (xdist hands out groups
    in this order)."""

    def rank(item) -> int:
        module = _module(item.nodeid)
        if module in BUNDLED_WAREHOUSE_MODULES:
            return 0
        return 1 + LONG_MODULES.index(module) if module in LONG_MODULES else 1 + len(LONG_MODULES)

    items.sort(key=rank)


@pytest.fixture
def warehouse_paths(tmp_path, monkeypatch) -> WarehousePaths:
    """A private warehouse and landing folder; the environment points dbt and GX at them."""
    paths = WarehousePaths(root=tmp_path / "warehouse", landing=tmp_path / "landing")
    paths.trade_landing.mkdir(parents=True)
    for name, value in paths.export_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DUCKDB_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("APPEALS_HASH_KEY", TEST_HASH_KEY)
    monkeypatch.delenv("WAREHOUSE_DEMO", raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return paths


@pytest.fixture
def warehouse(warehouse_paths):
    """A connection to the private warehouse, with the country codes loaded."""
    from ingest.duck import connect
    from ingest.reference import load_country_codes

    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB")
    load_country_codes(con)
    yield con
    con.close()


@pytest.fixture(scope="session")
def bundled_files(tmp_path_factory) -> list[Path]:
    """The bundled demo set, generated once per session."""
    from demo.trade import write_bundled_dataset

    return write_bundled_dataset(tmp_path_factory.mktemp("bundled"))


def copy_files(files: list[Path], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy2(f, folder / f.name)) for f in files]


@pytest.fixture(scope="session")
def built_bundled_warehouse(tmp_path_factory, bundled_files):
    """The bundled test warehouse (two years of trade, three weeks of appeals, a small land set,
    two months of a small family set), built once per session through Dagster: the integration
    tests, the page tests and the Spark comparison share it."""
    from test_warehouse_integration import build_bundled

    return build_bundled(tmp_path_factory.mktemp("integration"), bundled_files)


@pytest.fixture(scope="module")
def bundled_warehouse_environment(built_bundled_warehouse):
    """(paths, instance, build result) of the session's bundled warehouse, with its environment set
    for the module: dbt's profile and GX read it."""
    paths, instance, result, env = built_bundled_warehouse
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        yield paths, instance, result
