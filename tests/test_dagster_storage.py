"""The Dagster home's storage keeps one SQLAlchemy engine per SQLite file
(orchestration/dagster_storage.py), in the files Dagster's own storage reads and writes."""

import os
import sqlite3
import time
from contextlib import closing, contextmanager
from pathlib import Path

import dagster._core.storage.event_log.sqlite.sqlite_event_log as dagster_event_log
import dagster._core.storage.runs.sqlite.sqlite_run_storage as dagster_run_storage
import pytest
import sqlalchemy
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetKey,
    BackfillPolicy,
    DagsterEventType,
    DagsterInstance,
    MaterializeResult,
    MonthlyPartitionsDefinition,
    asset,
    materialize,
)
from dagster._core.events import BATCH_WRITABLE_EVENTS
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.base import EventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage

import orchestration.dagster_storage as warehouse_storage
from orchestration.build import prepare_dagster_home
from orchestration.dagster_storage import (
    EVENT_BATCH_SIZE,
    EVENT_BATCH_SIZE_VARIABLE,
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
    # As on a machine where it is not set: the event log sets it. setenv first, so that the
    # variable is removed again after the test (delenv alone records nothing when it is unset).
    monkeypatch.setenv(EVENT_BATCH_SIZE_VARIABLE, "")
    monkeypatch.delenv(EVENT_BATCH_SIZE_VARIABLE)
    return prepare_dagster_home()


def test_the_dagster_home_keeps_one_engine_per_file(home, monkeypatch):
    with DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, EngineKeepingEventLogStorage)
        assert isinstance(instance.run_storage, EngineKeepingRunStorage)
        with (
            counting_engines(monkeypatch, warehouse_storage) as made,
            counting_engines(monkeypatch, dagster_event_log) as made_by_dagster,
        ):
            for month in ("2024-01-01", "2024-02-01", "2024-03-01"):
                result = materialize([monthly_numbers], instance=instance, partition_key=month)
                assert result.success
        # one engine per file, however many events: each run's own, the index and runs.db
        assert sorted(Path(url).name for url in made) == sorted(
            ["index.db", "runs.db"] + [f"{run_id}.db" for run_id in instance.get_run_ids()]
        )
        # none by Dagster's own code (its has_table makes one per call, for most events)
        assert made_by_dagster == []
        # commits do not wait for the disk (synchronous=NORMAL, 1), in every file
        for engine in (*instance.event_log_storage._engines.values(), instance.run_storage._engine()):
            with engine.connect() as conn:
                assert conn.exec_driver_sql("pragma synchronous").scalar() == 1
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
    first, index = events._engines["run-a"], events._engines["index"]
    old_pool, run_pool = index.pool, first.pool  # (dispose gives an engine a new, empty pool)
    pooled = old_pool.checkedin()
    assert run_pool.checkedin() == 1
    events.wipe()  # deletes the run files: the next connection makes the tables again
    assert run_pool.checkedin() == 0  # closed by wipe, not left open on the deleted file
    with events.run_connection("run-a") as conn:
        assert conn.execute(sqlalchemy.text("select count(*) from event_logs")).scalar() == 0
    assert events._engines["run-a"] is not first
    # wipe empties the index in a connection of a new engine: the old engine's pooled connection
    # was closed (its pool replaced by an empty one)
    assert pooled == 1 and events._engines["index"] is not index and old_pool.checkedin() == 0
    for n in range(KEPT_ENGINES + 5):
        with events.run_connection(f"run-{n}"):
            pass
    # the index file's engine (used by wipe) and the latest runs' are kept
    assert list(events._engines) == ["index"] + [f"run-{n}" for n in range(5, KEPT_ENGINES + 5)]


