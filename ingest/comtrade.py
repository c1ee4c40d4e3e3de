"""UN Comtrade v1 records: read CSV or the JSON envelope, stage, validate, publish by partition.

Partitions are months (Dagster keys like '2023-03-01'). A monthly record (freqCode M, period
'YYYYMM') belongs to its month; an annual record (A, 'YYYY') to December of its year, the month
after which annual figures are compiled. Within a partition, data is replaced per Comtrade slice
(reporter, frequency, period): the most recently landed file holding a slice supersedes the older
ones, as a Comtrade revision does.
"""

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from ingest.comtrade_schema import (
    COLUMN_NAMES,
    COMTRADE_COLUMNS,
    NON_NEGATIVE,
    PROVENANCE_COLUMNS,
    SLICE_KEY,
)
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

FEED = "comtrade_records"
PUBLISHED_TABLE = "raw.comtrade_records"
QUARANTINE_TABLE = "quarantine.comtrade_records"
FILE_PATTERNS = ("*.csv", "*.json")
VALIDATION_BATCH_ROWS = 500_000


def partition_of_period_sql(period: str) -> str:
    """SQL for the partition key of a period: 'YYYYMM' -> that month, 'YYYY' -> December."""
    return f"""case
        when regexp_full_match({period}, '[0-9]{{4}}(0[1-9]|1[0-2])')
            then substr({period}, 1, 4) || '-' || substr({period}, 5, 2) || '-01'
        when regexp_full_match({period}, '[0-9]{{4}}') then {period} || '-12-01'
    end"""


# A validator gets typed rows (of one or more partitions) and a label, and returns
# (passed, summary for the UI, issues naming file, row and column).
Validator = Callable[[pd.DataFrame, str], tuple[bool, dict, list[LoadIssue]]]


def partition_periods(partition_key: str) -> list[str]:
    """'2023-03-01' -> ['202303']; December also carries the annual period: ['202312', '2023']."""
    match = re.fullmatch(r"(\d{4})-(\d{2})(-\d{2})?", partition_key)
    if not match:
        raise ValueError(f"not a monthly partition key: {partition_key!r}")
    year, month = match.group(1), match.group(2)
    return [year + month, year] if month == "12" else [year + month]


def landing_files(landing_dir: Path) -> list[Path]:
    if not landing_dir.exists():
        return []
    return sorted(p for pattern in FILE_PATTERNS for p in landing_dir.glob(pattern))


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    columns = ",\n    ".join(
        f"{quote_ident(name)} {dtype}" for name, dtype in COMTRADE_COLUMNS + PROVENANCE_COLUMNS
    )
    con.execute(META_DDL)
    con.execute(f"""
        create schema if not exists raw;
        create table if not exists {PUBLISHED_TABLE} (
            {columns}
        );
        -- which Comtrade slices each file version holds, read once per checksum
        create table if not exists meta.comtrade_file_slices (
            sha256 varchar not null,
            reporter varchar,
            freq varchar,
            period varchar,
            partition_key varchar,
            row_count bigint not null
        );
        -- the file version each published slice came from; a reload of the same version is a no-op
        create table if not exists meta.comtrade_published_slices (
            reporter varchar not null,
            freq varchar not null,
            period varchar not null,
            partition_key varchar not null,
            sha256 varchar not null,
            source_file varchar not null,
            load_id varchar not null,
            row_count bigint not null,
            published_at timestamp not null,
            primary key (reporter, freq, period)
        );
    """)
    ensure_quarantine_table(con, QUARANTINE_TABLE)


# --------------------------------------------------------------------------------------------
# Reading one file into rows of text columns (types are applied later, in SQL, so that every bad
# value can be reported with its row and column instead of failing the whole read).
# --------------------------------------------------------------------------------------------


@dataclass
class FileScan:
    """A SELECT over one file yielding the v1 columns as text plus `_source_row`; or the
    structural problems that make the file unreadable."""

    sql: str | None
    issues: list[LoadIssue]


def _csv_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return next(csv.reader(handle), [])


