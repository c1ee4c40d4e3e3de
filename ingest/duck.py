"""Opening DuckDB the same way everywhere: bounded memory, a spill folder, one writer."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ingest.settings import load_memory_limit


def connect(
    database: Path,
    *,
    temp_dir: Path | None = None,
    read_only: bool = False,
    memory_limit: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open a warehouse file with a memory limit and a temp directory, so that a large load spills
    to disk instead of failing."""
    database.parent.mkdir(parents=True, exist_ok=True)
    config = {"memory_limit": memory_limit or load_memory_limit()}
    if read_only:
        config["access_mode"] = "READ_ONLY"
    con = duckdb.connect(str(database), config=config)
    spill = temp_dir or database.parent / "tmp"
    spill.mkdir(parents=True, exist_ok=True)
    con.execute("SET temp_directory = ?", [str(spill)])
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """The statements of the block in one transaction: committed together, or rolled back when
    anything fails (an interrupt too) and the error raised again."""
    con.execute("begin transaction")
    try:
        yield con
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def insert_rows(con: duckdb.DuckDBPyConnection, insert: str, rows: list[tuple], chunk: int = 1000) -> None:
    """`insert` ("insert into t (a, b)", or "insert or replace ...") of `rows`, many rows to a
    statement: DuckDB runs each statement with its own overhead (an `insert or replace` of one
    row ~3.5 ms, its key lookup and index update; 60 rows in one statement ~10 ms), and
    `executemany` is one statement per row."""
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        values = ", ".join(["(" + ", ".join(["?"] * len(part[0])) + ")"] * len(part))
        con.execute(f"{insert} values {values}", [value for row in part for value in row])


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def column_types(con) -> list[tuple[str, str, str, str]]:
    """Every column of the database's tables and views: (schema, table, column, type), in order."""
    return con.sql(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() order by all"
    ).fetchall()