def test_every_file_is_held_open_for_the_whole_run(home, monkeypatch):
    """A query closing the last connection to a file checkpoints and deletes its WAL (~1 ms):
    every file keeps a pool of open connections, so its WAL stays and a query opens no connection
    (one per thread querying at once, at most). When the instance is disposed, the connections
    close and the events are in the files themselves."""
    opened: list[str] = []

    def count(dbapi_connection, _record):
        (_, _, path), *_ = dbapi_connection.execute("pragma database_list").fetchall()
        opened.append(Path(path).name)

    with monkeypatch.context() as patch:
        make_engine = warehouse_storage._make_engine

        def counting_engine(url, **kwargs):
            engine = make_engine(url, **kwargs)
            sqlalchemy.event.listen(engine, "connect", count)
            return engine

        patch.setattr(warehouse_storage, "_make_engine", counting_engine)
        with DagsterInstance.get() as instance:
            first = materialize([monthly_numbers], instance=instance, partition_key="2024-05-01")
            opened_by_first = list(opened)
            result = materialize([monthly_numbers], instance=instance, partition_key="2024-06-01")
            history = home / "history"
            run_file = history / "runs" / f"{result.run_id}.db"
            wal_files = [
                history / "runs" / "index.db-wal",
                history / "runs.db-wal",
                run_file.with_name(run_file.name + "-wal"),
            ]
            assert all(wal.exists() for wal in wal_files)
            written = len(instance.all_logs(result.run_id))
    # Each run writes ~20 events to the index and to its own file. The second opened no
    # connection to the index or runs.db, and to its own file only those that made its tables
    # (Dagster's _initdb opens two) and one for its events.
    for name in ("index.db", "runs.db"):
        assert opened.count(name) == opened_by_first.count(name) > 0
    assert opened.count(f"{first.run_id}.db") == opened.count(f"{result.run_id}.db") == 3 < written
    # Disposed with the instance: nothing holds the files open, SQLite removed their WAL and the
    # run's events are in its file itself (immutable: SQLite reads no WAL).
    assert not any(wal.exists() for wal in wal_files)
    with closing(sqlite3.connect(f"file:{run_file}?immutable=1", uri=True)) as con:
        (in_file,) = con.execute("select count(*) from event_logs").fetchone()
    assert in_file == written > 0


def test_the_ui_sees_a_runs_events_while_the_run_holds_its_file_open(home):
    """The Dagster UI follows a run by watching its file (`watch`): the events of a run whose
    process keeps its connection open are in the file's WAL, not in the file the watcher watches:
    the storage touches the file after each commit, so the watcher sees each event as it is
    written, not at the run's end."""
    seen: list[str] = []
    with DagsterInstance.get() as writer, DagsterInstance.get() as ui:
        run_id = "watched-run"
        ui.event_log_storage.watch(run_id, None, lambda entry, _cursor: seen.append(entry.user_message))
        for n in range(3):
            writer.event_log_storage.store_event(_log_entry(run_id, f"message {n}"))
            assert _eventually(lambda n=n: len(seen) == n + 1), seen
        # a batch of events (a run's planned events, a step's materializations) is one commit
        writer.event_log_storage.store_event_batch([_log_entry(run_id, f"batch {n}") for n in range(2)])
        assert _eventually(lambda: len(seen) == 5), seen
        # the writer's connection to the run's file is still open: its events are in the WAL
        run_file = Path(writer.event_log_storage.path_for_shard(run_id))
        assert run_file.with_name(run_file.name + "-wal").exists()
        # A read touches nothing (or each watcher's read would wake it again, without end).
        touched = run_file.stat().st_mtime_ns
        assert len(writer.event_log_storage.get_records_for_run(run_id).records) == 5
        time.sleep(0.6)  # (watchdog holds a file's events for 0.5 s)
        assert run_file.stat().st_mtime_ns == touched and len(seen) == 5
    assert seen == ["message 0", "message 1", "message 2", "batch 0", "batch 1"]


def _log_entry(run_id: str, message: str) -> EventLogEntry:
    return EventLogEntry(
        error_info=None,
        level="INFO",
        user_message=message,
        run_id=run_id,
        timestamp=time.time(),
    )


