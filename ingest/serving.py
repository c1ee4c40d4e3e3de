"""The serving copy analysts query while the pipeline writes.

DuckDB locks the warehouse file against every other process while a run writes, even read-only
ones. After each successful build the marts (and the dimensions and facts they are built from)
are copied to a separate DuckDB file and to Parquet:

    serving/serving.duckdb                 written under a temporary name, then os.replace'd
    serving/parquet/builds/<build_id>/     one folder per build, never changed once complete
    serving/parquet/current -> builds/<build_id>   the pointer, replaced atomically
    serving/parquet/CURRENT                the same build id as text (for tools without symlinks)
    serving/parquet/<table>.parquet -> current/<table>.parquet   the paths analysts always used

A reader that resolves `current` (or one of the table links) gets a complete build: the pointer is
switched with one rename of a fully written symlink, and a build's folder is deleted only when two
newer builds exist, so a reader that resolved the pointer just before a publish has a whole build
cycle to finish. (Opening each table through its own link can mix two builds if a publish falls
between two opens; resolve `current` once to read several tables of one build.)

A publish copies again only the tables that changed since the last one (by a fingerprint of each
table's columns and rows): the new database file starts as a copy of the last one's bytes, and an
unchanged table's Parquet file in the new build is a hard link to the last build's.

The DuckDB copy carries each table's and column's description (dbt's documentation of the
models, handed over by the caller) as DuckDB comments: `duckdb_columns()` and a SQL client's
object browser show them where analysts work.

A publish killed half way leaves temporary files behind; the next publish removes them. Publishes
never run concurrently: the asset is in the warehouse writer pool, limited to one step.

The DuckDB file: a connection opened before a publish keeps reading the copy it opened. Within one
process DuckDB caches a database per path while any connection to it is open, so
`duckdb.connect(path)` there returns the old copy until every connection to the path is closed;
another process, or a connection opened after they are all closed, sees the new one.
"""

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.duck import quote_ident, sql_string

# Readable by DuckDB 1.1 and later (the Python package, the CLI, DBeaver's driver...): files
# written with DuckDB 2.x's default storage cannot be opened by 1.x clients.
SERVING_STORAGE_VERSION = "v1.1.0"
PUBLISHED_SCHEMAS = ("marts",)
PUBLISHED_PREFIXES = ("dim_", "fct_", "mart_")

BUILDS = "builds"
CURRENT_LINK = "current"
CURRENT_FILE = "CURRENT"
KEEP_BUILDS = 2  # the current build and the one before it: a build goes when two newer exist


@dataclass(frozen=True)
class TableDocs:
    """What a published table is and what each of its columns holds (empty: undocumented)."""

    description: str = ""
    columns: Mapping[str, str] = field(default_factory=dict)


@dataclass
class ServingCopy:
    database: Path
    parquet_dir: Path  # the stable folder (table links, `current`, `CURRENT`)
    build_dir: Path  # this build's Parquet files
    tables: dict[str, int]  # "schema.table" -> rows
    removed_leftovers: list[Path]
    pruned_builds: list[Path]


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


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


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def clear_leftovers(database: Path, parquet_dir: Path) -> list[Path]:
    """Remove what killed publishes left: temporary database files (and their WAL), temporary
    build folders and pointer links, and the folders of the former two-rename swap."""
    found: list[Path] = []
    if database.parent.is_dir():
        found += database.parent.glob(f".{database.name}.*.tmp*")
        found += database.parent.glob(f".{parquet_dir.name}.*.tmp")
        found += database.parent.glob(f".{parquet_dir.name}.*.old")
    if parquet_dir.is_dir():
        found += parquet_dir.glob(".*.tmp")
    builds = parquet_dir / BUILDS
    if builds.is_dir():
        found += builds.glob(".*")
    for path in found:
        _remove(path)
    return sorted(found)


def current_build(parquet_dir: Path) -> Path | None:
    """The folder of the build analysts read now."""
    link = parquet_dir / CURRENT_LINK
    return link.resolve() if link.is_symlink() else None


