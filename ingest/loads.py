"""What every feed's load shares: the landing-file registry, load bookkeeping, quarantine and the
errors a user sees.

A load goes: register landing files (checksum once per file version) -> stage the rows of the
partitions asked for -> parse and validate -> publish each good partition in one transaction.
Bad rows go to `quarantine.<feed>` with the file, row, column and reason; the published tables
are only touched inside the publishing transaction, so a failed or interrupted load leaves them
exactly as they were.
"""

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from ingest import lake
from ingest.duck import connect, insert_rows, transaction

META_DDL = """
create schema if not exists meta;
create schema if not exists quarantine;
create table if not exists meta.landing_files (
    feed varchar not null,
    path varchar not null,
    size_bytes bigint not null,
    mtime_ns bigint not null,
    sha256 varchar not null,
    registered_at timestamp not null,
    primary key (feed, path)
);
-- Added after the first release; a warehouse built before gets them here.
alter table meta.landing_files add column if not exists ctime_ns bigint;
alter table meta.landing_files add column if not exists inode bigint;
-- The order in which the warehouse saw files land: the last landed version of a slice wins.
alter table meta.landing_files add column if not exists landed_seq bigint;
alter table meta.landing_files add column if not exists compression varchar;
alter table meta.landing_files add column if not exists encoding varchar;
-- Why the file version cannot be loaded (reported once, by the load that first saw it).
alter table meta.landing_files add column if not exists problem varchar;
alter table meta.landing_files add column if not exists problem_reported boolean;
create table if not exists meta.loads (
    load_id varchar primary key,
    feed varchar not null,
    partition_key varchar,
    status varchar not null,          -- published | unchanged | rejected | failed
    files varchar[],
    rows_published bigint,
    rows_quarantined bigint,
    message varchar,
    started_at timestamp not null,
    finished_at timestamp not null
);
alter table meta.loads add column if not exists hash_key_fingerprint varchar;
"""


def new_load_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


def utc_now() -> datetime:
    # DuckDB TIMESTAMP has no zone: store UTC wall time.
    return datetime.now(UTC).replace(tzinfo=None)


def file_sha256(path: Path, chunk_bytes: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_bytes):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class LoadIssue:
    """One bad value: where it is and what is wrong with it."""

    file: str
    row: int | None  # data row (CSV: line number in the file; JSON: 1-based record index)
    column: str | None
    check: str
    message: str
    value: str | None = None

    def describe(self) -> str:
        where = Path(self.file).name
        if self.row is not None:
            where += f", {position_unit(self.file)} {self.row}"
        if self.column:
            where += f", column {self.column}"
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.message}{shown}"

    def cleaned(self, redact: Callable[[str | None], str | None] | None = None) -> "LoadIssue":
        """The issue as it may be written anywhere: long values cut, personal data redacted."""
        clean = redact or (lambda text: text)
        # Redacted before cut: an IIN across the cut would leave most of its digits in clear.
        return replace(
            self,
            file=clean(self.file),
            column=cut(clean(self.column), MAX_VALUE_CHARS),
            message=cut(clean(self.message), MAX_MESSAGE_CHARS),
            value=cut(clean(self.value), MAX_VALUE_CHARS),
        )


MAX_VALUE_CHARS = 200
MAX_MESSAGE_CHARS = 500


def cut(text: str | None, limit: int) -> str | None:
    """`text` shortened to `limit` characters, saying how long it was (an over-long line is not
    copied whole into messages and the quarantine)."""
    if text is None or len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def position_unit(file: str) -> str:
    """What a position counts in a file: records of a JSON document, physical lines otherwise
    (CSV: the header is line 1; JSON Lines and YAML: line n)."""
    from ingest.landing import data_suffix

    return "record" if data_suffix(Path(file)) == ".json" else "line"


class LoadError(Exception):
    """A load that could not be published. The message names file, row and column of the first
    problems; all of them are in `issues` and in the quarantine table."""

    def __init__(self, feed: str, issues: list[LoadIssue], load_id: str | None = None):
        self.feed = feed
        self.issues = issues
        self.load_id = load_id
        shown = "\n  ".join(issue.describe() for issue in issues[:10])
        more = f"\n  ... and {len(issues) - 10} more" if len(issues) > 10 else ""
        where = f"; bad rows are in quarantine.{feed} (load_id '{load_id}')" if load_id else ""
        super().__init__(f"{feed}: load rejected, {len(issues)} problem(s){where}:\n  {shown}{more}")


