"""The whole graph, materialized through Dagster with the real dbt, DuckDB and Great Expectations,
on two years of the bundled trade data, three weeks of appeals, four years of a small land and
subsoil monitoring set and two months of a small Digital Family Map set, in a temporary folder."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml
from comtrade_files import month_records, write_csv
from conftest import copy_files
from dagster import AssetCheckSeverity, AssetKey, AssetSelection, DagsterInstance, materialize

from demo.appeals import write_bundled_appeals
from demo.family import write_family
from demo.land import write_bundled_land
from ingest import family
from ingest.privacy import find_iin_values
from ingest.settings import REPO_ROOT, WarehousePaths

pytestmark = pytest.mark.integration

MONTHS = ("2022-01-01", "2023-12-01")
DAYS = ("2024-01-01", "2024-01-21")
QUARTERS = ("2022-01-01", "2025-10-01")
YEARS = ("2022", "2023")
# The family set: the bundled set's two months (2023-01 and 2023-02, inside MONTHS: the extracts
# load in the monthly run; two months for the level transitions) with 3,000 families instead of
# 6,300; its proactive-service events are daily files of those months' days, loaded in a daily run
# of their own. It adds ~22 s to the build (135 -> 157 s back to back on a quiet machine).
# (So small a set withholds the country's level E: the report's family section says its crisis
# figure is withheld; it used to fail on the withheld shares.)
FAMILIES = 3_000
FAMILY_DAYS = ("2023-01-01", "2023-02-28")


def range_tags(window):
    return {"dagster/asset_partition_range_start": window[0], "dagster/asset_partition_range_end": window[1]}


def build(paths: WarehousePaths, instance, *, months_only: bool = False):
    """As `make warehouse` does: the daily appeal and family-event loads, the quarterly land loads,
    then everything else over the months (months_only: that last run alone, for a test about the
    monthly feeds: the other loads would find nothing new)."""
    from catalog.family import PROACTIVE_EVENTS
    from orchestration.definitions import defs
    from orchestration.defs.assets.feeds import raw_key
    from orchestration.defs.jobs import (
        AFTER_DAILY_AND_QUARTERLY_LOADS,
        DAILY_RAW,
        DBT_SOURCE_CHECKS,
        LAND_RAW,
    )
    from orchestration.defs.resources import WarehouseResource, dbt_resource

    resources = {
        "warehouse": WarehouseResource(root=str(paths.root), landing=str(paths.landing)),
        "dbt": dbt_resource(),
    }
    assets = list(defs.assets)

    def run(selection, window):
        return materialize(
            assets,
            selection=selection,
            resources=resources,
            instance=instance,
            tags=range_tags(window),
            raise_on_error=False,
        )

    if not months_only:
        assert run(DAILY_RAW, DAYS).success
        # Only the family events over their days (DAILY_RAW there would add 59 empty appeal days).
        assert run(AssetSelection.assets(raw_key(PROACTIVE_EVENTS)) - DBT_SOURCE_CHECKS, FAMILY_DAYS).success
        assert run(LAND_RAW, QUARTERS).success
    return run(AFTER_DAILY_AND_QUARTERLY_LOADS, MONTHS)


def build_bundled(root: Path, bundled_files) -> tuple:
    """Build the bundled test warehouse under `root` (the conftest's session fixture
    `built_bundled_warehouse` calls this once; the page tests read the same build). Returns
    (paths, instance, result, the environment the build ran with)."""
    paths = WarehousePaths(root=root / "warehouse", landing=root / "landing")
    env = {
        **paths.export_env(),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "APPEALS_HASH_KEY": "integration-test-key-for-applicants-0001",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        copy_files([f for f in bundled_files if f.stem.endswith(YEARS)], paths.trade_landing)
        write_bundled_appeals(paths.landing / "eotinish", start=date(2024, 1, 1), days=21)
        write_bundled_land(paths.landing / "land", parcels=400, sites=30)
        write_family(paths.landing / family.LANDING_SUBDIR, families=FAMILIES)
        instance = DagsterInstance.ephemeral()
        result = build(paths, instance)
    return paths, instance, result, env


@pytest.fixture(scope="module")
def built(bundled_warehouse_environment):
    return bundled_warehouse_environment


def query(paths: WarehousePaths, sql: str, params=None):
    with duckdb.connect(str(paths.serving_db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_asset_and_check_succeeds(built):
    _, _, result = built
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    failed = [e.asset_check_key.to_user_string() for e in evaluations if not e.passed]
    assert failed == []
    names = {e.asset_check_key.name for e in evaluations}
    assert {"comtrade_records_suite", "trade_reference_suite"} <= names
    assert len(evaluations) > 100  # dbt tests surface as asset checks too
    # dbt's tests of the loaded tables run in the build as checks of the raw assets, the appeal
    # and land tables included although their loads ran in runs of their own
    of_raw = {e.asset_check_key for e in evaluations if e.asset_check_key.name.startswith("source_")}
    assert {key.asset_key for key in of_raw} >= {
        AssetKey(["raw", "comtrade_records"]),
        AssetKey(["raw", "eotinish_appeals"]),
        AssetKey(["raw", "land_parcels"]),
    }
    materialized = (
        {m.asset_key for m in result.get_asset_materialization_events()}
        if hasattr(result, "get_asset_materialization_events")
        else None
    )
    if materialized is not None:
        assert AssetKey("mart_trade_target_progress") in materialized


def test_turnover_counts_only_plain_rows(built):
    """Breakdown rows (customs, transport mode, second partner) and the chapter rows must not be
    added to the TOTAL: each side's yearly turnover in the mart equals its plain TOTAL rows of X
    and M, which are far less than a naive sum over every row."""
    paths, _, _ = built
    with duckdb.connect(str(paths.warehouse_db), read_only=True) as con:
        by_side = con.execute("""
            select case "reporterCode" when 398 then 'KZ' else 'TJ' end, left(period, 4),
                sum("primaryValue") filter (where "cmdCode" = 'TOTAL' and "customsCode" = 'C00'
                    and "motCode" = 0 and "partner2Code" = 0 and "flowCode" in ('X', 'M'))::double,
                sum("primaryValue")::double
            from raw.comtrade_records where "freqCode" = 'M'
            group by all order by all
        """).fetchall()
        (breakdown_rows,) = con.execute("""
            select count(*) from raw.comtrade_records
            where "customsCode" <> 'C00' or "motCode" <> 0 or "partner2Code" <> 0
        """).fetchone()
    assert breakdown_rows > 0
    mart = dict(
        ((side, year), value)
        for side, year, value in query(
            paths,
            """
        select reporting_side, period_label, turnover_usd::double from marts.mart_bilateral_turnover
        where grain = 'year'
    """,
        )
    )
    assert len(by_side) == 4
    for side, year, plain_total, naive_total in by_side:
        assert mart[(side, year)] == pytest.approx(plain_total, rel=1e-9)
        assert naive_total > 2 * plain_total


def test_turnover_is_exports_plus_imports_as_published(built):
    """In Comtrade X is total exports and RX the re-exported part of it (M and RM likewise), and
    the published figures are X + M: 2022 as Kazakhstan reports it is 877.6 + 501.4 = 1,379.0
    million USD. The mart's turnover and balance and the reconciliation's figures are X + M
    computed here from the fact's TOTAL rows; re-exports and re-imports are shown, never added
    again."""
    paths, _, _ = built
    flows = dict(
        query(
            paths,
            """
        select flow_code, trade_value_usd from marts.fct_trade_flows
        where reporter_code = 398 and partner_code = 762 and freq_code = 'A' and period = '2022'
            and cmd_code = 'TOTAL'
    """,
        )
    )
    assert flows["RX"] > 0 and flows["RM"] > 0  # the bundled data have re-flows to get wrong
    (row,) = query(
        paths,
        """
        select exports_usd, imports_usd, re_exports_usd, re_imports_usd, turnover_usd, balance_usd,
            re_exports_share_pct
        from marts.mart_bilateral_turnover
        where reporting_side = 'KZ' and grain = 'year' and period_label = '2022'
    """,
    )
    exports, imports, re_exports, re_imports, turnover, balance, re_export_share = row
    assert (exports, imports, re_exports, re_imports) == (flows["X"], flows["M"], flows["RX"], flows["RM"])
    assert turnover == flows["X"] + flows["M"]
    assert balance == flows["X"] - flows["M"]
    assert re_export_share == pytest.approx(float(flows["RX"] / flows["X"] * 100))

    reconciled = {
        measure: (published, warehouse)
        for measure, published, warehouse in query(
            paths,
            """
        select measure, published_value_usd::double, warehouse_value_usd::double
        from marts.mart_trade_reference_reconciliation
        where reporting_side = 'KZ' and period_label = '2022' and confidence = 'high'
    """,
        )
    }
    assert reconciled["turnover"][1] == pytest.approx(float(flows["X"] + flows["M"]), abs=0.01)
    assert reconciled["export_kz_to_tj"][1] == pytest.approx(float(flows["X"]), abs=0.01)
    assert reconciled["import_kz_from_tj"][1] == pytest.approx(float(flows["M"]), abs=0.01)
    # The bundled data are calibrated to the published figures: X + M matches them to rounding.
    for measure, (published, warehouse) in reconciled.items():
        assert warehouse == pytest.approx(published, abs=0.05e6), measure


def test_mirror_discrepancy_pairs_both_reporters(built):
    paths, _, _ = built
    rows = query(
        paths,
        """
        select flow_pair, exporter_reported_usd::double, importer_reported_usd::double, gap_pct
        from marts.mart_trade_mirror_discrepancy where grain = 'year' and period = '2022'
        order by flow_pair
    """,
    )
    assert [r[0] for r in rows] == ["KZ_TO_TJ", "TJ_TO_KZ"]
    for _, exported, imported, gap_pct in rows:
        assert exported > 0 and imported > 0
        assert gap_pct == pytest.approx((imported - exported) / exported * 100)
        assert abs(gap_pct) <= 30


def test_target_progress_arithmetic(built):
    paths, _, _ = built
    rows = query(
        paths,
        """
        select reporting_side, latest_rolling_12m_turnover_usd::double, progress_rolling_12m_pct,
            gap_rolling_12m_usd::double, target_value_usd::double, required_cagr_pct, years_to_deadline
        from marts.mart_trade_target_progress order by reporting_side
    """,
    )
    assert [r[0] for r in rows] == ["KZ", "TJ"]
    for _, turnover, progress, gap, target, required, years in rows:
        assert target == 2e9
        assert progress == pytest.approx(turnover / target * 100, abs=0.01)
        assert gap == pytest.approx(target - turnover, abs=1)
        expected_growth = ((target / turnover) ** (1 / years) - 1) * 100
        assert required == pytest.approx(expected_growth, abs=0.01)


def test_publishes_serving_copy_data_docs_and_dbt_docs(built):
    paths, _, _ = built
    tables = {name for (name,) in query(paths, "select table_name from duckdb_tables()")}
    assert {
        "mart_bilateral_turnover",
        "mart_trade_target_progress",
        "mart_trade_mirror_discrepancy",
        "mart_commodity_mix",
        "fct_trade_flows",
        "dim_country",
    } <= tables
    assert (paths.serving_parquet / "mart_bilateral_turnover.parquet").exists()
    assert (paths.data_docs / "index.html").exists()
    assert (paths.root / "dbt_docs" / "index.html").exists()


def test_the_dbt_builds_write_no_log_file_and_no_artifacts_nobody_reads(built):
    """Each dbt build command keeps the SQL it ran; no dbt.log (at dbt's default level, every
    statement: ~9 MB and ~1 s of dbt_foundation; its lines at info and above are on dbt's output,
    in Dagster's log), no manifest or run results (each node's outcome is a Dagster event). The
    docs step keeps its manifest."""
    if os.environ.get("DBT_LOG_LEVEL_FILE") or os.environ.get("DBT_DEBUG"):
        pytest.skip("dbt's file log level is set in this environment")
    paths, _, _ = built
    builds = [f for f in paths.dbt_runs.iterdir() if f.is_dir()]
    assert {f.name.split("-")[0] for f in builds} == {"dbt_foundation", "dbt_incremental", "dbt_marts"}
    for folder in builds:
        assert any((folder / "run").rglob("*.sql")), folder.name
        assert not (folder / "manifest.json").exists() and not (folder / "run_results.json").exists()
        assert not (folder / "dbt.log").exists(), folder.name
    assert (paths.root / "dbt_docs" / "manifest.json").exists()


def test_the_serving_copy_carries_the_models_descriptions(built):
    """What dbt's YAML says of each published table and column is a comment in the serving copy,
    where analysts look (duckdb_tables(), duckdb_columns(), a SQL client's object browser)."""
    from orchestration.defs.assets.publishing import model_docs
    from orchestration.defs.project import dbt_project

    paths, _, _ = built
    docs = model_docs(dbt_project.manifest_path)
    tables = dict(query(paths, "select table_name, comment from duckdb_tables() where schema_name = 'marts'"))
    columns = query(
        paths, "select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts'"
    )
    assert tables and set(tables) <= set(docs)
    assert tables == {table: docs[table].description or None for table in tables}
    for table, column, comment in columns:
        assert comment == (docs[table].columns.get(column) or None), (table, column)
    assert tables["mart_trade_target_progress"]
    assert sum(comment is not None for _, _, comment in columns) > 200


def test_analyst_reads_serving_copy_while_a_run_writes(built):
    """While a writer holds the warehouse (as a running build does), another process cannot open
    the warehouse even read-only, but can query the serving copy."""
    paths, _, _ = built
    probe = textwrap.dedent("""
        import sys, duckdb
        try:
            duckdb.connect(sys.argv[1], read_only=True).close()
            print("warehouse: opened")
        except duckdb.Error:
            print("warehouse: locked")
        with duckdb.connect(sys.argv[2], read_only=True) as con:
            print("serving:", con.execute(
                "select count(*) from marts.mart_bilateral_turnover").fetchone()[0])
    """)
    writer = duckdb.connect(str(paths.warehouse_db))
    try:
        writer.execute("begin transaction")
        writer.execute("create or replace table main.run_in_progress as select 1 as x")
        out = subprocess.run(
            [sys.executable, "-c", probe, str(paths.warehouse_db), str(paths.serving_db)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
        writer.execute("rollback")
    finally:
        writer.close()
    assert "warehouse: locked" in out
    serving_rows = int(out.split("serving:")[1])
    assert serving_rows > 0


# Columns that say when and by which load (or dbt run) a row was written: they change with every rebuild.
PROVENANCE_COLUMNS = ("_loaded_at", "_load_id", "loaded_at", "published_at", "_built_at")
# Hectares that are not aggregated: measured per polygon by the loader (shapely/pyproj), kept as
# they were loaded (DOUBLE), never summed in a mart.
MEASURED_HECTARES = {"geometry_area_ha", "area_diff_ha"}


def content_fingerprints(database: Path) -> dict[str, dict[str, object]]:
    """Every table of the marts schema (marts, facts, dimensions, as published to the serving
    copy): its row count, a hash of its whole content (all rows, provenance columns left out;
    independent of row order, the same as comparing the tables sorted by every column), and a
    hash per column to say which column differs. A DOUBLE that changes in its last bit changes
    its hash."""
    fingerprints = {}
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall()
        for (table,) in tables:
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from duckdb_columns() where schema_name = 'marts' "
                    "and table_name = ? order by column_index",
                    [table],
                ).fetchall()
                if not name.endswith(PROVENANCE_COLUMNS)
            ]
            quoted = [f'"{name}"' for name in columns]
            row = con.execute(
                f"select count(*), sum(hash({', '.join(quoted)})::hugeint)::varchar, "
                + ", ".join(f"sum(hash({q})::hugeint)::varchar" for q in quoted)
                + f' from marts."{table}"'
            ).fetchone()
            fingerprints[table] = {
                "rows": row[0],
                "content": row[1],
                **dict(zip(columns, row[2:], strict=True)),
            }
    return fingerprints


def test_hectares_in_the_marts_are_exact_numbers(built):
    """Hectares summed in DOUBLE depend on the order the rows are added in; DECIMAL sums do not."""
    paths, _, _ = built
    with duckdb.connect(str(paths.warehouse_db), read_only=True) as con:
        inexact = con.execute(
            """
            select table_name || '.' || column_name || ' ' || data_type from duckdb_columns()
            where schema_name = 'marts' and regexp_matches(column_name, '_ha($|_)')
              and data_type not like 'DECIMAL%' and data_type not like '%INT%'
              and not list_contains(?, column_name)
            order by 1
        """,
            [sorted(MEASURED_HECTARES)],
        ).fetchall()
    assert inexact == []


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dbt_copy")


def dbt_on_a_copy(paths: WarehousePaths, folder: Path, *args: str) -> Path:
    """Run a dbt command on a fresh copy of the built warehouse (the module's other tests read the
    original) in `folder`, with its target folder there; the copy's path. Every call of the module
    copies to the same path (`copies`): dbt keys its parse state on the profile, which holds that
    path, so only the first command parses the whole project (~12 s)."""
    copy = folder / "warehouse.duckdb"
    copy.with_name(copy.name + ".wal").unlink(missing_ok=True)
    shutil.copyfile(paths.warehouse_db, copy)
    project = REPO_ROOT / "dbt_project"
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(copy),
        "DUCKDB_TEMP_DIR": str(folder / "spill"),
        "DUCKDB_MEMORY_LIMIT": "1GB",
    }
    subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            *args,
            "--quiet",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(folder / "target"),
        ],
        check=True,
        env=env,
        cwd=project,
        timeout=600,
    )
    return copy


