"""The serving copy is not published while a dbt build is unfinished: a dbt step that failed or
was killed leaves the models it did not build recorded in the warehouse (meta.dbt_unfinished), and
serving_copy (in whatever job runs it next) refuses until a build has built them. Without that, a
monthly run whose dbt_marts died left fct_trade_flows with the new month and the marts without it,
and the next daily run published that mix. Real Dagster, dbt and DuckDB on a small warehouse of
its own (two months of Comtrade files; the other feeds have none)."""

import os
import signal
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from comtrade_files import month_records, write_csv
from dagster import AssetSelection, DagsterInstance, materialize

from demo.appeals import write_bundled_appeals
from demo.family import write_family
from demo.land import write_bundled_land
from ingest import family
from ingest.serving import UNFINISHED_MODELS, record_unfinished
from ingest.settings import WarehousePaths
from orchestration.defs.resources import WarehouseResource, dbt_resource

pytestmark = pytest.mark.integration

# The months of the small family set (demo.family) and the month after them.
FIRST_MONTHS = ("2023-01-01", "2023-02-01")
NEW_MONTH = "2023-03-01"
# The dbt command of the dbt_marts step (dagster-dbt passes the step's selection as arguments).
MARTS_SELECTION = "--select tag:partition_window+ --exclude tag:partition_window"


def range_tags(first: str, last: str) -> dict[str, str]:
    return {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}


def run(paths: WarehousePaths, instance, selection, window: tuple[str, str] | None = None):
    from orchestration.definitions import defs

    return materialize(
        list(defs.assets),
        selection=selection,
        resources={
            "warehouse": WarehouseResource(root=str(paths.root), landing=str(paths.landing)),
            "dbt": dbt_resource(),
        },
        instance=instance,
        tags=range_tags(*window) if window else None,
        raise_on_error=False,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A warehouse built as `make warehouse` builds it (the daily and quarterly loads, then the
    rest over the months) on small sets, its serving copy published."""
    from catalog.family import PROACTIVE_EVENTS
    from orchestration.defs.assets.feeds import raw_key
    from orchestration.defs.jobs import (
        AFTER_DAILY_AND_QUARTERLY_LOADS,
        DAILY_RAW,
        DBT_SOURCE_CHECKS,
        LAND_RAW,
    )

    root = tmp_path_factory.mktemp("consistency")
    paths = WarehousePaths(root=root / "warehouse", landing=root / "landing")
    with pytest.MonkeyPatch.context() as patch:  # dbt's profile reads the environment
        for name, value in {**paths.export_env(), "DAGSTER_HOME": str(root / "dagster_home")}.items():
            patch.setenv(name, value)
        for month in FIRST_MONTHS:
            period = month[:7].replace("-", "")
            write_csv(paths.trade_landing / f"kz_{period}.csv", month_records(period))
        write_bundled_appeals(paths.landing / "eotinish", start=date(2024, 1, 1), days=2)
        write_bundled_land(paths.landing / "land", parcels=40, sites=5)
        write_family(paths.landing / family.LANDING_SUBDIR, families=200)
        instance = DagsterInstance.ephemeral()
        assert run(paths, instance, DAILY_RAW, ("2024-01-01", "2024-01-02")).success
        family_events = AssetSelection.assets(raw_key(PROACTIVE_EVENTS)) - DBT_SOURCE_CHECKS
        assert run(paths, instance, family_events, ("2023-01-01", "2023-02-28")).success
        assert run(paths, instance, LAND_RAW, ("2022-01-01", "2025-10-01")).success
        assert run(paths, instance, AFTER_DAILY_AND_QUARTERLY_LOADS, FIRST_MONTHS).success
        yield paths, instance


def kill_dbt_of_marts(stop: threading.Event, killed: list[int]) -> None:
    """SIGKILL the dbt process of the dbt_marts step as soon as it appears: a child of this
    process (the in-process executor starts dbt), never another one's dbt on the machine."""
    while not stop.is_set():
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, ValueError, IndexError):
                continue
            if parent == os.getpid() and " build " in command and MARTS_SELECTION in command:
                os.kill(int(pid), signal.SIGKILL)
                killed.append(int(pid))
                return
        time.sleep(0.02)


def unfinished(paths: WarehousePaths) -> list[tuple[str, str, str]]:
    with duckdb.connect(str(paths.warehouse_db), read_only=True) as con:
        return con.execute(f"select model, run_id, step from {UNFINISHED_MODELS} order by model").fetchall()


