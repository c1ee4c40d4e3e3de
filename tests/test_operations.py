"""Operating the warehouse: failed runs are recorded with their failing step and error, a step that
hits DuckDB's file lock is retried with back-off, and a feed that has not loaded within its
interval shows as stale. Real Dagster, DuckDB and Great Expectations on temporary folders."""

import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta

import duckdb
import pytest
from comtrade_files import month_records, write_csv
from dagster import (
    AssetMaterialization,
    AssetSelection,
    DagsterEventType,
    DagsterInstance,
    build_run_status_sensor_context,
    materialize,
)
from dagster._core.test_utils import freeze_time

from catalog.trade import COMTRADE
from orchestration.defs.assets.feeds import load_asset
from orchestration.defs.assets.reference import ref_kz_regions
from orchestration.defs.assets.trade import ref_country_codes
from orchestration.defs.operations import FEED_INTERVALS, freshness_checks, record_run_failures
from orchestration.defs.resources import WarehouseResource

# Dagster runs (materialize) against a warehouse.
pytestmark = pytest.mark.integration


def resources(paths):
    return {"warehouse": WarehouseResource(root=str(paths.root), landing=str(paths.landing))}


def test_a_failed_run_is_recorded_with_its_failing_step_and_error(warehouse_paths):
    bad = month_records("202303")
    bad[2]["flowCode"] = "Z"
    write_csv(warehouse_paths.trade_landing / "kz_2023_03.csv", bad)
    instance = DagsterInstance.ephemeral()
    result = materialize(
        [ref_country_codes, load_asset(COMTRADE)],
        partition_key="2023-03-01",
        resources=resources(warehouse_paths),
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    failure = next(e for e in instance.all_logs(run.run_id, of_type=DagsterEventType.RUN_FAILURE))

    context = build_run_status_sensor_context(
        sensor_name="record_run_failures",
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=failure.dagster_event,
        resources=resources(warehouse_paths),
    ).for_run_failure()
    record_run_failures(context)
    record_run_failures(context)  # the same run twice is one record

    with duckdb.connect(str(warehouse_paths.operations_db), read_only=True) as con:
        rows = con.execute(
            "select run_id, partition_range, step_key, error_class, error_message from run_failures"
        ).fetchall()
    ((run_id, partitions, step, error_class, message),) = rows
    assert run_id == result.run_id and partitions == "2023-03-01"
    assert step == "raw__comtrade_records"
    assert error_class == "Failure"
    assert "kz_2023_03.csv, line 4, column flowCode" in message


def test_a_step_blocked_by_the_warehouse_lock_is_retried_with_back_off(warehouse_paths):
    warehouse_paths.root.mkdir(parents=True, exist_ok=True)
    # Another process holds DuckDB's write lock on the warehouse file for a few seconds.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import duckdb, time
        con = duckdb.connect({str(warehouse_paths.warehouse_db)!r})
        print("locked", flush=True)
        time.sleep(4)
    """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        result = materialize(
            [ref_kz_regions],
            resources=resources(warehouse_paths),
            instance=DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
        elapsed = time.monotonic() - started
    finally:
        holder.wait(timeout=30)
    assert result.success
    retried = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_UP_FOR_RETRY]
    assert retried, "the first attempt should have met the lock and asked for a retry"
    assert "IOException" in _error_classes(retried[0].event_specific_data.error)  # "Could not set lock"
    assert retried[0].event_specific_data.seconds_to_wait == 5
    assert elapsed > 4  # it waited (back-off), it did not spin
    with duckdb.connect(str(warehouse_paths.warehouse_db), read_only=True) as con:
        assert con.execute("select count(*) from ref.kz_regions").fetchone()[0] == 20


def test_a_rejected_load_is_not_retried(warehouse_paths):
    bad = month_records("202303")
    bad[1]["primaryValue"] = "-5"
    write_csv(warehouse_paths.trade_landing / "kz.csv", bad)
    result = materialize(
        [ref_country_codes, load_asset(COMTRADE)],
        partition_key="2023-03-01",
        resources=resources(warehouse_paths),
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not result.success
    assert not [e for e in result.all_events if e.event_type == DagsterEventType.STEP_UP_FOR_RETRY]


@pytest.mark.parametrize("feed", sorted(FEED_INTERVALS))
def test_a_feed_not_loaded_within_its_interval_shows_as_stale(feed):
    interval, keys = FEED_INTERVALS[feed]
    instance = DagsterInstance.ephemeral()
    stale_key, fresh_keys = keys[0], keys[1:]
    # One asset of the feed last loaded just beyond its interval, the others just now.
    with freeze_time(datetime.now(UTC) - interval - timedelta(hours=1)):
        instance.report_runless_asset_event(AssetMaterialization(asset_key=stale_key))
    for key in fresh_keys:
        instance.report_runless_asset_event(AssetMaterialization(asset_key=key))

    result = materialize(
        freshness_checks,
        instance=instance,
        selection=AssetSelection.checks_for_assets(*keys),
        raise_on_error=False,
    )

    outcome = {e.asset_key: e.passed for e in result.get_asset_check_evaluations()}
    assert outcome == {stale_key: False, **{key: True for key in fresh_keys}}


def _error_classes(error) -> set[str]:
    """The exception classes of an error and of its causes and contexts."""
    found = set()
    while error is not None:
        found.add(error.cls_name)
        error = error.cause or error.context
    return found