def test_the_dbt_unit_tests_pass(built, copies):
    """dbt's unit tests (a model's logic on fixed inputs) are not part of the Dagster builds: they
    run here, on the built warehouse (dbt reads the column types of a model's inputs there)."""
    paths, _, _ = built
    dbt_on_a_copy(paths, copies, "test", "--resource-type", "unit_test")
    results = json.loads((copies / "target" / "run_results.json").read_text())["results"]
    unit_tests = [result for result in results if result["unique_id"].startswith("unit_test.")]
    assert len(unit_tests) > 30
    assert {result["status"] for result in unit_tests} == {"pass"}


def test_a_rebuild_from_the_same_raw_data_is_identical(built, copies):
    """Every dbt model rebuilt from scratch (`dbt run --full-refresh`) on a copy of the built
    warehouse, from the same raw and reference data: every marts table (the marts, facts and
    dimensions of the serving copy) is the same to the last bit, provenance columns apart."""
    paths, _, _ = built
    before = content_fingerprints(paths.warehouse_db)
    copy = dbt_on_a_copy(paths, copies, "run", "--full-refresh")
    after = content_fingerprints(copy)
    assert sorted(after) == sorted(before)
    changed = {
        table: sorted(column for column, value in after[table].items() if value != before[table][column])
        for table in before
        if after[table] != before[table]
    }
    assert changed == {}