def _replace_symlink(link: Path, target: str, token: str) -> None:
    """Point `link` at `target` atomically: a complete new link renamed over the old one."""
    temporary = link.with_name(f".{link.name}.{token}.tmp")
    temporary.symlink_to(target)
    os.replace(temporary, link)


def _replace_file(path: Path, text: str, token: str) -> None:
    temporary = path.with_name(f".{path.name}.{token}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def _prune_builds(parquet_dir: Path, keep: int) -> list[Path]:
    builds = sorted(p for p in (parquet_dir / BUILDS).iterdir() if p.is_dir() and not p.name.startswith("."))
    current = current_build(parquet_dir)
    pruned = [p for p in builds[:-keep] if p.resolve() != current]
    for path in pruned:
        shutil.rmtree(path, ignore_errors=True)
    return pruned


def _link_tables(parquet_dir: Path, tables: list[str], token: str) -> None:
    """`parquet/<table>.parquet` -> `current/<table>.parquet` for each published table; links
    (or files of the former layout) of tables no longer published are removed."""
    wanted = {f"{table}.parquet" for table in tables}
    for name in sorted(wanted):
        link = parquet_dir / name
        target = f"{CURRENT_LINK}/{name}"
        if not (link.is_symlink() and os.readlink(link) == target):
            _replace_symlink(link, target, token)
    for path in parquet_dir.glob("*.parquet"):
        if path.name not in wanted:
            _remove(path)


def _spark_tables(spark_tables: Path) -> list[tuple[str, str, str]]:
    """The marts Spark built (WAREHOUSE_ENGINE=spark): its managed Parquet tables, one folder per
    table under <spark.sql.warehouse.dir>/<schema>.db/, read by DuckDB with the partition folders
    (fct_trade_flows' period=...) as text columns, as Spark wrote them."""
    found = []
    for schema in PUBLISHED_SCHEMAS:
        folder = spark_tables / f"{schema}.db"
        if not folder.is_dir():
            continue
        for table in sorted(p for p in folder.iterdir() if p.is_dir() and p.name[0] not in "._"):
            if not any(table.rglob("*.parquet")):
                continue
            found.append(
                (
                    schema,
                    table.name,
                    f"read_parquet({sql_string(str(table / '**' / '*.parquet'))}, "
                    "hive_partitioning = true, hive_types_autocast = false)",
                )
            )
    return found


def _comment(con: duckdb.DuckDBPyConnection, table: str, docs: TableDocs | None) -> None:
    """The table's and its columns' descriptions as DuckDB comments, in one round trip; a comment
    the docs no longer hold is removed (a table kept from the last publish carries its comments)."""
    docs = docs or TableDocs()
    # Matched as DuckDB matches identifiers: whatever the case.
    texts = {column.lower(): text for column, text in docs.columns.items()}
    columns = [c[0] for c in con.execute(f"select * from {table} limit 0").description]
    statements = [
        f"comment on table {table} is {sql_string(docs.description) if docs.description else 'null'}"
    ]
    statements += [
        f"comment on column {table}.{quote_ident(column)} is "
        + (sql_string(texts[column.lower()]) if texts.get(column.lower()) else "null")
        for column in columns
    ]
    con.execute(";\n".join(statements))


def _fingerprint(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[str, int]:
    """What a table holds, in one scan: its columns with their types, its row count and the sum
    of its rows' hashes (whatever their order); and its row count. (DuckDB's hash does not tell
    apart a null from an empty list, 0.0 from -0.0, or an interval of a month from 30 days: the
    published marts hold no nested or interval column.)"""
    columns = con.execute(f"select * from {relation} limit 0").description
    hashed = ", ".join(quote_ident(column[0]) for column in columns)
    rows, total = con.execute(
        f"select count(*), sum(hash({hashed})::hugeint)::varchar from {relation}"
    ).fetchone()
    return json.dumps([[[column[0], str(column[1])] for column in columns], rows, total]), rows


def _previous_publish(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, str], str | None]:
    """The fingerprints and the Parquet build the copy attached as `serving` was published with
    ({} and None if it records none)."""
    recorded = con.execute(
        "select 1 from duckdb_columns() where database_name = 'serving' and table_name = 'serving_info' "
        "and column_name = 'fingerprints'"
    ).fetchone()
    if not recorded:
        return {}, None
    text, build = con.execute("select fingerprints, parquet_build from serving.main.serving_info").fetchone()
    return json.loads(text), build


def _attach_copy(con: duckdb.DuckDBPyConnection, database: Path, temporary: Path) -> None:
    """Attach as `serving` a copy of the last publish's database file, or a new empty file when
    there is none to start from: none published yet, a write-ahead log beside it (someone opened
    it for writing: its bytes alone may not be its tables), a file DuckDB cannot attach with this
    storage version, or one more than half free (a replaced table's space stays in the file until
    a later table reuses it)."""
    version = sql_string(SERVING_STORAGE_VERSION)
    attach = f"attach {sql_string(str(temporary))} as serving (storage_version {version})"
    if database.is_file() and not database.with_name(database.name + ".wal").exists():
        shutil.copyfile(database, temporary)
        try:
            con.execute(attach)
            (free, total) = con.execute(
                "select free_blocks, total_blocks from pragma_database_size() where database_name = 'serving'"
            ).fetchone()
            if free * 2 <= total:
                return
            con.execute("detach serving")
        except duckdb.Error:
            with contextlib.suppress(duckdb.Error):
                con.execute("detach serving")
        temporary.unlink()
    con.execute(attach)


# The dbt models a step began and has not built (orchestration/defs/assets/dbt.py): a serving copy
# is not published while any is left (dbt writes the models one by one).
UNFINISHED_MODELS = "meta.dbt_unfinished"


def _create_unfinished_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""
        create schema if not exists meta;
        create table if not exists {UNFINISHED_MODELS} (
            model varchar primary key, run_id varchar, step varchar, started_at timestamp
        )
    """)


def record_unfinished(con: duckdb.DuckDBPyConnection, models: list[str], run_id: str, step: str) -> None:
    """The models a dbt step is about to build, unfinished until it has built them (a model left
    by an earlier run is now this run's)."""
    _create_unfinished_table(con)
    con.execute(
        f"insert or replace into {UNFINISHED_MODELS} select unnest(?), ?, ?, ?",
        [models, run_id, step, _utc_now()],
    )


def forget_unfinished(con: duckdb.DuckDBPyConnection, models: set[str]) -> None:
    """The models dbt has built: no longer unfinished."""
    con.execute(f"delete from {UNFINISHED_MODELS} where list_contains(?, model)", [sorted(models)])


def unfinished_models(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(model, run id) of each model a dbt step began and did not build, oldest first."""
    _create_unfinished_table(con)
    return con.execute(f"select model, run_id from {UNFINISHED_MODELS} order by started_at, model").fetchall()


def publish_serving_copy(
    con: duckdb.DuckDBPyConnection,
    database: Path,
    parquet_dir: Path,
    keep_builds: int = KEEP_BUILDS,
    spark_tables: Path | None = None,
    docs: Mapping[str, TableDocs] | None = None,
) -> ServingCopy:
    """Copy the published tables to the serving copy. With `spark_tables` (Spark's table folder,
    when Spark built the models) the marts are read from the Parquet files Spark wrote instead of
    the warehouse's tables. `docs`: by table name, the descriptions written as comments.

    A table that has not changed is not copied again (a day's or a month's run rewrites a few
    marts; copying all of them, 12.4M rows at the bench's volume, took ~30 s of every run): the
    new database file starts as a copy of the last one's bytes (`_attach_copy`), where a table
    whose fingerprint (`_fingerprint`: columns, types, rows) is the warehouse's is kept; its
    Parquet file is a hard link to the last build's (whose files are never changed) when the
    fingerprint recorded with that build is the warehouse's."""
    database.parent.mkdir(parents=True, exist_ok=True)
    parquet_dir.mkdir(parents=True, exist_ok=True)
    (parquet_dir / BUILDS).mkdir(exist_ok=True)
    removed = clear_leftovers(database, parquet_dir)
    token = uuid.uuid4().hex[:8]
    published_at = _utc_now()
    # Sortable: the newest build has the greatest name. No run of 12 digits (time and microseconds
    # apart): such a run can read as a valid IIN, and the privacy scans look for those.
    build_id = f"{published_at:%Y%m%dT%H%M%S}.{published_at:%f}Z-{token}"
    temporary = database.with_name(f".{database.name}.{token}.tmp")
    temporary_build = parquet_dir / BUILDS / f".{build_id}.tmp"
    temporary_build.mkdir()
    tables: dict[str, int] = {}
    fingerprints: dict[str, str] = {}
    last_build = current_build(parquet_dir)
    _attach_copy(con, database, temporary)
    try:
        recorded, recorded_build = _previous_publish(con)
        # The Parquet files of the build the copy was published with (not of a publish that died
        # between replacing the database file and switching `current`).
        linkable = last_build if last_build is not None and last_build.name == recorded_build else None
        if spark_tables is None:
            sources = [
                (schema, table, f"{quote_ident(schema)}.{quote_ident(table)}")
                for schema, table in _tables_to_publish(con)
            ]
        else:
            sources = _spark_tables(spark_tables)
        published = {f"{schema}.{table}" for schema, table, _ in sources}
        in_copy = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'serving'"
        ).fetchall()
        for schema, table in in_copy:
            if f"{schema}.{table}" not in published | {"main.serving_info"}:  # no longer published
                con.execute(f"drop table serving.{quote_ident(schema)}.{quote_ident(table)}")
        kept = {f"{schema}.{table}" for schema, table in in_copy}
        for schema, table, relation in sources:
            source = f"{quote_ident(schema)}.{quote_ident(table)}"
            name = f"{schema}.{table}"
            fingerprints[name], tables[name] = _fingerprint(con, relation)
            # Unchanged as recorded, and the copy's table as it is (someone may have written to the
            # file since): one more scan, of the tables kept only.
            unchanged = (
                name in kept
                and recorded.get(name) == fingerprints[name]
                and _fingerprint(con, f"serving.{source}")[0] == fingerprints[name]
            )
            if not unchanged:
                con.execute(f"create schema if not exists serving.{quote_ident(schema)}")
                con.execute(f"create or replace table serving.{source} as select * from {relation}")
            target = temporary_build / f"{table}.parquet"
            last_file = linkable / f"{table}.parquet" if linkable else None
            if (
                recorded.get(name) == fingerprints[name]
                and last_file
                and last_file.is_file()
                and not target.exists()
            ):
                os.link(last_file, target)
            else:  # (a table of the same name in another schema overwrites it, as it always did)
                con.execute(f"copy serving.{source} to {sql_string(str(target))} (format parquet)")
            _comment(con, f"serving.{source}", (docs or {}).get(table))
        con.execute(
            """
            create or replace table serving.main.serving_info as
            select ?::timestamp as published_at, ? as tables, ? as parquet_build, ? as fingerprints
        """,
            [published_at, sorted(tables), build_id, json.dumps(fingerprints, sort_keys=True)],
        )
    finally:
        con.execute("detach serving")
    os.replace(temporary, database)
    # Parquet: the complete build gets its final name, then the pointer moves to it in one rename.
    build_dir = parquet_dir / BUILDS / build_id
    temporary_build.rename(build_dir)
    _replace_symlink(parquet_dir / CURRENT_LINK, f"{BUILDS}/{build_id}", token)
    _replace_file(parquet_dir / CURRENT_FILE, build_id + "\n", token)
    _link_tables(parquet_dir, [name.split(".", 1)[1] for name in tables], token)
    pruned = _prune_builds(parquet_dir, keep_builds)
    return ServingCopy(database, parquet_dir, build_dir, tables, removed, pruned)
