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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

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
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.message}{shown}"


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
        super().__init__(
            f"{feed}: load rejected, {len(issues)} problem(s){where}:\n  {shown}{more}"
        )


@dataclass
class RegisteredFile:
    path: Path
    sha256: str
    mtime_ns: int
    is_new: bool


def register_landing_files(
    con: duckdb.DuckDBPyConnection, feed: str, files: list[Path]
) -> list[RegisteredFile]:
    """Checksum files that are new or changed since they were last seen (size or mtime differ);
    an unchanged file is not read again."""
    con.execute(META_DDL)
    known = {
        path: (size, mtime, sha)
        for path, size, mtime, sha in con.execute(
            "select path, size_bytes, mtime_ns, sha256 from meta.landing_files where feed = ?",
            [feed],
        ).fetchall()
    }
    registered: list[RegisteredFile] = []
    for path in sorted(files):
        stat = path.stat()
        seen = known.get(str(path))
        if seen and seen[0] == stat.st_size and seen[1] == stat.st_mtime_ns:
            registered.append(RegisteredFile(path, seen[2], stat.st_mtime_ns, is_new=False))
            continue
        sha = file_sha256(path)
        con.execute(
            "insert or replace into meta.landing_files values (?, ?, ?, ?, ?, ?)",
            [feed, str(path), stat.st_size, stat.st_mtime_ns, sha, utc_now()],
        )
        registered.append(RegisteredFile(path, sha, stat.st_mtime_ns, is_new=True))
    return registered


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
) -> None:
    message = "; ".join(issue.describe() for issue in outcome.issues[:5]) or None
    con.execute(
        "insert or replace into meta.loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            f"{load_id}/{outcome.partition_key}",
            feed,
            outcome.partition_key,
            outcome.status,
            outcome.files,
            outcome.rows if outcome.status == "published" else 0,
            rows_quarantined,
            message,
            started_at,
            utc_now(),
        ],
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
        f"left join {stage_table} as s "
        "on s._source_file = i.source_file and s._source_row = i.source_row"
        if stage_table
        else ""
    )
    con.register("new_issues", frame)
    try:
        con.execute(f"""
            insert into {table}
            select ?, ?, i.source_file, i.source_row, i.column_name, i.check_name, i.message,
                i.bad_value, {record}, ?
            from new_issues as i {join}
        """, [load_id, partition_key, utc_now()])
    finally:
        con.unregister("new_issues")
    return len(frame)
