"""The Dagster definitions: a snapshot of the asset graph (an accidental change to keys, groups,
partitions or checks shows up in review, as in dagster-open-platform), and the landing sensor."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from appeal_files import appeal, write_jsonl
from comtrade_files import month_records, record, write_csv
from dagster import AssetKey, build_sensor_context

from ingest.settings import REPO_ROOT
from orchestration.definitions import defs
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.sensors import RANGE_END, RANGE_START, landing_folder_sensor

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"


def describe_definitions() -> dict:
    specs = sorted(defs.resolve_all_asset_specs(), key=lambda s: s.key.to_user_string())
    asset_graph = defs.resolve_asset_graph()
    checks = sorted(
        f"{key.asset_key.to_user_string()}:{key.name}"
        + (" (blocking)" if asset_graph.get_check_spec(key).blocking else "")
        for key in asset_graph.asset_check_keys
        if not key.name.startswith(
            (
                "not_null_",
                "unique_",
                "accepted_values_",
                "column_values_",
                "relationships_",
                "unique_combination_",
                "source_",
            )
        )
    )
    return {
        "assets": {
            spec.key.to_user_string(): {
                "group": spec.group_name,
                "partitioned": spec.partitions_def is not None,
                "deps": sorted(dep.asset_key.to_user_string() for dep in spec.deps),
            }
            for spec in specs
        },
        "custom_checks": checks,
        "jobs": sorted(job.name for job in defs.resolve_all_job_defs() if not job.name.startswith("__")),
        "schedules": sorted(s.name for s in defs.schedules),
        "sensors": sorted(s.name for s in defs.sensors),
    }


def test_definitions_match_snapshot():
    current = describe_definitions()
    if os.environ.get("UPDATE_SNAPSHOTS") or not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    assert current == expected, "asset graph changed: review, then rerun with UPDATE_SNAPSHOTS=1"


def test_every_dbt_test_is_a_check_on_a_real_asset():
    asset_graph = defs.resolve_asset_graph()
    keys = set(asset_graph.get_all_asset_keys())
    checks = list(asset_graph.asset_check_keys)
    assert len(checks) > 100
    assert all(check.asset_key in keys for check in checks)
    assert AssetKey("mart_trade_target_progress") in keys
    assert AssetKey(["raw", "comtrade_records"]) in keys


def test_dbt_source_tests_are_checks_of_the_raw_assets_they_test():
    """A dbt test on a source (a loader's table) shows as a check of that raw asset, not as an
    observation no check view lists."""
    from orchestration.defs.assets.dbt import TRANSLATOR
    from orchestration.defs.project import dbt_project

    manifest = json.loads(dbt_project.manifest_path.read_text())
    checks = {
        (key.asset_key.to_user_string(), key.name) for key in defs.resolve_asset_graph().asset_check_keys
    }
    source_tests = [
        test
        for test in manifest["nodes"].values()
        if test["resource_type"] == "test"
        and any(n.startswith("source.") for n in test["depends_on"]["nodes"])
    ]
    assert len(source_tests) > 25  # one per source table (column_values), and none between sources
    for test in source_tests:
        # a relationships test between two sources is a check of one of them
        tested = {
            TRANSLATOR.get_asset_spec(manifest, n, None).key.to_user_string()
            for n in test["depends_on"]["nodes"]
            if n.startswith("source.")
        }
        assert any((key, test["name"]) in checks for key in tested), test["name"]
    # the not-null and accepted-values expectations of a source table are one test, a check of its
    # raw asset
    assert ("raw/comtrade_records", "source_column_values_raw_comtrade_records") in checks


def test_the_raw_load_check_blocks_everything_downstream():
    asset_graph = defs.resolve_asset_graph()
    raw_key = AssetKey(["raw", "comtrade_records"])
    raw_checks = [
        k
        for k in asset_graph.asset_check_keys
        if k.asset_key == raw_key and k.name == "comtrade_records_suite"
    ]
    assert len(raw_checks) == 1
    assert asset_graph.get_check_spec(raw_checks[0]).blocking
    downstream = asset_graph.get(AssetKey(["raw", "comtrade_records"])).child_keys
    assert AssetKey("stg_comtrade__records") in downstream


def test_a_load_job_is_its_feeds_loads_suites_and_freshness_checks():
    """The same job in the warehouse's definitions and in the loads' own (which `make warehouse`
    runs while dbt parses): the feeds' loads, their suites and freshness checks, no dbt test."""
    from catalog import feeds_of
    from orchestration.defs.assets.feeds import check_name, raw_key
    from orchestration.defs.loads import load_definitions

    loads = load_definitions()
    for job, partitioning in (
        ("load_daily", "daily"),
        ("load_monthly", "monthly"),
        ("load_land", "quarterly"),
    ):
        feeds = feeds_of(partitioning)
        keys = {raw_key(feed) for feed in feeds}
        suites = {(raw_key(feed), check_name(feed)) for feed in feeds}
        for definitions in (defs, loads):
            graph = definitions.resolve_job_def(job).asset_layer.asset_graph
            assert set(graph.executable_asset_keys) == keys
            checks = {(key.asset_key, key.name) for key in graph.asset_check_keys}
            assert suites <= checks
            assert {name for key, name in checks - suites} == {"freshness_check"}, job
            assert {key for key, _ in checks} == keys


def test_the_load_definitions_need_no_dbt_manifest():
    """In a fresh process, the loads' definitions and their jobs come without opening dbt's
    manifest, without dbt's assets (whose module reads it when imported) and without the
    warehouse's whole definitions."""
    code = (
        "import sys\n"
        "def no_manifest(event, args):\n"
        "    if event == 'open' and str(args[0]).endswith('manifest.json'):\n"
        "        raise RuntimeError(f'opened {args[0]}')\n"
        "sys.addaudithook(no_manifest)\n"
        "from orchestration.defs.loads import load_definitions\n"
        "load_definitions().resolve_job_def('load_daily')\n"
        "assert 'orchestration.defs.assets.dbt' not in sys.modules\n"
        "assert 'orchestration.definitions' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, cwd=REPO_ROOT
    )
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.fixture
def sensor_resources(warehouse_paths):
    return {
        "warehouse": WarehouseResource(root=str(warehouse_paths.root), landing=str(warehouse_paths.landing))
    }


def tick(resources, cursor=None):
    return landing_folder_sensor(build_sensor_context(resources=resources, cursor=cursor))


def two_ticks(resources, cursor=None):
    """A file is taken once it looks the same on two ticks in a row."""
    first = tick(resources, cursor)
    assert not first.run_requests
    return tick(resources, first.cursor)


def test_sensor_requests_one_run_over_the_months_new_files_hold(warehouse_paths, sensor_resources):
    write_csv(warehouse_paths.trade_landing / "kz.csv", month_records("202303") + month_records("202011"))

    result = two_ticks(sensor_resources)

    (run,) = result.run_requests
    assert (run.tags[RANGE_START], run.tags[RANGE_END]) == ("2020-11-01", "2023-03-01")
    assert run.job_name == "monthly_feeds"

    # Nothing new: skip. A late file for an old month: a run for just that month.
    assert not tick(sensor_resources, result.cursor).run_requests
    write_csv(warehouse_paths.trade_landing / "late.csv", [record(762, 398, "M", "201807", "TOTAL", 5.0)])
    late = two_ticks(sensor_resources, result.cursor)
    (late_run,) = late.run_requests
    assert (late_run.tags[RANGE_START], late_run.tags[RANGE_END]) == ("2018-07-01", "2018-07-01")


def test_sensor_requests_an_appeals_run_for_the_days_of_new_exports(warehouse_paths, sensor_resources):
    folder = warehouse_paths.landing / "eotinish"
    write_jsonl(folder / "appeals_2024-03-05.jsonl", [appeal(1, "2024-03-05")])
    write_jsonl(folder / "appeal_events_2024-03-07.jsonl", [])

    result = two_ticks(sensor_resources)

    (run,) = result.run_requests
    assert run.job_name == "daily_feeds"
    assert (run.tags[RANGE_START], run.tags[RANGE_END]) == ("2024-03-05", "2024-03-07")


def test_sensor_requests_a_land_run_for_the_quarters_of_new_files(warehouse_paths, sensor_resources):
    folder = warehouse_paths.landing / "land"
    folder.mkdir(parents=True)
    (folder / "land_parcels_2023-Q2.csv").write_text("cadastral_number\n")
    (folder / "subsoil_detections_2024-Q1.csv").write_text("detection_id\n")
    (folder / "land_parcels_2024.csv").write_text("cadastral_number\n")  # no quarter: not a land file

    result = two_ticks(sensor_resources)

    (run,) = result.run_requests
    assert run.job_name == "land_quarterly"
    assert (run.tags[RANGE_START], run.tags[RANGE_END]) == ("2023-04-01", "2024-01-01")


def test_sensor_says_which_files_no_load_reads_for_their_path(warehouse_paths, tmp_path):
    """An eOtinish file whose name holds an IIN is refused: the sensor requests nothing and says
    why, the name redacted, in its skip reason. Under a landing folder whose own path holds one,
    every feed would refuse every file: the tick fails at once, the IIN masked."""
    landing = tmp_path / "exports"
    (landing / "eotinish").mkdir(parents=True)
    (landing / "eotinish" / "appeals_900315300123_2024-01-02.jsonl").write_text("{}\n")
    resources = {"warehouse": WarehouseResource(root=str(tmp_path / "warehouse"), landing=str(landing))}

    result = two_ticks(resources)

    assert not result.run_requests
    reason = result.skip_reason.skip_message
    assert "1 file(s) not read for their path" in reason and "the file name holds an IIN" in reason
    assert "appeals_iin:" in reason and "900315300123" not in reason + result.cursor

    named = tmp_path / "exports_900315300123"
    write_csv(named / "trade" / "kz.csv", month_records("202303"))
    resources = {"warehouse": WarehouseResource(root=str(tmp_path / "warehouse"), landing=str(named))}
    with pytest.raises(ValueError, match="landing folder's path holds an IIN") as refused:
        tick(resources)
    assert "exports_iin:redacted" in str(refused.value) and "900315300123" not in str(refused.value)


def test_the_monthly_files_job_rebuilds_only_what_is_downstream_of_them():
    """New monthly files (the sensor's run) load the monthly feeds and rebuild what reads them,
    with its checks; not the reference tables, nor the models and checks of the daily and
    quarterly feeds, which build_warehouse (the monthly schedule, make warehouse) also rebuilds."""
    from orchestration.defs.jobs import monthly_feeds_job

    graph = defs.resolve_asset_graph()
    assets = {key.to_user_string() for key in monthly_feeds_job.selection.resolve(graph)}
    checks = {key.name for key in monthly_feeds_job.selection.resolve_checks(graph)}
    assert {"raw/comtrade_records", "raw/family_income", "fct_trade_flows", "mart_commodity_mix"} <= assets
    assert {"serving_copy", "report", "dbt_docs_site"} <= assets
    assert not assets & {"ref/kato_units", "raw/trade_reference", "raw/land_parcels", "fct_appeals"}
    assert "comtrade_records_suite" in checks and "column_values_fct_trade_flows" in checks
    assert not {name for name in checks if "appeal" in name or "land_" in name}
    # the seeds and reference tables, which build_warehouse reloads, must exist already: the sensor
    # needs the warehouse built once (README "Adding data")
    assert not {key for key in assets if key.startswith("ref/") or key in ("hs_chapters", "family_levels")}


def test_sensor_waits_for_a_file_still_being_copied(warehouse_paths, sensor_resources):
    path = warehouse_paths.trade_landing / "kz.csv"
    rows = month_records("202303")
    write_csv(path, rows[:2])
    first = tick(sensor_resources)
    write_csv(path, rows)  # still growing at the next tick: not taken
    second = tick(sensor_resources, first.cursor)
    assert not second.run_requests
    third = tick(sensor_resources, second.cursor)  # the same as at the last tick: taken
    (run,) = third.run_requests
    assert run.tags[RANGE_START] == "2023-03-01"
    assert not tick(sensor_resources, third.cursor).run_requests


def test_each_land_load_check_blocks_its_downstream_assets():
    asset_graph = defs.resolve_asset_graph()
    for feed in (
        "land_parcels",
        "land_observations",
        "land_parcel_events",
        "subsoil_sites",
        "subsoil_detections",
    ):
        key = AssetKey(["raw", feed])
        checks = {
            k.name: k
            for k in asset_graph.asset_check_keys
            if k.asset_key == key and not k.name.startswith("source_")
        }  # dbt's, above
        assert set(checks) == {f"{feed}_suite", "freshness_check"}
        assert asset_graph.get_check_spec(checks[f"{feed}_suite"]).blocking
    detections = asset_graph.get(AssetKey(["raw", "subsoil_detections"]))
    assert AssetKey(["raw", "subsoil_sites"]) in detections.parent_keys


def test_bilateral_sensor_requests_a_run_when_the_reviewed_files_change():
    from orchestration.defs.sensors import bilateral_files_sensor

    first = bilateral_files_sensor(build_sensor_context())
    (run,) = first.run_requests
    assert run.job_name == "bilateral_update"
    again = bilateral_files_sensor(build_sensor_context(cursor=first.cursor))
    assert not again.run_requests
    changed = bilateral_files_sensor(build_sensor_context(cursor=first.cursor.replace(":", ";", 1)))
    assert [r.job_name for r in changed.run_requests] == ["bilateral_update"]


def test_model_docs_are_the_descriptions_of_the_tables_dbt_builds(tmp_path):
    """By the table each model or seed builds (its alias when it has one); sources and tests are
    not published tables; an undocumented column has an empty description."""
    from orchestration.defs.assets.publishing import model_docs

    def node(kind, name, description="", columns=(), alias=None):
        return {
            "resource_type": kind,
            "name": name,
            "alias": alias,
            "description": description,
            "columns": {c: {"name": c, "description": d} for c, d in columns},
        }

    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "nodes": {
                    "model.p.mart_x_v2": node(
                        "model",
                        "mart_x_v2",
                        "Turnover",
                        [("Period", "The month"), ("usd", "")],
                        alias="mart_x",
                    ),
                    "seed.p.hs_chapters": node("seed", "hs_chapters", "HS chapters"),
                    "test.p.unique_mart_x": node("test", "unique_mart_x", "a test"),
                }
            }
        )
    )
    docs = model_docs(manifest)
    assert set(docs) == {"mart_x", "hs_chapters"}
    assert docs["mart_x"].description == "Turnover"
    assert dict(docs["mart_x"].columns) == {"Period": "The month", "usd": ""}
    assert docs["hs_chapters"].description == "HS chapters"