def raw_trade_fingerprint(paths: WarehousePaths) -> tuple:
    """The number of published trade rows and a hash of all of them, provenance included."""
    with duckdb.connect(str(paths.warehouse_db), read_only=True) as con:
        return con.execute("select count(*), sum(hash(columns(*))) from raw.comtrade_records").fetchone()


def materialize_trade_load(paths: WarehousePaths, instance):
    """The Comtrade load alone over MONTHS, with its suite's check (not dbt's source tests)."""
    from catalog.trade import COMTRADE
    from orchestration.definitions import defs
    from orchestration.defs.assets.feeds import raw_key
    from orchestration.defs.jobs import DBT_SOURCE_CHECKS
    from orchestration.defs.resources import WarehouseResource, dbt_resource

    return materialize(
        list(defs.assets),
        selection=AssetSelection.assets(raw_key(COMTRADE)) - DBT_SOURCE_CHECKS,
        resources={
            "warehouse": WarehouseResource(root=str(paths.root), landing=str(paths.landing)),
            "dbt": dbt_resource(),
        },
        instance=instance,
        tags=range_tags(MONTHS),
        raise_on_error=False,
    )


def test_the_monthly_files_run_rebuilds_only_what_is_downstream_of_them(built):
    """The landing sensor's run for a month (the monthly_feeds job, for real, tagged with the
    month's range as the sensor tags it: the loads, the dbt assets' subsets, the window of the
    partitioned fact, the serving copy): it succeeds with every check passing, materializes
    nothing of the appeals, land and reference tables, and from the same files every table of the
    marts schema (appeals' and land's included) stays the same, provenance columns apart."""
    from orchestration.definitions import defs
    from orchestration.defs.jobs import monthly_feeds_job
    from orchestration.defs.resources import WarehouseResource, dbt_resource

    paths, instance, _ = built
    before = content_fingerprints(paths.warehouse_db)
    result = materialize(
        list(defs.assets),
        selection=monthly_feeds_job.selection,
        resources={
            "warehouse": WarehouseResource(root=str(paths.root), landing=str(paths.landing)),
            "dbt": dbt_resource(),
        },
        instance=instance,
        tags=range_tags(("2023-11-01", "2023-11-01")),
        raise_on_error=False,
    )
    failed = [e.message for e in result.all_events if e.is_step_failure]
    assert result.success, failed
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {"raw/comtrade_records", "fct_trade_flows", "mart_commodity_mix", "serving_copy"} <= materialized
    assert not {key for key in materialized if "appeal" in key or "land" in key or key.startswith("ref/")}
    evaluations = result.get_asset_check_evaluations()
    assert evaluations and [e.asset_check_key.name for e in evaluations if not e.passed] == []
    assert content_fingerprints(paths.warehouse_db) == before


