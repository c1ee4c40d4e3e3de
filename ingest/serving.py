"""The serving copy analysts query while the pipeline writes.

DuckDB locks the warehouse file against every other process while a run writes, even read-only
ones. After each successful build the marts (and the dimensions and facts they are built from)
are copied to a separate DuckDB file and to Parquet. The copy is written under a temporary name
and moved into place with an atomic rename: an analyst who has the old copy open keeps reading
it undisturbed, and the next connection sees the new one.
"""

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.duck import quote_ident, sql_string
from ingest.loads import utc_now

# Readable by DuckDB 1.1 and later (the Python package, the CLI, DBeaver's driver...): files
# written with DuckDB 2.x's default storage cannot be opened by 1.x clients.
SERVING_STORAGE_VERSION = "v1.1.0"
PUBLISHED_SCHEMAS = ("marts",)
PUBLISHED_PREFIXES = ("dim_", "fct_", "mart_")


@dataclass
class ServingCopy:
    database: Path
    parquet_dir: Path
    tables: dict[str, int]  # "schema.table" -> rows


def _tables_to_publish(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    rows = con.execute(
        """
        select schema_name, table_name from duckdb_tables()
        where database_name = current_database()
          and (list_contains(?, schema_name) or list_has_any(?, [left(table_name, 4), left(table_name, 5)]))
        order by 1, 2
        """,
        [list(PUBLISHED_SCHEMAS), list(PUBLISHED_PREFIXES)],
    ).fetchall()
    return [(schema, table) for schema, table in rows]


def publish_serving_copy(
    con: duckdb.DuckDBPyConnection, database: Path, parquet_dir: Path
) -> ServingCopy:
    database.parent.mkdir(parents=True, exist_ok=True)
    parquet_dir.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:8]
    temporary = database.with_name(f".{database.name}.{token}.tmp")
    temporary_parquet = parquet_dir.with_name(f".{parquet_dir.name}.{token}.tmp")
    temporary_parquet.mkdir()
    tables: dict[str, int] = {}
    con.execute(
        f"attach {sql_string(str(temporary))} as serving "
        f"(storage_version {sql_string(SERVING_STORAGE_VERSION)})"
    )
    try:
        for schema, table in _tables_to_publish(con):
            source = f"{quote_ident(schema)}.{quote_ident(table)}"
            con.execute(f"create schema if not exists serving.{quote_ident(schema)}")
            con.execute(f"create table serving.{source} as select * from {source}")
            (rows,) = con.execute(f"select count(*) from serving.{source}").fetchone()
            tables[f"{schema}.{table}"] = rows
            target = temporary_parquet / f"{table}.parquet"
            con.execute(f"copy {source} to {sql_string(str(target))} (format parquet)")
        con.execute("""
            create table serving.main.serving_info as
            select ?::timestamp as published_at, ? as tables
        """, [utc_now(), sorted(tables)])
    finally:
        con.execute("detach serving")
    os.replace(temporary, database)
    # Parquet: swap the whole folder; readers with a file open keep reading it (POSIX unlink).
    previous = parquet_dir.with_name(f".{parquet_dir.name}.{token}.old")
    parquet_dir.rename(previous)
    temporary_parquet.rename(parquet_dir)
    shutil.rmtree(previous, ignore_errors=True)
    return ServingCopy(database, parquet_dir, tables)