def scan_file(path: Path, *, lenient: bool = False) -> FileScan:
    """SQL that reads `path` (CSV or JSON envelope) with an explicit schema of text columns.

    `lenient` skips unparsable CSV lines instead of recording them (used only to find out which
    periods a file holds)."""
    if path.suffix.lower() == ".json":
        return _scan_json(path)
    header = _csv_header(path)
    missing = [name for name in COLUMN_NAMES if name not in header]
    if lenient and not set(SLICE_KEY) & set(missing):
        missing = []  # enough to tell which slices the file holds; the strict read reports it
    issues = [
        LoadIssue(str(path), 1, name, "missing_column", "column missing from the CSV header")
        for name in missing
    ]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    issues += [
        LoadIssue(str(path), 1, name, "duplicate_column", "column appears twice in the header")
        for name in duplicated
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
        f"nullif(trim({quote_ident(name)}), '') as {quote_ident(name)}"
        if name in header
        else f"null::varchar as {quote_ident(name)}"
        for name in COLUMN_NAMES
    )
    # Line 1 is the header, so data row n is line n + 1 of the file.
    sql = f"select {selected}, row_number() over () + 1 as _source_row from {reader}"
    return FileScan(sql, [])


def _scan_json(path: Path) -> FileScan:
    size = path.stat().st_size
    reader = (
        f"read_json({sql_string(str(path))}, columns = {{'data': 'JSON[]'}}, format = 'auto', "
        f"maximum_object_size = {max(size + 1024, 16 << 20)})"
    )
    selected = ", ".join(
        f"nullif(trim(rec ->> {sql_string(name)}), '') as {quote_ident(name)}" for name in COLUMN_NAMES
    )
    keys = "[" + ", ".join(sql_string(name) for name in COLUMN_NAMES) + "]"
    sql = f"""
        select {selected}, _source_row,
            list_filter({keys}, lambda k: not list_contains(json_keys(rec), k)) as _missing_keys
        from (
            select unnest(data) as rec, unnest(range(1, len(data) + 1)) as _source_row
            from {reader}
        )
    """
    return FileScan(sql, [])


def _structural_issues_json(
    con: duckdb.DuckDBPyConnection, path: Path, scan_sql: str
) -> list[LoadIssue]:
    rows = con.execute(
        f"select _source_row, _missing_keys from ({scan_sql}) where len(_missing_keys) > 0 "
        "order by _source_row limit 50"
    ).fetchall()
    return [
        LoadIssue(str(path), row, missing[0], "missing_column", "key missing from the record")
        for row, missing in rows
    ]


# --------------------------------------------------------------------------------------------
# Registering landing files: checksum and the slices each holds.
# --------------------------------------------------------------------------------------------


