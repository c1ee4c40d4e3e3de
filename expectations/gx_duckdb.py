"""Great Expectations' SQL execution engine on DuckDB (duckdb-engine as the SQLAlchemy driver).

GX 1.x does not know the `duckdb` dialect, and two of its defaults break on it (GX's files are
not edited; this module adjusts them at run time, and tests/test_gx_duckdb.py fails loudly when a
GX release changes what is adjusted):

1. **The connection.** For a dialect not in `_PERSISTED_CONNECTION_DIALECTS`, `get_connection`
   opens a connection per query and closes it when `execute_query` returns, before the caller
   fetches the rows. duckdb-engine's cursors all share the one DuckDB connection, so closing it
   drops the pending result: every metric comes back empty (an IndexError in
   `resolve_metric_bundle`, `res[0]` of no rows). GX keeps one connection for SQLite and SQL
   Server for the same kind of reason; `duckdb` is added to that tuple.
2. **The dialect module.** `dialect_module` stays None for an unknown dialect, and the regex
   expectations then raise "Regex is not supported for dialect duckdb". duckdb-engine's dialect
   is PostgreSQL's (DuckDB has its `~` / `!~` operators, partial match like PostgreSQL's), so a
   DuckDB engine gets PostgreSQL's dialect module, as a PostgreSQL engine does.

`shared_connection(con)` is the SQLAlchemy `creator` that gives GX the loading connection itself
(so GX sees its temp tables), wrapped so that SQLAlchemy never closes it; `release(datasource)`
ends GX's read transaction on it and drops GX's hold, after each run.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable

DIALECT = "duckdb"
# The connection string of a GX data source over a connection given by `creator`: it only names
# the dialect (and makes GX pick a StaticPool, once `duckdb` keeps its connection).
CONNECTION_STRING = "duckdb:///:memory:"


class _DialectName(str):
    """`duckdb` where GX lists `GXSqlDialect` members: equal to the engine's dialect name (what
    `get_connection` compares) and with the `.value` GX reads from a member when it matches a
    connection string (`_dialect_requires_persisted_connection`)."""

    @property
    def value(self) -> str:
        return str(self)


def enable() -> None:
    """Apply both accommodations (idempotent)."""
    from expectations.gx_imports import import_great_expectations

    import_great_expectations()  # (first: without the statistics GX imports and we never run)
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine_module

    persisted = engine_module._PERSISTED_CONNECTION_DIALECTS
    if not any(name == DIALECT for name in persisted):
        engine_module._PERSISTED_CONNECTION_DIALECTS = (*persisted, _DialectName(DIALECT))

    engine_class = engine_module.SqlAlchemyExecutionEngine
    if not getattr(engine_class.__init__, "_duckdb_dialect_module", False):
        original = engine_class.__init__

        @functools.wraps(original)
        def __init__(self, *args, **kwargs):
            original(self, *args, **kwargs)
            if self.dialect_name == DIALECT and self.dialect_module is None:
                self.dialect_module = duckdb_dialect_module()

        __init__._duckdb_dialect_module = True
        engine_class.__init__ = __init__


def duckdb_dialect_module() -> types.ModuleType:
    """The module GX builds dialect-specific expressions from: PostgreSQL's, as duckdb-engine's
    dialect is PostgreSQL's (GX checks `issubclass(module.dialect, postgresql.dialect)`; under
    SQLAlchemy 2.1 that default is psycopg 3's, of which duckdb-engine's is not a subclass)."""
    import sqlalchemy.dialects.postgresql

    return sqlalchemy.dialects.postgresql


def shared_connection(con) -> Callable[[], object]:
    """A SQLAlchemy `creator` handing out `con` (a DuckDB connection) itself, never closed by
    SQLAlchemy: GX queries the same connection as the load, temp tables included."""
    from duckdb_engine import ConnectionWrapper

    class _Borrowed(ConnectionWrapper):
        def close(self) -> None:  # the load owns the connection
            pass

    return lambda: _Borrowed(con)


def release(datasource) -> None:
    """After a run: roll back the read transaction GX began on the shared connection (it is kept
    open, see point 1) and let go of it, so the load can begin its own transactions."""
    execution_engine = datasource._execution_engine
    if execution_engine is None:
        return
    connection = getattr(execution_engine, "_connection", None)
    if connection is not None:
        connection.close()  # back to the pool, which rolls back
        execution_engine._connection = None
    execution_engine.engine.dispose()
