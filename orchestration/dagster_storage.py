"""Dagster's SQLite storage keeping one SQLAlchemy engine per database file.

Dagster's SQLite event log and run storage (dagster 1.13) create a new SQLAlchemy engine for every
connection: `create_engine(..., poolclass=NullPool)` in `SqliteEventLogStorage._connect` and
`SqliteRunStorage.connect`, and an event opens two to four connections. Each new engine sets its
dialect up again (its first connection runs SQLite pragmas) and compiles every statement again,
because SQLAlchemy caches compiled statements per engine. A `make warehouse` writes ~2,800 events;
one materialization event cost 14.5 ms with Dagster's classes and 8.5 ms with these (300 events,
`bench`-style loop on this machine).

One more cost of a query is SQLite's, in WAL mode (Dagster's journal mode): the last connection to
close a file checkpoints its WAL into the file and deletes the WAL (~1 ms; `make warehouse` opened
~9,000 connections). So every file keeps a pool of open connections (below): a query no longer
closes the last one (the WAL files stay while a process has them open; SQLite removes them when
the last process closes). A run of 493 events: 3.7-4.4 s -> 2.4-3.1 s (with one connection held
open to the index, before the pool). The Dagster UI follows a run's events by watching the run's
file change (`SqliteEventLogStorageWatchdog`): with a connection kept open, a commit changes the
WAL beside the file, not the file itself, so the file is touched after each commit that wrote to
it (`_wake_watchers`).

Dagster can hand the storage a batch of events: a run's planned events (one per asset partition
and asset check it will write: ~700 for the `build_warehouse` run) and a step's materializations
of many partitions. Its SQLite storage writes them one by one, each in its own connections and
transactions; here a batch is one transaction per file (`store_event_batch`, Dagster's own
`store_event` for each event inside it). Dagster batches only when DAGSTER_EVENT_BATCH_SIZE is
set, so the event log sets it (if unset) for its process and those it starts; set it to 0 to
write events one by one. The run of 493 events above, timed again in a slower hour (2026-12-03
17:00, no batches 4.6-9.7 s): 1.8-2.5 s with them.

Two more costs of every event, each a few seconds of a `make warehouse`: Dagster's `has_table`
(asked for most events) makes a new engine for each answer, so here the index's tables are listed
once, when its engine is made; and every commit waited for the disk to sync the WAL (SQLite's
default `synchronous=FULL`), so the engines here use `synchronous=NORMAL`, SQLite's advice with WAL.

The pools: each connection is used by one query at a time and is outside any transaction between
queries (no lock held; it sees what other processes commit). Opening and closing SQLite
connections was ~2.7 s of a `make warehouse`'s main process (py-spy, 2026-12-04) while only the
index and runs.db had a pool; with a run's own file pooled too, an event costs ~1 ms less (15 runs
of an asset with 10 checks, 630 events: 6.1-6.4 -> 4.2-4.5 ms an event). So processes and threads share the
files as before, and the files and their layout under the Dagster home are Dagster's own: a home
written with these classes opens with Dagster's and the other way round. An engine is made again
whenever Dagster would initialise its file again (a new run's file, after `wipe` or `upgrade`),
and at most `KEPT_ENGINES` run files keep theirs, so a long-lived webserver does not hold one per
run ever shown.

`dagster.yaml` (written by `orchestration.build.prepare_dagster_home`) names
`WarehouseSqliteStorage` as the instance's storage (Dagster's SQLite storage built as usual, then
its run and event-log storages replaced: the schedule storage, little used, is Dagster's as it
is). `tests/test_dagster_storage.py` fails when Dagster's classes stop making an engine per
connection (this module is then no longer needed), or when these classes stop being used or stop
keeping their engines (e.g. a renamed method that they override).
"""

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress

from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
)
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.event import listen
from sqlalchemy.pool import QueuePool

log = logging.getLogger(__name__)

KEPT_ENGINES = 32  # run files whose engine is kept (the index file's is always kept)
# Dagster hands the storage a run's planned events, and a step's materializations of many
# partitions, as one batch (`store_event_batch`) only when this variable is above 0; the size is
# the most events a batch holds.
EVENT_BATCH_SIZE_VARIABLE = "DAGSTER_EVENT_BATCH_SIZE"
EVENT_BATCH_SIZE = 1000