def test_the_docs_page_is_made_again_only_when_the_project_or_the_columns_changed():
    """Two parses of the same project differ in their metadata and every node's created_at: the
    docs fingerprint does not; a changed description (of a model, or of a column named
    `created_at`), a dbt upgrade or a changed column type in the warehouse changes it. The
    project's own manifest (parsed by the test session) as the base."""
    from orchestration.defs.assets.publishing import docs_fingerprint
    from orchestration.defs.project import dbt_project

    manifest = json.loads(dbt_project.manifest_path.read_text())
    columns = [("marts", "fct_appeals", "appeal_id", "VARCHAR")]
    fingerprint = docs_fingerprint(json.dumps(manifest).encode(), columns)

    def changed(edit, columns=columns) -> bool:
        copy = json.loads(json.dumps(manifest))
        edit(copy)
        return docs_fingerprint(json.dumps(copy).encode(), columns) != fingerprint

    def reparsed(m):
        m["metadata"]["generated_at"] = "2030-01-01T00:00:00Z"
        m["metadata"]["invocation_id"] = "another"
        for group in ("nodes", "macros", "sources"):
            for node in m[group].values():
                node["created_at"] += 1000.0

    assert not changed(reparsed)
    model = next(k for k, n in manifest["nodes"].items() if n["resource_type"] == "model")
    assert changed(lambda m: m["nodes"][model].update(description="changed"))
    column_named_created_at = next(
        (k, c) for k, n in manifest["nodes"].items() for c in n.get("columns", {}) if c == "created_at"
    )
    assert changed(
        lambda m: m["nodes"][column_named_created_at[0]]["columns"]["created_at"].update(description="x")
    )
    assert changed(lambda m: m["metadata"].update(dbt_version="9.9.9"))
    assert changed(lambda m: None, columns=[("marts", "fct_appeals", "appeal_id", "BIGINT")])