def test_a_load_rerun_is_a_no_op_and_a_bad_file_stops_the_graph(built):
    paths, instance, _ = built
    before = query(paths, "select * from marts.mart_bilateral_turnover order by all")

    # A file that cannot be read at all lands beside the good ones: it is reported (a warning on
    # the check) and stops nothing; the rerun of the load publishes nothing (every row, its
    # provenance included, as it was). (That dbt rebuilds the same marts from the same raw data:
    # test_a_rebuild_from_the_same_raw_data_is_identical; its incremental runs as Dagster starts
    # them: tests/test_trade_fct_window.py.)
    raw_before = raw_trade_fingerprint(paths)
    (paths.trade_landing / "zz_garbage.csv").write_bytes(b"\x00\x01binary" * 100)
    rerun = materialize_trade_load(paths, instance)
    assert rerun.success
    (raw_check,) = [
        e for e in rerun.get_asset_check_evaluations() if e.asset_check_key.name == "comtrade_records_suite"
    ]
    assert not raw_check.passed and raw_check.severity == AssetCheckSeverity.WARN
    assert "zz_garbage.csv" in raw_check.metadata["bad_rows_sample"].value
    assert raw_trade_fingerprint(paths) == raw_before
    (paths.trade_landing / "zz_garbage.csv").unlink()

    bad = month_records("202306")
    bad[1]["flowCode"] = "XX"
    write_csv(paths.trade_landing / "zz_late_revision_2023_06.csv", bad)
    failed = build(paths, instance, months_only=True)

    assert not failed.success
    (check,) = [
        e for e in failed.get_asset_check_evaluations() if e.asset_check_key.name == "comtrade_records_suite"
    ]
    assert not check.passed
    assert check.metadata["partitions_rejected"].value == ["2023-06-01"]
    assert "zz_late_revision_2023_06.csv" in check.metadata["bad_rows_sample"].value
    assert "flowCode" in str(check.metadata["failed_expectations"].value)
    # Blocking: dbt did not run, so the marts (and their serving copy) are as they were.
    assert query(paths, "select * from marts.mart_bilateral_turnover order by all") == before
    with duckdb.connect(str(paths.warehouse_db), read_only=True) as con:
        kept = con.execute("""
            select count(*) from raw.comtrade_records where period = '202306'
              and _source_file like '%zz_late_revision%'
        """).fetchone()[0]
        quarantined = con.execute("""
            select count(*) from quarantine.comtrade_records
            where source_file like '%zz_late_revision%' and column_name = 'flowCode'
        """).fetchone()[0]
    assert kept == 0 and quarantined == 1