def register(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> dict[str, list[LoadIssue]]:
    """Register every landing file; read the slices of file versions not seen before.
    Returns the files whose slices could not be read at all (path -> issues)."""
    ensure_tables(con)
    unreadable: dict[str, list[LoadIssue]] = {}
    files = register_landing_files(con, FEED, landing_files(landing_dir))
    known = {
        sha for (sha,) in con.execute("select distinct sha256 from meta.comtrade_file_slices").fetchall()
    }
    for registered in files:
        if registered.sha256 in known:
            continue
        scan = scan_file(registered.path, lenient=True)
        if scan.sql is None:
            unreadable[str(registered.path)] = scan.issues
            continue
        partition = partition_of_period_sql("period")
        try:
            con.execute(f"""
                insert into meta.comtrade_file_slices
                select {sql_string(registered.sha256)}, "reporterCode", "freqCode", period,
                    {partition}, count(*)
                from ({scan.sql})
                group by all
            """)
        except duckdb.Error as error:
            unreadable[str(registered.path)] = [
                LoadIssue(str(registered.path), None, None, "unreadable_file", _first_line(error))
            ]
            continue
        known.add(registered.sha256)
    return unreadable


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def pending_partitions(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> list[str]:
    """Partitions for which the landing folder holds a file version not yet published."""
    register(con, landing_dir)
    rows = con.execute(f"""
        {_WINNING_FILES_SQL}
        select distinct w.partition_key
        from winning as w
        left join meta.comtrade_published_slices as p
            on p.reporter = w.reporter and p.freq = w.freq and p.period = w.period
        where w.partition_key is not null and (p.sha256 is null or p.sha256 <> w.sha256)
        order by 1
    """, [FEED, [str(p) for p in landing_files(landing_dir)]]).fetchall()
    return [key for (key,) in rows]


# For each slice, the file version that wins: the most recently landed file holding it. Files with
# identical content are one version (the first path by name stands for it).
_WINNING_FILES_SQL = """
with present as (
    select path, sha256, mtime_ns,
        row_number() over (partition by sha256 order by path) as copy_number
    from meta.landing_files
    where feed = ? and list_contains(?, path)
),
candidates as (
    select s.reporter, s.freq, s.period, s.partition_key, s.row_count, f.path, f.sha256,
        row_number() over (
            partition by s.reporter, s.freq, s.period order by f.mtime_ns desc, f.path desc
        ) as rank_in_slice
    from meta.comtrade_file_slices as s
    join present as f on f.sha256 = s.sha256 and f.copy_number = 1
),
winning as (select * from candidates where rank_in_slice = 1)
"""


# --------------------------------------------------------------------------------------------
# Loading partitions.
# --------------------------------------------------------------------------------------------


def load_comtrade(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    partition_keys: list[str],
    *,
    validator: Validator | None = None,
    load_id: str | None = None,
) -> LoadReport:
    """Load the given monthly partitions from the landing folder.

    Each partition is parsed, validated (by `validator`, normally the Great Expectations suite)
    and published in its own transaction; a partition with any bad row is not published and its
    bad rows go to quarantine. Slices already published from the same file version are skipped,
    so loading the same files twice changes nothing."""
    if validator is None:
        from expectations.comtrade import validate_comtrade_records as validator
    load_id = load_id or new_load_id()
    started_at = utc_now()
    report = LoadReport(FEED, load_id)
    unreadable = register(con, landing_dir)

    slices = _slices_to_load(con, landing_dir, partition_keys)
    to_load = sorted({key for key, *_ in slices})
    for key in sorted(set(partition_keys) - set(to_load)):
        report.partitions.append(PartitionOutcome(key, _status_without_new_data(con, key)))
    if unreadable:
        # A file whose periods cannot be read belongs to no partition; report it with this load.
        issues = [issue for file_issues in unreadable.values() for issue in file_issues]
        report.partitions.append(
            PartitionOutcome("(unassigned)", "rejected", files=sorted(unreadable), issues=issues)
        )
    if not to_load:
        return report

    # Each partition commits on its own; without this every commit of a large partition would
    # also checkpoint (DuckDB's default threshold is 16 MB). One checkpoint at the end instead.
    con.execute("set checkpoint_threshold = '1GB'")
    file_issues = _stage(con, slices)
    typed_sql = ",\n".join(
        f"try_cast({quote_ident(name)} as {dtype}) as {quote_ident(name)}"
        for name, dtype in COMTRADE_COLUMNS
    )
    con.execute(f"""
        create or replace temp table comtrade_typed as
        select {typed_sql}, _source_file, _source_row, _file_sha256,
            {sql_string(load_id)} as _load_id, ?::timestamp as _loaded_at, _partition_key
        from comtrade_stage
    """, [started_at])
    type_issues = _type_issues(con)

    issues_by_partition = _validate(con, to_load, validator, report)
    for key in to_load:
        files = sorted({path for k, _, _, _, path, _ in slices if k == key})
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
                con, QUARANTINE_TABLE, load_id, key, outcome.issues, "comtrade_stage"
            )
        else:
            outcome.status = "published"
            outcome.rows = _publish(con, load_id, key, [s for s in slices if s[0] == key])
            outcome.totals = partition_totals(con, key)
        record_load(
            con, load_id=load_id, feed=FEED, outcome=outcome,
            rows_quarantined=quarantined, started_at=started_at,
        )
        report.partitions.append(outcome)
    con.execute("drop table if exists comtrade_stage; drop table if exists comtrade_typed")
    con.execute("checkpoint")
    return report


def _validate(
    con: duckdb.DuckDBPyConnection,
    partition_keys: list[str],
    validator: Validator,
    report: LoadReport,
) -> dict[str, list[LoadIssue]]:
    """Run the expectation suite over the staged partitions and attribute each failing row to its
    partition. Great Expectations costs about two seconds per suite run whatever the row count
    (building its metric graph), so partitions are validated together, in batches of at most
    VALIDATION_BATCH_ROWS rows to keep the pandas frame bounded."""
    counts = dict(con.execute(
        "select _partition_key, count(*) from comtrade_typed group by 1"
    ).fetchall())
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
            "select * from comtrade_typed where list_contains(?, _partition_key)", [batch]
        ).df()
        if frame.empty:  # its files could not be read at all; that is already reported
            continue
        label = batch[0] if len(batch) == 1 else f"{batch[0]}..{batch[-1]}"
        passed, summary, found = validator(frame, label)
        report.validations.append({"partitions": label, **summary})
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