@dataclass
class RegisteredFile:
    path: Path
    sha256: str
    problem: str | None = None


def register_landing_files(
    con: duckdb.DuckDBPyConnection, feed: str, files: list[Path]
) -> list[RegisteredFile]:
    """Checksum and inspect files that are new or changed since they were last seen; an unchanged
    file is not read again. Each (re)registration gets the next landing sequence number: files
    first seen together are numbered in the order they changed (ctime), then by name."""
    from ingest.landing import FileSignature, configured_encoding, inspect

    con.execute(META_DDL)
    known = {
        path: (FileSignature(size, mtime, ctime or -1, inode or -1), sha, seq, problem)
        for path, size, mtime, ctime, inode, sha, seq, problem in con.execute(
            "select path, size_bytes, mtime_ns, ctime_ns, inode, sha256, coalesce(landed_seq, 0), "
            "problem from meta.landing_files where feed = ?",
            [feed],
        ).fetchall()
    }
    (next_seq,) = con.execute(
        "select coalesce(max(landed_seq), 0) + 1 from meta.landing_files where feed = ?", [feed]
    ).fetchone()
    registered: list[RegisteredFile] = []
    changed: list[tuple[int, str, Path]] = []
    new_rows: list[tuple] = []  # (a file's row of meta.landing_files)
    for path in sorted(files):
        seen = known.get(str(path))
        signature = FileSignature.of(path)
        # A folder configured for Windows-1251 after its files were refused as not UTF-8: their
        # bytes did not change, but how they are read did.
        newly_decodable = seen and "not UTF-8" in (seen[3] or "") and configured_encoding(path)
        if seen and seen[0] == signature and not newly_decodable:
            registered.append(RegisteredFile(path, seen[1], seen[3]))
        else:
            changed.append((signature.ctime_ns, str(path), path))
    for _, _, path in sorted(changed):
        inspection = inspect(path)
        signature = inspection.signature or FileSignature.of(path)
        sha = inspection.sha256 or f"unreadable:{path}"
        seen = known.get(str(path))
        if seen and seen[1] == sha and not inspection.problem:
            # Same bytes, only the metadata changed (chmod, chown, a scanner's touch): the file
            # keeps its place in the landing order.
            con.execute(
                "update meta.landing_files set size_bytes = ?, mtime_ns = ?, ctime_ns = ?, inode = ?, "
                "compression = ?, encoding = ?, problem = null, problem_reported = false "
                "where feed = ? and path = ?",
                [
                    signature.size,
                    signature.mtime_ns,
                    signature.ctime_ns,
                    signature.inode,
                    inspection.compression,
                    inspection.encoding,
                    feed,
                    str(path),
                ],
            )
            registered.append(RegisteredFile(path, sha, None))
            continue
        new_rows.append(
            (
                feed,
                str(path),
                signature.size,
                signature.mtime_ns,
                sha,
                utc_now(),
                signature.ctime_ns,
                signature.inode,
                next_seq,
                inspection.compression,
                inspection.encoding,
                inspection.problem,
                False,
            )
        )
        registered.append(RegisteredFile(path, sha, inspection.problem))
        next_seq += 1
    insert_rows(
        con,
        "insert or replace into meta.landing_files (feed, path, size_bytes, mtime_ns, sha256, "
        "registered_at, ctime_ns, inode, landed_seq, compression, encoding, problem, problem_reported)",
        new_rows,
    )
    return sorted(registered, key=lambda r: str(r.path))


def mark_unloadable(con: duckdb.DuckDBPyConnection, feed: str, path: Path, problem: str) -> None:
    """Remember why a file version cannot be loaded, so it is reported once, not at every load."""
    con.execute(
        "update meta.landing_files set problem = ?, problem_reported = true where feed = ? and path = ?",
        [problem, feed, str(path)],
    )