def test_no_iin_anywhere_in_the_warehouse_or_the_serving_copy(built):
    """The exports carry applicants' IINs in clear (in their own field and inside free text):
    none may be found in any text column of any table, quarantine included."""
    paths, _, _ = built
    for database in (paths.warehouse_db, paths.serving_db):
        with duckdb.connect(str(database), read_only=True) as con:
            assert find_iin_values(con) == [], database
    with duckdb.connect(str(paths.warehouse_db), read_only=True) as con:
        (keys,) = con.execute("select count(distinct applicant_key) from raw.eotinish_appeals").fetchone()
    assert keys > 0


def test_appeals_marts_agree_with_the_facts(built):
    paths, _, _ = built
    answered, on_time = query(
        paths,
        """
        select count(*) filter (where answered_at is not null),
            count(*) filter (where answered_on_time)
        from marts.fct_appeals
    """,
    )[0]
    sla_answered, sla_on_time = query(
        paths,
        """
        select sum(answered_count), sum(answered_on_time_count) from marts.mart_appeals_sla
    """,
    )[0]
    assert 0 < on_time <= answered
    assert (sla_answered, sla_on_time) == (answered, on_time)
    (unique_events, event_rows) = query(
        paths,
        """
        select count(distinct event_id), count(*) from marts.fct_appeal_events
    """,
    )[0]
    assert unique_events == event_rows  # re-sent events are not counted twice