def _status_without_new_data(con: duckdb.DuckDBPyConnection, key: str) -> str:
    (published,) = con.execute(
        "select count(*) from meta.comtrade_published_slices where partition_key = ?", [key]
    ).fetchone()
    return "unchanged" if published else "empty"


def _slices_to_load(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, partition_keys: list[str]
) -> list[tuple[str, str, str, str, str, str]]:
    """(partition_key, reporter, freq, period, path, sha256) of each slice whose winning file
    version differs from the published one."""
    return con.execute(f"""
        {_WINNING_FILES_SQL}
        select w.partition_key, w.reporter, w.freq, w.period, w.path, w.sha256
        from winning as w
        left join meta.comtrade_published_slices as p
            on p.reporter = w.reporter and p.freq = w.freq and p.period = w.period
        where list_contains(?, w.partition_key) and (p.sha256 is null or p.sha256 <> w.sha256)
        order by 1, 5, 2, 3, 4
    """, [FEED, [str(p) for p in landing_files(landing_dir)], partition_keys]).fetchall()


def _stage(con: duckdb.DuckDBPyConnection, slices: list[tuple]) -> dict[str, list[LoadIssue]]:
    """Copy the rows of the chosen slices into `comtrade_stage`, file by file. Rows whose slice
    cannot be read (no usable period) come along too, so they are reported, not dropped."""
    text_columns = ", ".join(f"{quote_ident(n)} varchar" for n in COLUMN_NAMES)
    con.execute(f"""
        create or replace temp table comtrade_stage (
            {text_columns}, _source_row bigint, _source_file varchar, _file_sha256 varchar,
            _partition_key varchar
        )
    """)
    issues: dict[str, list[LoadIssue]] = {}
    by_file: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for _, reporter, freq, period, path, sha in slices:
        by_file.setdefault((path, sha), []).append((reporter, freq, period))
    partition = partition_of_period_sql("period")
    for (path, sha), file_slices in by_file.items():
        scan = scan_file(Path(path))
        if scan.sql is None:
            issues[path] = scan.issues
            continue
        wanted = ", ".join(
            "(" + ", ".join("null" if v is None else sql_string(v) for v in s) + ")"
            for s in file_slices
        )
        try:
            if Path(path).suffix.lower() == ".json":
                issues[path] = _structural_issues_json(con, Path(path), scan.sql)
            con.execute(f"""
                insert into comtrade_stage
                select {", ".join(quote_ident(n) for n in COLUMN_NAMES)}, _source_row,
                    {sql_string(path)}, {sql_string(sha)}, {partition}
                from ({scan.sql})
                where ({", ".join(quote_ident(c) for c in SLICE_KEY)}) in ({wanted})
                    or ({partition}) is null
            """)
        except duckdb.Error as error:
            issues[path] = [LoadIssue(path, None, None, "unreadable_file", _first_line(error))]
            continue
        if Path(path).suffix.lower() != ".json":
            issues[path] = issues.get(path, []) + _csv_rejects(con, path)
        unassigned = con.execute(
            "select _source_row, period from comtrade_stage "
            "where _source_file = ? and _partition_key is null order by 1 limit 50",
            [path],
        ).fetchall()
        issues[path] = issues.get(path, []) + [
            LoadIssue(path, row, "period", "bad_period", "period is not YYYY or YYYYMM", value)
            for row, value in unassigned
        ]
    return {path: found for path, found in issues.items() if found}


def _csv_rejects(con: duckdb.DuckDBPyConnection, path: str) -> list[LoadIssue]:
    """Lines DuckDB's CSV reader could not parse (wrong field count, bad quoting...)."""
    try:
        rows = con.execute(
            "select line, column_name, error_type, error_message, csv_line "
            "from reject_errors order by line"
        ).fetchall()
    except duckdb.Error:
        return []
    finally:
        con.execute("drop table if exists reject_errors; drop table if exists reject_scans")
    return [
        LoadIssue(path, int(line), column, f"broken_csv:{kind}".lower(),
                  _first_line(Exception(message)), csv_line)
        for line, column, kind, message, csv_line in rows
    ]