# The partition key under which files that belong to no partition (unreadable) are reported.
UNASSIGNED = "(unassigned)"


@dataclass
class PartitionOutcome:
    partition_key: str
    status: str  # published | unchanged | rejected | empty
    rows: int = 0
    files: list[str] = field(default_factory=list)
    issues: list[LoadIssue] = field(default_factory=list)
    totals: dict = field(default_factory=dict)


@dataclass
class LoadReport:
    feed: str
    load_id: str
    partitions: list[PartitionOutcome] = field(default_factory=list)
    validations: list[dict] = field(default_factory=list)  # one summary per suite run

    @property
    def issues(self) -> list[LoadIssue]:
        return [issue for p in self.partitions for issue in p.issues]

    @property
    def rejected(self) -> list[PartitionOutcome]:
        return [p for p in self.partitions if p.status == "rejected"]

    def count(self, status: str) -> int:
        return sum(1 for p in self.partitions if p.status == status)

    @property
    def rows_published(self) -> int:
        return sum(p.rows for p in self.partitions if p.status == "published")

    def raise_for_errors(self) -> None:
        if self.rejected:
            raise LoadError(self.feed, self.issues, self.load_id)


def record_load(
    con: duckdb.DuckDBPyConnection,
    *,
    load_id: str,
    feed: str,
    outcome: PartitionOutcome,
    rows_quarantined: int,
    started_at: datetime,
    hash_key_fingerprint: str | None = None,
    message: str | None = None,
) -> None:
    """One row of meta.loads per partition and load. Called inside the transaction that publishes
    the partition, so a published partition always has its record."""
    record_loads(
        con,
        load_id=load_id,
        feed=feed,
        outcomes=[outcome],
        rows_quarantined=rows_quarantined,
        started_at=started_at,
        hash_key_fingerprint=hash_key_fingerprint,
        message=message,
    )


def record_loads(
    con: duckdb.DuckDBPyConnection,
    *,
    load_id: str,
    feed: str,
    outcomes: list[PartitionOutcome],
    rows_quarantined: int,
    started_at: datetime,
    hash_key_fingerprint: str | None = None,
    message: str | None = None,
) -> None:
    """record_load for several partitions, in one statement (an insert per partition cost ~8 ms:
    1.4 s for the 180 daily partitions of the bundled appeals). The partitions must differ: of two
    rows with one key in a statement, DuckDB keeps the first (separate inserts kept the last)."""
    if not outcomes:
        return
    finished_at = utc_now()
    rows = [
        [
            f"{load_id}/{outcome.partition_key}",
            feed,
            outcome.partition_key,
            outcome.status,
            outcome.files,
            outcome.rows if outcome.status == "published" else 0,
            rows_quarantined,
            message or "; ".join(issue.describe() for issue in outcome.issues[:5]) or None,
            started_at,
            finished_at,
            hash_key_fingerprint,
        ]
        for outcome in outcomes
    ]
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        placeholders = ", ".join(["(" + ", ".join(["?"] * len(chunk[0])) + ")"] * len(chunk))
        con.execute(
            "insert or replace into meta.loads (load_id, feed, partition_key, status, files, "
            "rows_published, rows_quarantined, message, started_at, finished_at, "
            f"hash_key_fingerprint) values {placeholders}",
            [value for row in chunk for value in row],
        )


def ensure_quarantine_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    con.execute(f"""
        create table if not exists {table} (
            load_id varchar not null,
            partition_key varchar,
            source_file varchar not null,
            source_row bigint,
            column_name varchar,
            check_name varchar not null,
            message varchar not null,
            bad_value varchar,
            record json,           -- the whole original row, as read
            quarantined_at timestamp not null
        )
    """)