def test_appeal_deadlines_count_the_saturday_worked_in_may_2024(built):
    """15 working days as Kazakhstan counts them: Saturday 2024-05-04 was worked by decree and
    Wednesday 2024-05-08 given off in its place. The warehouse's deadlines (int_working_days, the
    one place fct_appeals takes them from) for start dates around that week are recomputed here
    with the `holidays` library, independently of the warehouse's calendar table."""
    import datetime

    import holidays

    paths, _, _ = built
    kz = holidays.country_holidays("KZ", years=[2024])

    def deadline(start: datetime.date) -> datetime.date:
        day, left = start, 15
        while left:
            day += datetime.timedelta(days=1)
            left -= kz.is_working_day(day)
        return day

    with duckdb.connect(str(paths.warehouse_db), read_only=True) as con:
        rows = con.execute("""
            select calendar_date, deadline_date from intermediate.int_working_days
            where calendar_date between date '2024-04-15' and date '2024-05-10'
        """).fetchall()
    assert len(rows) == 26
    assert {start: deadline(start) for start, _ in rows} == dict(rows)
    # Registered Friday 2024-04-26: the worked Saturday makes 2024-05-22 the 15th working day.
    assert dict(rows)[datetime.date(2024, 4, 26)] == datetime.date(2024, 5, 22)