def _make_engine(url: str, *, kept: int = 5, **connect_args) -> Engine:
    """An engine with a pool of connections, each used by one query at a time and kept open after
    it. Opening and closing a connection cost ~1 ms; a build writes ~3,000 events, each one query
    or more. A connection in the pool is outside any transaction (SQLAlchemy rolls back what a
    query left), so it holds no lock on the file and sees what other processes commit."""
    # check_same_thread off: a pooled connection may be closed, or used next, by
    # another thread than the one that opened it; no connection is used by two threads at once.
    connect_args = {"check_same_thread": False, **connect_args}
    # As many connections as threads query at once (Dagster's NullPool's "no limit"), `kept` of
    # them kept open.
    engine = create_engine(
        url, poolclass=QueuePool, pool_size=kept, max_overflow=-1, connect_args=connect_args
    )
    listen(engine, "connect", _synchronous_normal)
    return engine


def _synchronous_normal(dbapi_connection, _record) -> None:
    """SQLite's `synchronous=NORMAL` on a file in WAL mode (Dagster's), as SQLite recommends: a
    commit no longer waits for the disk (~0.3 ms each here, and a build commits ~10,000 times);
    the WAL is synced at checkpoints. The files stay consistent whatever happens; a power cut (not
    a crashed or killed process) may lose the last events written before it. A file in another
    journal mode (a new file, before Dagster sets WAL) keeps SQLite's default."""
    cursor = dbapi_connection.cursor()
    if cursor.execute("pragma journal_mode").fetchone()[0] == "wal":
        cursor.execute("pragma synchronous=normal")
    cursor.close()


class EngineKeepingEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log (one file per run plus an index file), one engine per file."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        # While this process writes a batch of events: its thread, and the connection (in a
        # transaction) it has opened on each file.
        self._batch_thread: int | None = None
        self._batch: dict[str, Connection] = {}
        self._tables_found: set[str] = set()  # in the index file
        super().__init__(base_dir, inst_data)
        # Read by Dagster when it writes an event, in this process and in the processes it starts.
        os.environ.setdefault(EVENT_BATCH_SIZE_VARIABLE, str(EVENT_BATCH_SIZE))

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None or shard not in self._initialized_dbs:
            # As Dagster's _connect: a file not initialised yet by this process gets its tables.
            if engine is not None:
                self._close(shard)
            engine = _make_engine(
                self.conn_string_for_shard(shard),
                # One connection kept per run file: a webserver keeps up to KEPT_ENGINES of them
                # (three file descriptors each: the file, its WAL and its shared memory).
                kept=5 if shard == INDEX_SHARD_NAME else 1,
                timeout=SQLITE_BUSY_TIMEOUT_SECONDS,
            )
            self._initdb(engine)
            # _initdb's connections to a new file were opened before it set WAL, so they kept
            # SQLite's default synchronous=FULL: not kept in the pool.
            engine.dispose()
            self._initialized_dbs.add(shard)
            self._engines[shard] = engine
            if shard == INDEX_SHARD_NAME:
                self._tables_found = set(inspect(engine).get_table_names())
        self._engines.move_to_end(shard)
        run_files = [name for name in self._engines if name != INDEX_SHARD_NAME]  # oldest first
        for name in run_files[: max(0, len(run_files) - KEPT_ENGINES)]:
            self._close(name)
        return engine

    def has_table(self, table_name: str) -> bool:
        """Whether the index file has the table. Dagster asks it for most events and makes a new
        engine for each answer; here the index's tables are listed when its engine is made
        (`_engine`), and a table found is not asked again (Dagster's migrations add tables, none
        drops one). Never makes or closes an engine itself: Dagster asks while holding the lock
        under which engines are made (`_db_lock`), and also without it."""
        if table_name in self._tables_found:
            return True
        index = self._engines.get(INDEX_SHARD_NAME)
        if index is None:  # no query on the index yet: Dagster's own answer
            found = super().has_table(table_name)
        else:
            with index.connect() as conn:
                found = conn.dialect.has_table(conn, table_name)
        if found:
            self._tables_found.add(table_name)
        return found

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:  # not while another thread's query uses an engine
            for shard in list(self._engines):
                self._close(shard)

    def wipe(self) -> None:
        """Dagster's own `wipe`, which deletes the run files: their kept connections are closed
        first, not left open on deleted files until the run id is asked for again."""
        with self._db_lock:
            for shard in [name for name in self._engines if name != INDEX_SHARD_NAME]:
                self._close(shard)
        super().wipe()

    def _close(self, shard: str) -> None:
        self._engines.pop(shard).dispose()  # closes no connection a query is using
        if shard == INDEX_SHARD_NAME:
            self._tables_found.clear()

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """Dagster's own writing of each event (`store_event`), all in one transaction per file
        instead of one to three connections and transactions per event. If the batch fails before
        anything is committed, nothing of it is written and Dagster writes the events one by one.

        The run's file is committed first, then the index (as for each event). SQLite cannot commit
        two files at once: if the index's commit fails after the run's file's, the error is logged,
        not raised, or Dagster would write the run's events a second time; the index then lacks
        those events, as it does when Dagster's own writing of one event fails at the index
        (which raises to the step instead)."""
        with self._db_lock:
            self._batch_thread = threading.get_ident()
            committed: list[str] = []
            try:
                for event in events:
                    self.store_event(event)
                for shard, conn in self._batch.items():  # the run's file first: opened first
                    conn.commit()
                    committed.append(shard)
                    self._wake_watchers(shard)
            except Exception:
                if not committed:
                    raise
                log.exception(
                    "%d events of run %s are in its own file but not in the index (%s)",
                    len(events),
                    events[0].run_id,
                    ", ".join(f"{shard} committed" for shard in committed),
                )
            finally:
                batch, self._batch, self._batch_thread = self._batch, {}, None
                for conn in batch.values():
                    try:
                        conn.close()  # rolls back what was not committed
                    except Exception:
                        log.exception("closing a connection of a batch of events failed")

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        if self._batch_thread == threading.get_ident():  # inside store_event_batch: holds the lock
            conn = self._batch.get(shard)
            if conn is None:
                conn = self._batch[shard] = self._engine(shard).connect()
                conn.begin()
            yield conn
            return
        with self._db_lock, self._engine(shard).connect() as conn:
            changes = conn.connection.dbapi_connection.total_changes
            with conn.begin():
                yield conn
            if conn.connection.dbapi_connection.total_changes != changes:  # (not after a read)
                self._wake_watchers(shard)

    def _wake_watchers(self, shard: str) -> None:
        """Touch a run's file after a commit wrote to it. The Dagster UI follows a run's events by
        watching its file change (`SqliteEventLogStorageWatchdog`, inotify or the like), and with
        a connection kept open a commit changes the WAL beside the file, not the file itself,
        until the WAL is checkpointed (every ~1,000 pages, and at the last close). The touch comes
        after the commit, so a watcher woken by it reads the new events."""
        if shard != INDEX_SHARD_NAME:
            with suppress(OSError):  # (a file wiped meanwhile)
                os.utime(self.path_for_shard(shard))


class EngineKeepingRunStorage(SqliteRunStorage):
    """Dagster's SQLite run storage (runs.db), one engine."""

    _kept_engine: Engine | None = None
    _setup = threading.Lock()  # the webserver's threads may make the first queries together

    def _engine(self) -> Engine:
        with self._setup:
            if self._kept_engine is None:
                self._kept_engine = _make_engine(self._conn_string)
            return self._kept_engine

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._engine().connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        super().dispose()
        with self._setup:
            if self._kept_engine is not None:
                self._kept_engine.dispose()
                self._kept_engine = None


class WarehouseSqliteStorage(DagsterSqliteStorage):
    """The Dagster home's storage: Dagster's SQLite storage with the two classes above."""

    def __init__(self, base_dir: str, inst_data=None):
        super().__init__(base_dir, inst_data)
        self._run_storage = EngineKeepingRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = EngineKeepingEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls.from_local(inst_data=inst_data, **config_value)