def _eventually(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_dagster_writes_a_batch_of_events_one_event_at_a_time():
    """The gap store_event_batch closes. If this fails, Dagster's SQLite event log writes a batch
    itself: drop EngineKeepingEventLogStorage.store_event_batch and its batch connections."""
    assert SqliteEventLogStorage.store_event_batch is EventLogStorage.store_event_batch
    assert EngineKeepingEventLogStorage.store_event_batch is not EventLogStorage.store_event_batch


CHECKED = AssetCheckSpec("positive", asset="checked_months")


@asset(partitions_def=MONTHS, backfill_policy=BackfillPolicy.single_run(), check_specs=[CHECKED])
def checked_months(context):
    yield MaterializeResult()
    yield AssetCheckResult(check_name="positive", passed=True)


def _written(instance, run_id) -> list[tuple]:
    return [
        (e.dagster_event_type, e.dagster_event.asset_key, e.dagster_event.partition)
        for e in instance.all_logs(run_id)
        if e.dagster_event and e.dagster_event.asset_key
    ]


def test_a_batch_of_events_is_one_transaction_per_file(home, monkeypatch):
    """A run of six partitions writes its 6 planned materializations, its planned check and its
    6 materializations as two batches: each opens one connection on the run's file and one on the
    index (written one by one, every event opens its own). The events and the index are those of
    a run written event by event."""
    months = {
        "dagster/asset_partition_range_start": "2024-01-01",
        "dagster/asset_partition_range_end": "2024-06-01",
    }
    with DagsterInstance.get() as instance:
        assert os.environ[EVENT_BATCH_SIZE_VARIABLE] == str(EVENT_BATCH_SIZE)  # set by the storage
        storage = instance.event_log_storage
        opened: list[str] = []
        stored: list[int] = []  # batches stored without an error (none fell back to one by one)
        engine_of = EngineKeepingEventLogStorage._engine
        store_batch = EngineKeepingEventLogStorage.store_event_batch

        def counting_engine(self, shard):
            engine = engine_of(self, shard)
            if self._batch_thread is not None:
                opened.append(shard)
            return engine

        def counting_batches(self, events):
            store_batch(self, events)
            stored.append(len(events))

        with monkeypatch.context() as patch:
            patch.setattr(EngineKeepingEventLogStorage, "_engine", counting_engine)
            patch.setattr(EngineKeepingEventLogStorage, "store_event_batch", counting_batches)
            batched = materialize([checked_months], instance=instance, tags=months)
        assert batched.success
        assert sorted(opened) == sorted([batched.run_id, "index"] * 2)
        assert sorted(stored) == [6, 7]
        # the index has what the batches wrote: the run's planned partitions and check, and its
        # materializations
        materialized = instance.get_materialized_partitions(AssetKey("checked_months"))
        assert materialized == set(MONTHS.get_partition_keys())
        latest_planned = storage.get_latest_storage_id_by_partition(
            AssetKey("checked_months"), DagsterEventType.ASSET_MATERIALIZATION_PLANNED
        )
        assert set(latest_planned) == set(MONTHS.get_partition_keys())
        planned_ids = {r.storage_id for r in _planned(instance, batched.run_id)}
        assert set(latest_planned.values()) == planned_ids

        monkeypatch.setenv(EVENT_BATCH_SIZE_VARIABLE, "0")  # Dagster writes each event alone
        one_by_one = materialize([checked_months], instance=instance, tags=months)
        assert _written(instance, batched.run_id) == _written(instance, one_by_one.run_id)
        executions = storage.get_asset_check_execution_history(CHECKED.key, limit=50)
        runs = [e.run_id for e in executions]
        assert runs.count(batched.run_id) == runs.count(one_by_one.run_id) > 0


def _planned(instance, run_id):
    return instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION_PLANNED
    ).records


def _index_planned(storage) -> dict:
    return storage.get_latest_storage_id_by_partition(
        AssetKey("monthly_numbers"), DagsterEventType.ASSET_MATERIALIZATION_PLANNED
    )


