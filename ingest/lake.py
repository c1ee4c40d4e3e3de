"""The Parquet lake: a copy of the published raw and reference tables as Parquet files, for engines
that read files rather than the DuckDB warehouse (Apache Spark: WAREHOUSE_ENGINE=spark, README
"Running on Spark").

Layout, one folder per table under WAREHOUSE_DIR/lake:

    lake/raw/<feed>/partition=<partition key>/part-0.parquet   a feed, one folder per partition
    lake/ref/<table>/part-0.parquet                            a reference table, whole
    lake/raw/trade_reference/part-0.parquet                    (raw tables with no feed: whole)

Every file holds all the table's columns with the warehouse's types (the partition key is in the
folder name only for people and for listing: readers take the files recursively and infer no
partition column, so the rows read are exactly the table's). A folder is replaced as a whole: the
new files are written to a hidden folder beside it, which is then renamed into place (the old one
renamed away first and removed after), so a reader sees the old partition or the new one, never a
half-written one, and never a partition twice (hidden folders, starting with '.', are skipped by
Spark's and DuckDB's file listings).

The feeds write their partition after each publish (ingest.feeds._publish, one partition per
transaction), the reference loads their table; `python -m orchestration.lake` exports the whole warehouse
(a warehouse built before the lake was enabled, or to check it: the export is idempotent).
"""

import os
import shutil
import uuid
from pathlib import Path

import duckdb

from ingest.duck import quote_ident
from ingest.settings import WarehousePaths, warehouse_engine

LAKE_SCHEMAS = ("raw", "ref")


def lake_enabled() -> bool:
    """The lake is written when Spark builds the models (WAREHOUSE_ENGINE=spark) or when asked
    for (WAREHOUSE_LAKE=1); a DuckDB-only warehouse does not pay for it."""
    if warehouse_engine() == "spark":
        return True
    return os.environ.get("WAREHOUSE_LAKE", "").strip().lower() in ("1", "true", "yes")


def lake_dir() -> Path:
    return WarehousePaths.from_env().lake


def _sql_literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _replace_folder(target: Path, write) -> None:
    """Write a folder's files with write(tmp_folder) and swap it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".tmp-{target.name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        write(tmp)
        old = None
        if target.exists():
            old = target.parent / f".old-{target.name}-{uuid.uuid4().hex[:8]}"
            target.rename(old)
        tmp.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _copy(con: duckdb.DuckDBPyConnection, query: str, folder: Path) -> None:
    con.execute(
        f"copy ({query}) to {_sql_literal(folder / 'part-0.parquet')} (format parquet, compression zstd)"
    )


def table_folder(schema: str, table: str, root: Path | None = None) -> Path:
    return (root or lake_dir()) / schema / table


def partition_expression(feed) -> str:
    """The SQL expression giving a published row's partition key (the feed's own)."""
    return feed.partition_sql_typed or feed.partition_sql(Path())


def write_partition(con: duckdb.DuckDBPyConnection, feed, key: str, root: Path | None = None) -> None:
    """The published rows of one partition of a feed -> its lake folder (replaced)."""
    schema, table = feed.table.split(".")
    folder = table_folder(schema, table, root) / f"partition={key}"
    query = f"select * from {feed.table} where ({partition_expression(feed)}) = {_sql_literal(key)}"
    _replace_folder(folder, lambda tmp: _copy(con, query, tmp))


def write_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, root: Path | None = None) -> None:
    """A whole table -> its lake folder (replaced)."""
    query = f"select * from {quote_ident(schema)}.{quote_ident(table)}"
    _replace_folder(table_folder(schema, table, root), lambda tmp: _copy(con, query, tmp))


def export_all(con: duckdb.DuckDBPyConnection, feeds, root: Path | None = None) -> dict[str, int]:
    """Every raw and reference table -> the lake (the feeds given by partition, other tables
    whole). Returns the number of folders written per table."""
    feeds = {feed.table: feed for feed in feeds}
    written: dict[str, int] = {}
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables "
        f"where table_schema in ({', '.join(_sql_literal(s) for s in LAKE_SCHEMAS)}) "
        "and table_type = 'BASE TABLE' order by 1, 2"
    ).fetchall()
    for schema, table in tables:
        name = f"{schema}.{table}"
        feed = feeds.get(name)
        if feed is None:
            write_table(con, schema, table, root)
            written[name] = 1
            continue
        keys = [
            k
            for (k,) in con.execute(
                f"select distinct ({partition_expression(feed)})::varchar from {name} order by 1"
            ).fetchall()
        ]
        folder = table_folder(schema, table, root)
        # Partitions no longer published leave the lake too.
        if folder.exists():
            for old in folder.iterdir():
                if old.name.startswith("partition=") and old.name.split("=", 1)[1] not in keys:
                    shutil.rmtree(old)
        for key in keys:
            write_partition(con, feed, key, root)
        written[name] = len(keys)
    return written
