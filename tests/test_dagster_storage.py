"""The Dagster home's storage keeps one SQLAlchemy engine per SQLite file
(orchestration/dagster_storage.py), in the files Dagster's own storage reads and writes."""

import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path

import dagster._core.storage.event_log.sqlite.sqlite_event_log as dagster_event_log
import dagster._core.storage.runs.sqlite.sqlite_run_storage as dagster_run_storage
import pytest
import sqlalchemy
from dagster import (
    AssetKey,
    DagsterInstance,
    MonthlyPartitionsDefinition,
    asset,
    materialize,
)
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage

import orchestration.dagster_storage as warehouse_storage
from orchestration.build import prepare_dagster_home
from orchestration.dagster_storage import (
    KEPT_ENGINES,
    EngineKeepingEventLogStorage,
    EngineKeepingRunStorage,
    WarehouseSqliteStorage,
)

MONTHS = MonthlyPartitionsDefinition(start_date="2024-01-01", end_date="2024-07-01")


@asset(partitions_def=MONTHS)
def monthly_numbers(context) -> int:
    return len(context.partition_keys)


@contextmanager
def counting_engines(monkeypatch, module):
    """Counts the engines `module` creates while the block runs."""
    made: list[str] = []

    def create_engine(url, *args, **kwargs):
        made.append(str(url))
        return sqlalchemy.create_engine(url, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(module, "create_engine", create_engine)
        yield made


def test_dagster_makes_an_engine_for_every_connection(tmp_path, monkeypatch):
    """The gap this accommodation closes. If this fails, Dagster keeps its engines itself: remove
    orchestration/dagster_storage.py and its entry in orchestration.build.DAGSTER_YAML."""
    events = SqliteEventLogStorage(str(tmp_path / "events"))
    runs = SqliteRunStorage.from_local(str(tmp_path / "runs"))
    with counting_engines(monkeypatch, dagster_event_log) as made:
        for _ in range(3):
            with events.index_connection() as conn:
                conn.execute(sqlalchemy.text("select 1"))
    assert len(made) == 3
    with counting_engines(monkeypatch, dagster_run_storage) as made:
        for _ in range(3):
            with runs.connect() as conn:
                conn.execute(sqlalchemy.text("select 1"))
    assert len(made) == 3


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    return prepare_dagster_home()


def test_the_dagster_home_keeps_one_engine_per_file(home, monkeypatch):
    with DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, EngineKeepingEventLogStorage)
        assert isinstance(instance.run_storage, EngineKeepingRunStorage)
        with counting_engines(monkeypatch, warehouse_storage) as made:
            for month in ("2024-01-01", "2024-02-01", "2024-03-01"):
                result = materialize([monthly_numbers], instance=instance, partition_key=month)
                assert result.success
        # one engine per file, however many events: each run's own, the index and runs.db
        assert sorted(Path(url).name for url in made) == sorted(
            ["index.db", "runs.db"] + [f"{run_id}.db" for run_id in instance.get_run_ids()]
        )
        assert len(result.get_asset_materialization_events()) == 1


def test_dagster_storage_reads_what_the_warehouse_storage_wrote(home):
    with DagsterInstance.get() as instance:
        result = materialize([monthly_numbers], instance=instance, partition_key="2024-05-01")
        written = [e.dagster_event_type for e in instance.all_logs(result.run_id)]
    # The same home without the storage entry: Dagster's own SQLite storage, same files.
    config = home / "dagster.yaml"
    config.write_text(config.read_text().split("storage:\n  custom:")[0] + "telemetry:\n  enabled: false\n")
    with DagsterInstance.get() as instance:
        assert type(instance.event_log_storage) is SqliteEventLogStorage
        assert [e.dagster_event_type for e in instance.all_logs(result.run_id)] == written
        assert instance.get_run_by_id(result.run_id).is_success
        latest = instance.get_latest_materialization_event(AssetKey("monthly_numbers"))
        assert latest.run_id == result.run_id


def test_a_wiped_or_evicted_file_gets_a_new_engine(tmp_path):
    storage = WarehouseSqliteStorage.from_local(str(tmp_path))
    events = storage.event_log_storage
    for connection in (events.run_connection("run-a"), events.index_connection()):
        with connection as conn:
            conn.execute(sqlalchemy.text("select count(*) from event_logs"))
    first, index_held_open = events._engines["run-a"], events._index_held_open
    events.wipe()  # deletes the run files: the next connection makes the tables again
    with events.run_connection("run-a") as conn:
        assert conn.execute(sqlalchemy.text("select count(*) from event_logs")).scalar() == 0
    assert events._engines["run-a"] is not first
    # wipe empties the index in a connection of a new engine: the old connection held open closed
    assert events._index_held_open is not index_held_open and index_held_open.dbapi_connection is None
    for n in range(KEPT_ENGINES + 5):
        with events.run_connection(f"run-{n}"):
            pass
    # the index file's engine (used by wipe) and the latest runs' are kept
    assert list(events._engines) == ["index"] + [f"run-{n}" for n in range(5, KEPT_ENGINES + 5)]


def test_the_index_and_runs_files_are_held_open_and_a_runs_own_file_is_not(home):
    """A query closing the last connection to a file checkpoints and deletes its WAL (~1 ms): the
    index file and runs.db keep a connection open, so their WAL stays. A run's own file is left to
    close, because the Dagster UI follows a run's events by watching that file change, which it
    does when its WAL is checkpointed at the close: no WAL of a run's file is left behind."""
    with DagsterInstance.get() as instance:
        result = materialize([monthly_numbers], instance=instance, partition_key="2024-06-01")
        history = home / "history"
        assert (history / "runs" / "index.db-wal").exists() and (history / "runs.db-wal").exists()
        run_file = history / "runs" / f"{result.run_id}.db"
        assert not run_file.with_name(run_file.name + "-wal").exists()
        # The run's events are in its file itself (immutable: SQLite reads no WAL), as the UI's
        # watcher needs.
        with closing(sqlite3.connect(f"file:{run_file}?immutable=1", uri=True)) as con:
            (written,) = con.execute("select count(*) from event_logs").fetchone()
        assert written == len(instance.all_logs(result.run_id)) > 0
    # Disposed with the instance: nothing holds the files open, SQLite removed their WAL.
    assert not (history / "runs" / "index.db-wal").exists() and not (history / "runs.db-wal").exists()
