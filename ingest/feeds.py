"""The load path every feed shares: read files with an explicit schema, stage, parse, validate,
publish each partition in one transaction.

A `Feed` says what its files look like and how rows map to partitions and slices; `load_feed`
does the rest:

1. register the landing files (SHA-256 once per file version) and the slices each holds;
2. for the partitions asked for, pick the winning file version of each slice (the most recently
   landed file holding it) and skip slices already published from that same version;
3. stage their rows as text (personal data hashed or dropped in the read itself, so it never
   reaches a table in clear), cast them in SQL and report every value that does not fit;
4. run the feed's Great Expectations suite, in batches of at most VALIDATION_BATCH_ROWS rows
   (GX costs ~2 s per run whatever the row count), and attribute failing rows to partitions;
5. publish each clean partition by replacing its slices in one transaction; quarantine the bad
   rows of the others with file, row, column and reason.
"""

import csv
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from ingest.duck import quote_ident, sql_string
from ingest.loads import (
    META_DDL,
    LoadIssue,
    LoadReport,
    PartitionOutcome,
    ensure_quarantine_table,
    new_load_id,
    quarantine_issues,
    record_load,
    register_landing_files,
    utc_now,
)

VALIDATION_BATCH_ROWS = 500_000
PROVENANCE_COLUMNS: list[tuple[str, str]] = [
    ("_source_file", "VARCHAR"),
    ("_source_row", "BIGINT"),
    ("_file_sha256", "VARCHAR"),
    ("_load_id", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
]

# A validator gets typed rows (of one or more partitions) and a label, and returns
# (passed, summary for the UI, issues naming file, row and column).
Validator = Callable[[pd.DataFrame, str], tuple[bool, dict, list[LoadIssue]]]


@dataclass(frozen=True)
class Feed:
    name: str  # raw.<name>, quarantine.<name>
    source_columns: list[tuple[str, str]]  # as the files have them, with their types
    landing_subdir: str
    file_patterns: tuple[str, ...]
    # SQL over the text columns (and, per file, its path) giving a row's partition key
    partition_sql: Callable[[Path], str]
    partition_column: str  # the column named when a row has no partition
    partition_message: str  # what is wrong with a row that has no partition
    # SQL over the text columns giving the unit a newer file replaces within a partition (None: the
    # whole partition), and the same over the published (typed) columns
    slice_sql: str | None
    slice_sql_typed: str
    validator: str  # "module:function"
    hashed: dict[str, str] = field(default_factory=dict)  # source column -> keyed-hash column
    dropped: frozenset[str] = frozenset()  # source columns never read into the warehouse
    non_negative: tuple[str, ...] = ()
    # (name, type, SQL over the typed columns and _partition_key), computed when staging
    derived_columns: tuple[tuple[str, str, str], ...] = ()
    # A step run on the typed rows before validation ("module:function", called with the
    # connection and the feed), adding `enriched_columns` to the temp table `feed_typed`: for work
    # SQL cannot do, such as geometry (ingest.land).
    enrich: str | None = None
    enriched_columns: tuple[tuple[str, str], ...] = ()
    # When a file's partition is in its name (an export day or quarter), not in its rows: the
    # partition a path names. The same bytes under two such names are two partitions' files.
    file_partition: Callable[[Path], str | None] | None = None

    @property
    def table(self) -> str:
        return f"raw.{self.name}"

    @property
    def quarantine_table(self) -> str:
        return f"quarantine.{self.name}"

    @property
    def staged_columns(self) -> list[tuple[str, str]]:
        """The columns that reach the warehouse: hashed identifiers renamed, dropped ones gone."""
        return [
            (self.hashed.get(name, name), "VARCHAR" if name in self.hashed else dtype)
            for name, dtype in self.source_columns
            if name not in self.dropped
        ]

    @property
    def published_columns(self) -> list[tuple[str, str]]:
        derived = [(name, dtype) for name, dtype, _ in self.derived_columns]
        return self.staged_columns + derived + list(self.enriched_columns) + PROVENANCE_COLUMNS

    def landing_files(self, landing_dir: Path) -> list[Path]:
        folder = landing_dir / self.landing_subdir
        if not folder.exists():
            return []
        return sorted({p for pattern in self.file_patterns for p in folder.glob(pattern)})

    def file_key(self, path: Path) -> str | None:
        return self.file_partition(path) if self.file_partition else None

    def load_validator(self) -> Validator:
        return _resolve(self.validator)

    def run_enrich(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.enrich:
            _resolve(self.enrich)(con, self)


def _resolve(reference: str) -> Callable:
    module, function = reference.split(":")
    return getattr(importlib.import_module(module), function)


def ensure_tables(con: duckdb.DuckDBPyConnection, feed: Feed) -> None:
    columns = ",\n    ".join(f"{quote_ident(n)} {t}" for n, t in feed.published_columns)
    con.execute(META_DDL)
    con.execute(f"""
        create schema if not exists raw;
        create table if not exists {feed.table} (
            {columns}
        );
        -- which slices each file version holds, read once per checksum
        create table if not exists meta.file_slices (
            feed varchar not null,
            sha256 varchar not null,
            slice varchar,
            partition_key varchar,
            row_count bigint not null
        );
        -- the file version each published slice came from; reloading that version is a no-op
        create table if not exists meta.published_slices (
            feed varchar not null,
            slice varchar not null,
            partition_key varchar not null,
            sha256 varchar not null,
            source_file varchar not null,
            load_id varchar not null,
            row_count bigint not null,
            published_at timestamp not null,
            primary key (feed, slice)
        );
    """)
    ensure_quarantine_table(con, feed.quarantine_table)


# ------------------------------------------------------------------------------------------------
# Reading one file into rows of text columns. Types are applied later, in SQL, so that every bad
# value is reported with its row and column instead of failing the whole read.
# ------------------------------------------------------------------------------------------------


@dataclass
class FileScan:
    """A SELECT over one file yielding the staged columns as text plus `_source_row` (and, for
    JSON, `_missing_keys`); or the structural problems that make the file unreadable."""

    sql: str | None
    issues: list[LoadIssue]


def _text(feed: Feed, name: str, expression: str) -> str:
    """The staged form of one source column: trimmed text, empty as null, identifiers hashed."""
    value = f"nullif(trim({expression}), '')"
    if name in feed.hashed:
        return f"pii_hash({value}) as {quote_ident(feed.hashed[name])}"
    return f"{value} as {quote_ident(name)}"


def scan_file(feed: Feed, path: Path, *, lenient: bool = False) -> FileScan:
    """SQL that reads `path` (CSV, JSON envelope `{"data": [...]}` or JSON Lines) with an explicit
    schema. `lenient` only serves to find out which slices a file holds: it skips unparsable CSV
    lines and tolerates missing columns that are not needed for that."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return _scan_json(feed, path, envelope=True)
    if suffix == ".jsonl":
        return _scan_json(feed, path, envelope=False)
    return _scan_csv(feed, path, lenient=lenient)


def _csv_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return next(csv.reader(handle), [])


def _scan_csv(feed: Feed, path: Path, *, lenient: bool) -> FileScan:
    header = _csv_header(path)
    names = [name for name, _ in feed.source_columns]
    missing = [name for name in names if name not in header]
    if lenient and feed.partition_column not in missing:
        missing = []
    issues = [
        LoadIssue(str(path), 1, name, "missing_column", "column missing from the CSV header")
        for name in missing
    ]
    issues += [
        LoadIssue(str(path), 1, name, "duplicate_column", "column appears twice in the header")
        for name in sorted({n for n in header if header.count(n) > 1})
    ]
    if issues:
        return FileScan(None, issues)
    schema = "{" + ", ".join(f"{sql_string(name)}: 'VARCHAR'" for name in header) + "}"
    errors = "ignore_errors = true" if lenient else "store_rejects = true"
    reader = (
        f"read_csv({sql_string(str(path))}, header = true, auto_detect = false, delim = ',', "
        f"quote = '\"', escape = '\"', columns = {schema}, {errors})"
    )
    selected = ", ".join(
        _text(feed, name, quote_ident(name)) if name in header else f"null::varchar as {quote_ident(name)}"
        for name in names
        if name not in feed.dropped
    )
    # Line 1 is the header, so data row n is line n + 1 of the file.
    sql = (
        f"select {selected}, row_number() over () + 1 as _source_row, "
        f"[]::varchar[] as _missing_keys from {reader}"
    )
    return FileScan(sql, [])


def _scan_json(feed: Feed, path: Path, *, envelope: bool) -> FileScan:
    names = [name for name, _ in feed.source_columns]
    if envelope:
        size = path.stat().st_size
        records = f"""
            select unnest(data) as rec, unnest(range(1, len(data) + 1)) as _source_row
            from read_json({sql_string(str(path))}, columns = {{'data': 'JSON[]'}}, format = 'auto',
                maximum_object_size = {max(size + 1024, 16 << 20)})
        """
    else:  # JSON Lines: row n is line n
        records = f"""
            select json as rec, row_number() over () as _source_row
            from read_json_objects({sql_string(str(path))}, format = 'newline_delimited')
        """
    read = [name for name in names if name not in feed.dropped]
    # One parse of each record for all its fields (`rec ->> 'x'` per column would parse it per
    # column), and one for its keys.
    paths = "[" + ", ".join(sql_string(f"$.{name}") for name in read) + "]"
    selected = ", ".join(_text(feed, name, f"fields[{i}]") for i, name in enumerate(read, start=1))
    keys = "[" + ", ".join(sql_string(name) for name in names) + "]"
    sql = f"""
        select {selected}, _source_row,
            list_filter({keys}, lambda k: not list_contains(json_keys(rec), k)) as _missing_keys
        from (select rec, _source_row, json_extract_string(rec, {paths}) as fields from ({records}))
    """
    return FileScan(sql, [])


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def _slice_sql(feed: Feed, path: Path) -> str:
    return feed.slice_sql or feed.partition_sql(path)


def _text_columns(feed: Feed) -> list[str]:
    return [name for name, _ in feed.staged_columns]


# ------------------------------------------------------------------------------------------------
# Registering landing files: checksum and the slices each holds.
# ------------------------------------------------------------------------------------------------


def register(
    con: duckdb.DuckDBPyConnection, feed: Feed, landing_dir: Path
) -> dict[str, list[LoadIssue]]:
    """Register every landing file; read the slices of file versions not seen before.
    Returns the files whose slices could not be read at all (path -> issues)."""
    ensure_tables(con, feed)
    unreadable: dict[str, list[LoadIssue]] = {}
    files = register_landing_files(con, feed.name, feed.landing_files(landing_dir))
    # A file version is read once: by checksum, or by checksum and the partition its name gives.
    known = set(con.execute(
        "select distinct sha256, partition_key from meta.file_slices where feed = ?", [feed.name]
    ).fetchall())
    known_versions = {sha for sha, _ in known}
    for registered in files:
        if feed.file_partition:
            if (registered.sha256, feed.file_key(registered.path)) in known:
                continue
        elif registered.sha256 in known_versions:
            continue
        scan = scan_file(feed, registered.path, lenient=True)
        if scan.sql is None:
            unreadable[str(registered.path)] = scan.issues
            continue
        try:
            con.execute(f"""
                insert into meta.file_slices
                select ?, ?, slice, partition_key, count(*)
                from (
                    select {_slice_sql(feed, registered.path)} as slice,
                        {feed.partition_sql(registered.path)} as partition_key
                    from ({scan.sql})
                )
                group by all
            """, [feed.name, registered.sha256])
        except duckdb.Error as error:
            unreadable[str(registered.path)] = [
                LoadIssue(str(registered.path), None, None, "unreadable_file", _first_line(error))
            ]
            continue
        known.add((registered.sha256, feed.file_key(registered.path)))
        known_versions.add(registered.sha256)
    return unreadable


# For each slice, the file version that wins: the most recently landed file holding it. Files with
# identical content are one version (the first path by name stands for it), unless their names
# give them different partitions ($file_keys, Feed.file_partition).
_WINNING_FILES_SQL = """
with files as (
    select unnest($paths::varchar[]) as path, unnest($file_keys::varchar[]) as file_key
),
present as (
    select l.path, l.sha256, l.mtime_ns, files.file_key,
        row_number() over (partition by l.sha256, files.file_key order by l.path) as copy_number
    from meta.landing_files as l
    join files on files.path = l.path
    where l.feed = $feed
),
candidates as (
    select s.slice, s.partition_key, s.row_count, f.path, f.sha256,
        row_number() over (partition by s.slice order by f.mtime_ns desc, f.path desc) as rank_in_slice
    from meta.file_slices as s
    join present as f on f.sha256 = s.sha256 and f.copy_number = 1
        and (f.file_key is null or f.file_key = s.partition_key)
    where s.feed = $feed
),
winning as (select * from candidates where rank_in_slice = 1),
changed as (
    select w.* from winning as w
    left join meta.published_slices as p on p.feed = $feed and p.slice = w.slice
    where w.partition_key is not null and (p.sha256 is null or p.sha256 <> w.sha256)
)
"""


def _file_parameters(feed: Feed, landing_dir: Path) -> dict:
    paths = feed.landing_files(landing_dir)
    return {"feed": feed.name, "paths": [str(p) for p in paths],
            "file_keys": [feed.file_key(p) for p in paths]}


def pending_partitions(con: duckdb.DuckDBPyConnection, feed: Feed, landing_dir: Path) -> list[str]:
    """Partitions for which the landing folder holds a file version not yet published."""
    register(con, feed, landing_dir)
    rows = con.execute(
        _WINNING_FILES_SQL + "select distinct partition_key from changed order by 1",
        _file_parameters(feed, landing_dir),
    ).fetchall()
    return [key for (key,) in rows]


def file_partitions(feed: Feed, path: Path) -> set[str]:
    """The partitions a landing file holds data for, read with an in-memory DuckDB so that a
    sensor can look without opening (and waiting on) the warehouse file."""
    scan = scan_file(feed, path, lenient=True)
    if scan.sql is None:
        return set()
    with duckdb.connect() as con:
        if feed.hashed:  # only to evaluate the read; nothing is stored
            register_pii_hash(con, demo_ok=True)
        try:
            rows = con.execute(
                f"select distinct {feed.partition_sql(path)} from ({scan.sql})"
            ).fetchall()
        except duckdb.Error:
            return set()
    return {key for (key,) in rows if key}


def register_pii_hash(con: duckdb.DuckDBPyConnection, *, demo_ok: bool = False) -> None:
    """Make `pii_hash(text)` (a keyed HMAC-SHA256) available to the readers' SQL."""
    from ingest.privacy import register_pii_hash as register_function

    register_function(con, demo_ok=demo_ok)


# ------------------------------------------------------------------------------------------------
# Loading partitions.
# ------------------------------------------------------------------------------------------------


def load_feed(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    landing_dir: Path,
    partition_keys: list[str],
    *,
    validator: Validator | None = None,
    load_id: str | None = None,
) -> LoadReport:
    """Load the given partitions of `feed` from the landing folder (see the module docstring).
    A partition with any bad row is not published; the others are."""
    validator = validator or feed.load_validator()
    load_id = load_id or new_load_id()
    started_at = utc_now()
    report = LoadReport(feed.name, load_id)
    if feed.hashed:
        register_pii_hash(con)
    unreadable = register(con, feed, landing_dir)
    # A file matching the feed's pattern whose name gives no partition belongs to none: say so.
    for path in feed.landing_files(landing_dir):
        if feed.file_partition and feed.file_key(path) is None:
            unreadable.setdefault(str(path), [
                LoadIssue(str(path), None, None, "no_partition", feed.partition_message)])

    slices = con.execute(
        _WINNING_FILES_SQL + """
        select partition_key, slice, path, sha256 from changed
        where list_contains($keys, partition_key) order by 1, 3, 2
        """,
        {**_file_parameters(feed, landing_dir), "keys": partition_keys},
    ).fetchall()
    to_load = sorted({key for key, *_ in slices})
    for key in sorted(set(partition_keys) - set(to_load)):
        report.partitions.append(PartitionOutcome(key, _status_without_new_data(con, feed, key)))
    if unreadable:
        # A file whose partitions cannot be read belongs to no partition; report it with this load.
        # It is kept in quarantine (no record: it could not be read) and in meta.loads like any
        # rejected partition.
        issues = [issue for file_issues in unreadable.values() for issue in file_issues]
        outcome = PartitionOutcome("(unassigned)", "rejected", files=sorted(unreadable), issues=issues)
        quarantined = quarantine_issues(con, feed.quarantine_table, load_id, outcome.partition_key,
                                        issues, None)
        record_load(con, load_id=load_id, feed=feed.name, outcome=outcome,
                    rows_quarantined=quarantined, started_at=started_at)
        report.partitions.append(outcome)
    if not to_load:
        return report

    # Each partition commits on its own; without this every commit of a large partition would
    # also checkpoint (DuckDB's default threshold is 16 MB). One checkpoint at the end instead.
    con.execute("set checkpoint_threshold = '1GB'")
    file_issues = _stage(con, feed, slices)
    typed = ",\n".join(
        f"try_cast({quote_ident(n)} as {t}) as {quote_ident(n)}" for n, t in feed.staged_columns
    )
    derived = "".join(
        f", try_cast({sql} as {dtype}) as {quote_ident(name)}" for name, dtype, sql in feed.derived_columns
    )
    con.execute(f"""
        create or replace temp table feed_typed as
        select *{derived}
        from (
            select {typed}, _source_file, _source_row, _file_sha256,
                {sql_string(load_id)} as _load_id, ?::timestamp as _loaded_at, _partition_key, _slice
            from feed_stage
        )
    """, [started_at])
    feed.run_enrich(con)
    type_issues = _type_issues(con, feed)
    issues_by_partition = _validate(con, to_load, validator, report)

    for key in to_load:
        files = sorted({path for k, _, path, _ in slices if k == key})
        outcome = PartitionOutcome(key, "rejected", files=files)
        outcome.issues = [i for f in files for i in file_issues.get(f, [])]
        outcome.issues += type_issues.get(key, [])
        # A value that did not parse is already reported; GX would only see it as missing.
        reported = {(i.file, i.row, i.column) for i in outcome.issues}
        outcome.issues += [
            i for i in issues_by_partition.get(key, []) if (i.file, i.row, i.column) not in reported
        ]
        quarantined = 0
        if outcome.issues:
            quarantined = quarantine_issues(
                con, feed.quarantine_table, load_id, key, outcome.issues, "feed_stage"
            )
        else:
            outcome.status = "published"
            outcome.rows = _publish(con, feed, load_id, key, [s for s in slices if s[0] == key])
        record_load(
            con, load_id=load_id, feed=feed.name, outcome=outcome,
            rows_quarantined=quarantined, started_at=started_at,
        )
        report.partitions.append(outcome)
    con.execute("drop table if exists feed_stage; drop table if exists feed_typed")
    con.execute("checkpoint")
    return report


def _status_without_new_data(con: duckdb.DuckDBPyConnection, feed: Feed, key: str) -> str:
    (published,) = con.execute(
        "select count(*) from meta.published_slices where feed = ? and partition_key = ?",
        [feed.name, key],
    ).fetchone()
    return "unchanged" if published else "empty"


def _stage(con: duckdb.DuckDBPyConnection, feed: Feed, slices: list[tuple]) -> dict[str, list[LoadIssue]]:
    """Copy the rows of the chosen slices into `feed_stage`, file by file. Rows with no partition
    come along too, so they are reported, not dropped."""
    text_columns = ", ".join(f"{quote_ident(n)} varchar" for n in _text_columns(feed))
    con.execute(f"""
        create or replace temp table feed_stage (
            {text_columns}, _source_row bigint, _source_file varchar, _file_sha256 varchar,
            _partition_key varchar, _slice varchar, _missing_keys varchar[]
        )
    """)
    issues: dict[str, list[LoadIssue]] = {}
    by_file: dict[tuple[str, str], list[str]] = {}
    for _, slice_key, path, sha in slices:
        by_file.setdefault((path, sha), []).append(slice_key)
    for (path, sha), file_slices in by_file.items():
        scan = scan_file(feed, Path(path))
        if scan.sql is None:
            issues[path] = scan.issues
            continue
        partition = feed.partition_sql(Path(path))
        try:
            con.execute(f"""
                insert into feed_stage
                select {", ".join(quote_ident(n) for n in _text_columns(feed))}, _source_row,
                    ?, ?, {partition}, {_slice_sql(feed, Path(path))}, _missing_keys
                from ({scan.sql})
                where list_contains(?, {_slice_sql(feed, Path(path))}) or ({partition}) is null
            """, [path, sha, file_slices])
        except duckdb.Error as error:
            issues[path] = [LoadIssue(path, None, None, "unreadable_file", _first_line(error))]
            continue
        if Path(path).suffix.lower() == ".csv":
            issues[path] = _csv_rejects(con, path, keep_line=not (feed.hashed or feed.dropped))

    # Rows with keys missing (JSON) or without a partition, over all files at once.
    rows = con.execute(f"""
        select _source_file, _source_row, 'missing_column', _missing_keys[1], null
        from feed_stage where len(_missing_keys) > 0
        union all
        select _source_file, _source_row, 'no_partition', {sql_string(feed.partition_column)},
            {quote_ident(feed.partition_column)}
        from feed_stage where _partition_key is null
        order by 1, 2
    """).fetchall()
    messages = {"missing_column": "key missing from the record", "no_partition": feed.partition_message}
    for path, row, check, column, value in rows:
        issues.setdefault(path, []).append(LoadIssue(path, row, column, check, messages[check], value))
    return {path: found for path, found in issues.items() if found}


def _csv_rejects(con: duckdb.DuckDBPyConnection, path: str, *, keep_line: bool) -> list[LoadIssue]:
    """Lines DuckDB's CSV reader could not parse (wrong field count, bad quoting...). The raw line
    is kept as the bad value unless the feed carries personal data: such a line was never through
    the hashing in the read, so it must not reach the quarantine, meta.loads or an error text."""
    try:
        rows = con.execute(
            "select line, column_name, error_type, error_message, csv_line "
            "from reject_errors order by line"
        ).fetchall()
    except duckdb.Error:
        return []
    finally:
        con.execute("drop table if exists reject_errors; drop table if exists reject_scans")
    withheld = "" if keep_line else " (the line is not kept: it may hold personal data)"
    return [
        LoadIssue(path, int(line), column, f"broken_csv:{kind}".lower(),
                  _first_line(Exception(message)) + withheld, csv_line if keep_line else None)
        for line, column, kind, message, csv_line in rows
    ]


def _type_issues(con: duckdb.DuckDBPyConnection, feed: Feed) -> dict[str, list[LoadIssue]]:
    """Values that do not parse as their column's type, and negative amounts, per partition."""
    checks = [
        f"""select _partition_key, _source_file, _source_row, {sql_string(name)} as column_name,
            'not_{dtype.split("(")[0].lower()}' as check_name, {quote_ident(name)} as value
        from feed_stage
        where {quote_ident(name)} is not null and try_cast({quote_ident(name)} as {dtype}) is null"""
        for name, dtype in feed.staged_columns
        if dtype != "VARCHAR"
    ]
    checks += [
        f"""select _partition_key, _source_file, _source_row, {sql_string(name)}, 'negative_value',
            {quote_ident(name)}
        from feed_stage where try_cast({quote_ident(name)} as double) < 0"""
        for name in feed.non_negative
    ]
    if not checks:
        return {}
    rows = con.execute(" union all ".join(checks) + " order by 1, 2, 3, 4").fetchall()
    issues: dict[str, list[LoadIssue]] = {}
    for key, file, row, column, check, value in rows:
        message = (
            "value is negative" if check == "negative_value"
            else f"not a valid {check.removeprefix('not_')}"
        )
        issues.setdefault(key, []).append(LoadIssue(file, row, column, check, message, value))
    return issues


def _validate(
    con: duckdb.DuckDBPyConnection,
    partition_keys: list[str],
    validator: Validator,
    report: LoadReport,
) -> dict[str, list[LoadIssue]]:
    """Run the suite over the staged partitions, in batches of at most VALIDATION_BATCH_ROWS rows
    (one pandas frame at a time), and attribute each failing row to its partition."""
    counts = dict(con.execute("select _partition_key, count(*) from feed_typed group by 1").fetchall())
    batches: list[list[str]] = [[]]
    rows_in_batch = 0
    for key in partition_keys:
        if batches[-1] and rows_in_batch + counts.get(key, 0) > VALIDATION_BATCH_ROWS:
            batches.append([])
            rows_in_batch = 0
        batches[-1].append(key)
        rows_in_batch += counts.get(key, 0)

    issues: dict[str, list[LoadIssue]] = {}
    for batch in batches:
        frame = con.execute(
            "select * exclude (_slice) from feed_typed where list_contains(?, _partition_key)", [batch]
        ).df()
        if frame.empty:  # its files could not be read at all; that is already reported
            continue
        label = batch[0] if len(batch) == 1 else f"{batch[0]}..{batch[-1]}"
        passed, summary, found = validator(frame, label)
        report.validations.append({"partitions": label, **summary})
        partition_of_row = {}
        if found:
            flagged = frame[frame["_source_row"].isin({i.row for i in found if i.row is not None})]
            partition_of_row = dict(zip(
                zip(flagged["_source_file"], flagged["_source_row"], strict=True),
                flagged["_partition_key"], strict=True,
            ))
        for issue in found:
            key = partition_of_row.get((issue.file, issue.row))
            # A table-level failure (no row) rejects every partition of the batch.
            for target in [key] if key else batch:
                issues.setdefault(target, []).append(issue)
        if not passed and not found:
            for key in batch:
                issues.setdefault(key, []).append(
                    LoadIssue(label, None, None, "validation", "expectation suite failed")
                )
    return issues


def _publish(
    con: duckdb.DuckDBPyConnection, feed: Feed, load_id: str, key: str, slices: list[tuple]
) -> int:
    """Replace the partition's changed slices in one transaction."""
    columns = ", ".join(quote_ident(n) for n, _ in feed.published_columns)
    slice_rows = pd.DataFrame(
        [(slice_key, path, sha) for _, slice_key, path, sha in slices],
        columns=["slice", "source_file", "sha256"],
    )
    con.register("publishing_slices", slice_rows)
    con.execute("begin transaction")
    try:
        con.execute(f"""
            delete from {feed.table}
            where {feed.slice_sql_typed} in (select slice from publishing_slices)
        """)
        con.execute(f"""
            insert into {feed.table} ({columns})
            select {columns} from feed_typed where _partition_key = ?
        """, [key])
        con.execute("""
            insert or replace into meta.published_slices
            select ?, s.slice, ?, s.sha256, s.source_file, ?, coalesce(c.row_count, 0), ?
            from publishing_slices as s
            left join (
                select _slice, count(*) as row_count from feed_typed
                where _partition_key = ? group by _slice
            ) as c on c._slice = s.slice
        """, [feed.name, key, load_id, utc_now(), key])
        (rows,) = con.execute(
            "select coalesce(sum(row_count), 0) from meta.published_slices "
            "where feed = ? and partition_key = ? and load_id = ?", [feed.name, key, load_id]
        ).fetchone()
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.unregister("publishing_slices")
    return rows