def _index_materializations(instance) -> int:
    return len(instance.fetch_materializations(AssetKey("monthly_numbers"), limit=100).records)


def test_a_batch_that_fails_writes_nothing_and_releases_the_files(home, monkeypatch):
    with DagsterInstance.get() as instance:
        run = materialize([monthly_numbers], instance=instance, partition_key="2024-01-01")
        storage = instance.event_log_storage
        events = [e for e in instance.all_logs(run.run_id) if e.dagster_event_type in BATCH_WRITABLE_EVENTS]
        before, indexed = len(instance.all_logs(run.run_id)), _index_materializations(instance)
        planned_in_index = _index_planned(storage)
        store = EngineKeepingEventLogStorage.store_event
        written: list[EventLogEntry] = []

        def failing_on_the_second(self, event):
            if written:
                raise sqlalchemy.exc.OperationalError("insert", {}, Exception("disk I/O error"))
            written.append(event)
            store(self, event)

        with monkeypatch.context() as patch:
            patch.setattr(EngineKeepingEventLogStorage, "store_event", failing_on_the_second)
            with pytest.raises(sqlalchemy.exc.OperationalError):
                storage.store_event_batch(events)
        # rolled back in both files: the first event (a planned materialization) is in neither
        assert len(written) == 1 and len(instance.all_logs(run.run_id)) == before
        assert _index_planned(storage) == planned_in_index
        # no connection is left in a transaction: another writer takes either file at once
        assert storage._engines["index"].pool.checkedout() == 0
        for shard in (run.run_id, "index"):
            with closing(sqlite3.connect(storage.path_for_shard(shard), timeout=0)) as other:
                other.execute("begin immediate")
                other.rollback()
        storage.store_event_batch(events)  # the lock and the files are free again
        assert len(instance.all_logs(run.run_id)) == before + len(events)
        assert _index_materializations(instance) == indexed + 1


def test_a_batch_whose_index_fails_after_the_runs_file_is_not_written_twice(home, monkeypatch, caplog):
    """SQLite commits one file at a time: when the index's commit fails after the run's file's,
    raising would make Dagster write every event again (the run's file twice). The error is
    logged instead, and the run's file holds the events once."""
    with DagsterInstance.get() as instance:
        run = materialize([monthly_numbers], instance=instance, partition_key="2024-01-01")
        events = [e for e in instance.all_logs(run.run_id) if e.dagster_event_type in BATCH_WRITABLE_EVENTS]
        before, indexed = len(instance.all_logs(run.run_id)), _index_materializations(instance)
        commit = sqlalchemy.engine.Connection.commit

        def failing_on_the_index(conn):
            if conn.engine.url.database.endswith("index.db"):
                raise sqlalchemy.exc.OperationalError("commit", {}, Exception("disk I/O error"))
            commit(conn)

        with monkeypatch.context() as patch, caplog.at_level("ERROR"):
            patch.setattr(sqlalchemy.engine.Connection, "commit", failing_on_the_index)
            instance.event_log_storage.store_event_batch(events)  # does not raise
        assert len(instance.all_logs(run.run_id)) == before + len(events)
        assert _index_materializations(instance) == indexed
        assert f"events of run {run.run_id} are in its own file but not in the index" in caplog.text


def test_has_table_answers_from_the_index(tmp_path):
    """Dagster's question whether the index has a table: yes for its tables, no for another one
    (asked again each time: a table added later is found), before and after the index's engine
    is made."""
    events = WarehouseSqliteStorage.from_local(str(tmp_path)).event_log_storage
    assert events.has_table("event_logs")
    with events.index_connection() as conn:
        conn.execute(sqlalchemy.text("select 1"))
    assert events.has_table("asset_check_executions") and events.has_table("event_logs")
    assert not events.has_table("added_later")
    with events.index_connection() as conn:
        conn.execute(sqlalchemy.text("create table added_later (x int)"))
    assert events.has_table("added_later")