def _type_issues(con: duckdb.DuckDBPyConnection) -> dict[str, list[LoadIssue]]:
    """Values that do not parse as their column's type, and negative amounts, per partition."""
    checks = [
        f"""select _partition_key, _source_file, _source_row, {sql_string(name)} as column_name,
            'not_{dtype.split("(")[0].lower()}' as check_name, {quote_ident(name)} as value
        from comtrade_stage
        where {quote_ident(name)} is not null
            and try_cast({quote_ident(name)} as {dtype}) is null"""
        for name, dtype in COMTRADE_COLUMNS
        if dtype != "VARCHAR"
    ]
    checks += [
        f"""select _partition_key, _source_file, _source_row, {sql_string(name)}, 'negative_value',
            {quote_ident(name)}
        from comtrade_stage where try_cast({quote_ident(name)} as double) < 0"""
        for name in NON_NEGATIVE
    ]
    rows = con.execute(" union all ".join(checks) + " order by 1, 2, 3, 4").fetchall()
    issues: dict[str, list[LoadIssue]] = {}
    messages = {"negative_value": "value is negative"}
    for key, file, row, column, check, value in rows:
        message = messages.get(check, f"not a valid {check.removeprefix('not_')}")
        issues.setdefault(key, []).append(LoadIssue(file, row, column, check, message, value))
    return issues


def _publish(
    con: duckdb.DuckDBPyConnection, load_id: str, key: str, slices: list[tuple]
) -> int:
    """Replace the partition's changed slices in one transaction."""
    columns = ", ".join(quote_ident(n) for n, _ in COMTRADE_COLUMNS + PROVENANCE_COLUMNS)
    slice_rows = pd.DataFrame(
        [(r, f, p, path, sha) for _, r, f, p, path, sha in slices],
        columns=["reporter", "freq", "period", "source_file", "sha256"],
    )
    con.register("publishing_slices", slice_rows)
    con.execute("begin transaction")
    try:
        con.execute(f"""
            delete from {PUBLISHED_TABLE} as t
            using publishing_slices as s
            where t."reporterCode"::varchar = s.reporter and t."freqCode" = s.freq
                and t.period = s.period
        """)
        con.execute(f"""
            insert into {PUBLISHED_TABLE} ({columns})
            select {columns} from comtrade_typed where _partition_key = ?
        """, [key])
        (rows,) = con.execute(
            "select count(*) from comtrade_typed where _partition_key = ?", [key]
        ).fetchone()
        con.execute("""
            insert or replace into meta.comtrade_published_slices
            select s.reporter, s.freq, s.period, ?, s.sha256, s.source_file, ?,
                (select count(*) from comtrade_typed as t
                 where t."reporterCode"::varchar = s.reporter and t."freqCode" = s.freq
                   and t.period = s.period), ?
            from publishing_slices as s
        """, [key, load_id, utc_now()])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.unregister("publishing_slices")
    return rows


def partition_totals(con: duckdb.DuckDBPyConnection, key: str) -> dict:
    """Published trade value per reporter and flow for one partition, in USD (plain TOTAL rows,
    which never double count breakdowns), for the asset's metadata."""
    periods = partition_periods(key)
    rows = con.execute(f"""
        select "reporterISO", "freqCode", "flowCode", sum("primaryValue")::double
        from {PUBLISHED_TABLE}
        where list_contains(?, period) and "cmdCode" = 'TOTAL' and "customsCode" = 'C00'
            and "motCode" = 0 and "partner2Code" = 0
        group by all order by all
    """, [periods]).fetchall()
    return {f"{iso} {freq} {flow}": round(value, 2) for iso, freq, flow, value in rows}


def file_partitions(path: Path) -> set[str]:
    """The monthly partitions a landing file holds data for, read with an in-memory DuckDB so
    that a sensor can look without opening (and waiting on) the warehouse file."""
    scan = scan_file(path, lenient=True)
    if scan.sql is None:
        return set()
    with duckdb.connect() as con:
        try:
            rows = con.execute(
                f"select distinct {partition_of_period_sql('period')} from ({scan.sql})"
            ).fetchall()
        except duckdb.Error:
            return set()
    return {key for (key,) in rows if key}