def quarantine_issues(
    con: duckdb.DuckDBPyConnection,
    table: str,
    load_id: str,
    partition_key: str,
    issues: list[LoadIssue],
    stage_table: str | None,
) -> int:
    """Keep the offending rows, each with its reason, beside the full original record."""
    ensure_quarantine_table(con, table)
    frame = pd.DataFrame(
        [(i.file, i.row, i.column, i.check, i.message, i.value) for i in issues],
        columns=["source_file", "source_row", "column_name", "check_name", "message", "bad_value"],
    ).astype({"source_row": "Int64", "bad_value": "string"})
    record = "to_json(s)" if stage_table else "null::json"
    join = (
        f"left join {stage_table} as s on s._source_file = i.source_file and s._source_row = i.source_row"
        if stage_table
        else ""
    )
    con.register("new_issues", frame)
    try:
        con.execute(
            f"""
            insert into {table}
            select ?, ?, i.source_file, i.source_row, i.column_name, i.check_name, i.message,
                i.bad_value, {record}, ?
            from new_issues as i {join}
        """,
            [load_id, partition_key, utc_now()],
        )
    finally:
        con.unregister("new_issues")
    return len(frame)


def record_rejection(
    con: duckdb.DuckDBPyConnection,
    *,
    feed: str,
    load_id: str,
    outcome: PartitionOutcome,
    stage_table: str | None,
    started_at: datetime,
    hash_key_fingerprint: str | None = None,
) -> None:
    """Keep a rejected partition's issues (and the staged rows they name) in quarantine.<feed> and
    write its meta.loads record; the caller holds the transaction."""
    quarantined = quarantine_issues(
        con, f"quarantine.{feed}", load_id, outcome.partition_key, outcome.issues, stage_table
    )
    record_load(
        con,
        load_id=load_id,
        feed=feed,
        outcome=outcome,
        rows_quarantined=quarantined,
        started_at=started_at,
        hash_key_fingerprint=hash_key_fingerprint,
    )


WHOLE = "all"  # the one partition of a load that replaces whole tables


def publish_whole_tables(
    con: duckdb.DuckDBPyConnection,
    *,
    feed: str,
    load_id: str,
    started_at: datetime,
    outcome: PartitionOutcome,
    replacements: dict[str, str],
    stage_table: str | None = None,
) -> PartitionOutcome:
    """The publish of a load without partitions (a reference file, the reviewed bilateral files):
    with no issue, replace each table of `replacements` (table -> SELECT giving its rows) and write
    the meta.loads record, in one transaction; with issues, keep them (and the staged rows they
    name) in quarantine.<feed> and record the rejection: the published tables stay as they were.
    The partitioned feeds publish the same way, partition by partition (ingest/feeds.py)."""
    con.execute(META_DDL)
    if outcome.issues:
        outcome.status = "rejected"
        with transaction(con):
            record_rejection(
                con,
                feed=feed,
                load_id=load_id,
                outcome=outcome,
                stage_table=stage_table,
                started_at=started_at,
            )
        return outcome
    with transaction(con):
        rows = 0
        for table, select in replacements.items():
            con.execute(f"create schema if not exists {table.split('.')[0]}")
            con.execute(f"create or replace table {table} as {select}")
            rows += con.execute(f"select count(*) from {table}").fetchone()[0]
        outcome.status, outcome.rows = "published", rows
        record_load(
            con, load_id=load_id, feed=feed, outcome=outcome, rows_quarantined=0, started_at=started_at
        )
    if lake.lake_enabled():  # the tables as now published -> the Parquet lake (ingest/lake.py)
        for table in replacements:
            lake.write_table(con, *table.split("."))
    return outcome


RUN_FAILURES_DDL = """
    create table if not exists run_failures (
        run_id varchar not null,
        job_name varchar not null,
        failed_at timestamp not null,
        partition_range varchar,
        step_key varchar,
        error_class varchar,
        error_message varchar,
        primary key (run_id, step_key)
    )
"""


def record_failed_steps(paths, rows: list[tuple]) -> None:
    """Failed runs' steps (run id, job, failed at, partitions, step, error class, message) in
    run_failures of the operations database beside the warehouse (its own file, so that recording
    never waits for the warehouse's writer lock)."""
    paths.root.mkdir(parents=True, exist_ok=True)
    with connect(paths.operations_db, temp_dir=paths.temp_dir) as con:
        con.execute(RUN_FAILURES_DDL)
        con.executemany("insert or replace into run_failures values (?, ?, ?, ?, ?, ?, ?)", rows)


def table_row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]