def test_land_marts_agree_with_the_raw_loads(built):
    """Hectares returned to the state and redistributed per year, and detections outside their
    licensed contour per licence, are the same in the marts as in the raw loads; invalid parcels
    are kept (flagged), so no hectare is lost."""
    paths, _, _ = built
    with duckdb.connect(str(paths.warehouse_db), read_only=True) as con:
        raw_events = dict(
            ((kind, year), round(ha, 2))
            for kind, year, ha in con.execute("""
            select event_type, year(event_date), sum(area_ha) from raw.land_parcel_events
            where event_type in ('WITHDRAWN', 'REDISTRIBUTED') group by all
        """).fetchall()
        )
        raw_outside = dict(
            con.execute("""
            select licence_number, count(*) from raw.subsoil_detections
            where not inside_contour group by 1
        """).fetchall()
        )
        invalid, parcels = con.execute("""
            select count(*) filter (where not geometry_is_valid), count(distinct cadastral_number)
            from raw.land_parcels
        """).fetchone()
    assert invalid > 0  # the generator plants self-intersecting and unparsable polygons
    events = dict(
        ((kind, year), round(ha, 2))
        for kind, year, ha in query(
            paths,
            """
        select 'WITHDRAWN', season_year, sum(returned_to_state_ha)::double from marts.mart_land_utilization
        group by all
        union all
        select 'REDISTRIBUTED', season_year, sum(redistributed_ha)::double from marts.mart_land_utilization
        group by all
    """,
        )
    )
    # Events are assigned to seasons (winter events to the coming spring), so compare whole runs.
    assert sum(v for (k, _), v in events.items() if k == "WITHDRAWN") == pytest.approx(
        sum(v for (k, _), v in raw_events.items() if k == "WITHDRAWN"), rel=1e-9
    )
    assert sum(v for (k, _), v in events.items() if k == "REDISTRIBUTED") == pytest.approx(
        sum(v for (k, _), v in raw_events.items() if k == "REDISTRIBUTED"), rel=1e-9
    )
    outside = dict(
        query(
            paths,
            """
        select licence_number, outside_detection_count from marts.mart_subsoil_compliance
        where outside_detection_count > 0
    """,
        )
    )
    assert outside == raw_outside and outside
    (dim_parcels,) = query(paths, "select count(*) from marts.dim_land_parcel")[0]
    assert dim_parcels == parcels
    published = query(
        paths,
        """
        select published_value, warehouse_value from marts.mart_land_reconciliation
        where measure = 'agri_land_returned_to_state' and period = '2022' and region_kato_2digit is null
    """,
    )
    assert published and published[0][0] == pytest.approx(5.4e6) and published[0][1] > 0