def serving_state(paths: WarehousePaths) -> tuple[bytes, str]:
    """The serving database's bytes and the Parquet build analysts read."""
    return paths.serving_db.read_bytes(), (paths.serving_parquet / "CURRENT").read_text()


def serving_query(paths: WarehousePaths, sql: str):
    with duckdb.connect(str(paths.serving_db), read_only=True) as con:
        return con.execute(sql).fetchall()


def serving_copy_failure(result) -> str:
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "serving_copy"
    return failure.step_failure_data.user_failure_data.description


def test_a_killed_dbt_step_blocks_the_serving_copy_until_a_build_finishes_it(built):
    from orchestration.defs.jobs import monthly_feeds_job

    paths, instance = built
    assert unfinished(paths) == []
    period = NEW_MONTH[:7].replace("-", "")
    write_csv(paths.trade_landing / f"kz_{period}.csv", month_records(period))
    stop, killed = threading.Event(), []
    killer = threading.Thread(target=kill_dbt_of_marts, args=(stop, killed))
    killer.start()
    try:
        failed = run(paths, instance, monthly_feeds_job.selection, (NEW_MONTH, NEW_MONTH))
    finally:
        stop.set()
        killer.join()
    assert killed, "dbt_marts' dbt never started"
    assert not failed.success
    # The facts have the new month, the marts were not built: all of dbt_marts' models unfinished.
    left = unfinished(paths)
    assert {run_id for _, run_id, _ in left} == {failed.run_id}
    assert {step for _, _, step in left} == {"dbt_marts"}
    models = [model for model, _, _ in left]
    assert {"mart_bilateral_turnover", "mart_commodity_mix"} <= set(models)
    assert "fct_trade_flows" not in models
    before = serving_state(paths)

    # The next run of another job that publishes (here serving_copy alone) refuses.
    refused = run(paths, instance, AssetSelection.assets("serving_copy"))
    assert not refused.success
    message = serving_copy_failure(refused)
    assert failed.run_id in message and models[0] in message
    assert f"and {len(models) - 5} more" in message
    assert serving_state(paths) == before
    assert unfinished(paths) == left
    assert serving_query(paths, f"select count(*) from marts.fct_trade_flows where period = '{period}'") == [
        (0,)
    ]

    # The failed run again, whole: everything built, the copy published with the month throughout.
    again = run(paths, instance, monthly_feeds_job.selection, (NEW_MONTH, NEW_MONTH))
    assert again.success
    assert unfinished(paths) == []
    assert serving_state(paths)[1] != before[1]
    assert serving_query(
        paths, f"select count(*) > 0 from marts.fct_trade_flows where period = '{period}'"
    ) == [(True,)]
    assert serving_query(
        paths, f"select count(*) > 0 from marts.mart_commodity_mix where period = '{period}'"
    ) == [(True,)]


def test_the_refusal_names_a_few_models_and_the_runs_that_left_them(built):
    from orchestration.defs.assets.publishing import DBT_MODEL_NAMES

    paths, instance = built
    models = sorted(DBT_MODEL_NAMES)[:7]
    with duckdb.connect(str(paths.warehouse_db)) as con:
        record_unfinished(con, models, "run-a", "dbt_marts")
        # A model since removed from the project holds nothing back.
        record_unfinished(con, ["mart_removed_since"], "run-b", "dbt_marts")
    try:
        refused = run(paths, instance, AssetSelection.assets("serving_copy"))
    finally:
        with duckdb.connect(str(paths.warehouse_db)) as con:
            con.execute(f"delete from {UNFINISHED_MODELS}")
    message = serving_copy_failure(refused)
    assert f"run(s) run-a: {', '.join(models[:5])} and 2 more." in message
    assert "run-b" not in message and "mart_removed_since" not in message


def test_the_instance_runs_one_run_at_a_time(tmp_path, monkeypatch):
    """Steps of two runs interleaved (the writer pool limits steps, not runs) let a run's
    serving_copy publish between another run's dbt_incremental and dbt_marts: queued runs (sensors,
    schedules, the UI) start one at a time."""
    from dagster import DagsterInstance
    from dagster._core.run_coordinator import QueuedRunCoordinator

    from orchestration.build import DAGSTER_YAML

    (tmp_path / "dagster.yaml").write_text(DAGSTER_YAML)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    instance = DagsterInstance.from_config(str(tmp_path))
    try:
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
    finally:
        instance.dispose()