def test_the_report_is_written_after_the_build(built):
    """The report asset ran after the serving copy: one self-contained page with a chart per
    section and its PNGs, and its main figures in the asset's metadata."""
    paths, instance, _ = built
    page = (paths.report_dir / "index.html").read_text()
    assert page.count("<svg") >= 6  # a chart per section; freshness is a table
    assert "<script src=" not in page and "stylesheet" not in page
    pngs = sorted((paths.report_dir / "charts").glob("*.png"))
    assert len(pngs) >= 6 and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    event = instance.get_latest_materialization_event(AssetKey("report"))
    metadata = event.asset_materialization.metadata
    assert metadata["report"].value == str(paths.report_dir / "index.html")
    assert metadata["sections_failed"].value == []  # a section that fails is only logged
    (turnover,) = query(
        paths,
        """
        select round(latest_rolling_12m_turnover_usd / 1e6, 1)::double from marts.mart_trade_target_progress
        where reporting_side = 'KZ'
    """,
    )[0]
    assert metadata["figures"].value["turnover_12m_kz_musd"] == pytest.approx(turnover)


# The family marts' counts of families (or of offers, one family each): the cells the disclosure
# rule applies to (dbt_project/models/marts/family/_family__models.yml).
FAMILY_COUNTS = {
    "mart_family_wellbeing": ("families",),
    "mart_family_level_transitions": ("families",),
    "mart_proactive_services": (
        "offers",
        "accepted",
        "declined",
        "unanswered",
        "paid",
        "qualified_not_offered",
    ),
}


def test_family_marts_are_published_with_no_small_cell(built):
    """The family set's marts are in the serving copy, with figures, and no published count
    describes 1..family_min_cell-1 families: such a cell is null and its row flagged."""
    paths, _, _ = built
    project = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text())
    min_cell = project["vars"]["family_min_cell"]
    for table, columns in FAMILY_COUNTS.items():
        (rows,) = query(paths, f"select count(*) from marts.{table}")[0]
        assert rows > 0, table
        shown = 0
        for column in columns:
            published, small, unflagged = query(
                paths,
                f"""
                select count({column}), count(*) filter (where {column} between 1 and ? - 1),
                    count(*) filter (where {column} is null and not is_suppressed)
                from marts.{table}
            """,
                [min_cell],
            )[0]
            assert small == 0, (table, column)
            assert unflagged == 0, (table, column)
            shown += published
        assert shown > 0, table
    # Both months, and transitions from the first into the second.
    months = query(paths, "select distinct month from marts.mart_family_wellbeing order by 1")
    assert [m.isoformat() for (m,) in months] == ["2023-01-01", "2023-02-01"]
    (moved,) = query(
        paths, "select sum(families) from marts.mart_family_level_transitions where region_kato_2digit = 'KZ'"
    )[0]
    assert moved > 0
    # Rates and medians only over 10 offers or more.
    (rated_small,) = query(
        paths,
        """
        select count(*) from marts.mart_proactive_services
        where (offers is null or offers < ?)
            and (uptake_rate is not null or median_days_offer_to_payment is not null)
    """,
        [min_cell],
    )[0]
    assert rated_small == 0
