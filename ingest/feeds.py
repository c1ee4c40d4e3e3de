"""The load path every feed shares: read files with an explicit schema, stage, parse, validate,
publish each partition in one transaction.

A `Feed` says what its files look like and how rows map to partitions and slices; `load_feed`
does the rest:

1. register the landing files: checksum and inspect each new or changed file once (ingest.landing:
   compression, encoding, binary or truncated content), read the slices each holds, and remember
   a file that cannot be loaded so that it is reported once and never stops the other files;
2. for the partitions asked for, pick the winning file version of each slice (the file landed last,
   in the order the warehouse saw them land) and skip slices already published from that version;
   steps 3 to 6 then run on one window of partitions at a time (LOAD_WINDOW_ROWS), so what a load
   holds at once is a window, not the load (a file whose slices fall in several windows is read
   once, by the first, into a temp table DuckDB spills to disk, and so is a window's large file:
   FilesReadOnce);
3. stage their rows as text (personal data hashed, redacted or dropped in the read itself, so it
   never reaches a table in clear), cast them in SQL and report every value that does not fit (a
   file read once is cast as it is read, and keeps the text of the rows with an issue);
4. run the feed's Great Expectations suite inside DuckDB, once per window, and attribute failing
   rows to partitions;
5. hold back a revision that looks like a partial file (ingest.revisions);
6. publish each clean partition by replacing its slices, with its meta.loads record, in one
   transaction; quarantine the bad rows of the others with file, line and column and reason.
"""

import fnmatch
import os
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, NamedTuple

import duckdb
import pandas as pd

from ingest import lake, landing, revisions
from ingest.duck import insert_rows, quote_ident, sql_string, transaction
from ingest.loads import (
    META_DDL,
    UNASSIGNED,
    LoadIssue,
    LoadReport,
    PartitionOutcome,
    cut,
    ensure_quarantine_table,
    mark_unloadable,
    new_load_id,
    record_load,
    record_loads,
    record_rejection,
    register_landing_files,
    utc_now,
)

LOAD_WINDOW_ROWS = 2_000_000
# One GX run per window (a run's fixed cost, ~1 s of GX's own Python, was paid per 500k rows). GX
# runs inside DuckDB; what reaches Python is the failing rows' file and line, GX's index lists.
VALIDATION_BATCH_ROWS = LOAD_WINDOW_ROWS
PROVENANCE_COLUMNS: list[tuple[str, str]] = [
    ("_source_file", "VARCHAR"),
    ("_source_row", "BIGINT"),
    ("_file_sha256", "VARCHAR"),
    ("_load_id", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
]


@dataclass(frozen=True)
class ValidationBatch:
    """The typed rows of one or more partitions, where they are: `sql` selects them on `con` (the
    loading connection; it reads the temp table `feed_typed`). A validator runs its suite on
    them inside DuckDB (expectations.runner.validate_query)."""

    con: duckdb.DuckDBPyConnection
    sql: str
    partitions: tuple[str, ...]


# A validator gets a batch of typed rows and a label, and returns
# (passed, summary for the UI, issues naming file, row and column).
Validator = Callable[[ValidationBatch, str], tuple[bool, dict, list[LoadIssue]]]


@dataclass(frozen=True)
class Feed:
    name: str  # raw.<name>, quarantine.<name>
    source_columns: list[tuple[str, str]]  # as the files have them, with their types
    landing_subdir: str
    file_patterns: tuple[str, ...]  # each also matches its gzip-compressed form (NAME.gz)
    # SQL over the text columns (and, per file, its path) giving a row's partition key
    partition_sql: Callable[[Path], str]
    partition_column: str  # the column named when a row has no partition
    partition_message: str  # what is wrong with a row that has no partition
    # The typed columns whose values name the unit a newer file replaces within a partition (a
    # Comtrade reporter, frequency and period). Empty: the whole partition, which the published
    # table gives by `partition_sql_typed`.
    slice_columns: tuple[str, ...] = ()
    partition_sql_typed: str | None = None
    # The feed's Great Expectations suite (expectations/), given by its declaration (catalog/).
    validator: Validator | None = None
    hashed: dict[str, str] = field(default_factory=dict)  # source column -> keyed-hash column
    dropped: frozenset[str] = frozenset()  # source columns never read into the warehouse
    # In a feed with no identifier to hash or drop, the columns that may still hold an IIN (a land
    # parcel held by a person is registered under the holder's IIN): their values are redacted as
    # in a feed with personal data, and the feed's file names, lines and messages are treated so.
    redacted: frozenset[str] = frozenset()
    non_negative: tuple[str, ...] = ()
    # (name, type, SQL over the typed columns and _partition_key), computed when staging
    derived_columns: tuple[tuple[str, str, str], ...] = ()
    # A step run on the typed rows before validation (called with the connection and the feed),
    # adding `enriched_columns` to the temp table `feed_typed`: for work SQL cannot do, such as
    # geometry (ingest.land).
    enrich: Callable[[duckdb.DuckDBPyConnection, "Feed"], None] | None = None
    enriched_columns: tuple[tuple[str, str], ...] = ()
    # When a file's partition is in its name (an export day or quarter), not in its rows: the
    # partition a path names. The same bytes under two such names are two partitions' files.
    file_partition: Callable[[Path], str | None] | None = None
    # How a revision is judged before it replaces a published slice (ingest.revisions).
    revision_guard: revisions.RevisionGuard = field(default_factory=revisions.RevisionGuard)
    # Run before the load with the partitions asked for (e.g. re-place detections whose sites
    # changed since: ingest.land).
    before_load: Callable[[duckdb.DuckDBPyConnection, list[str]], object] | None = None

    # What the orchestration makes of the feed (one Dagster asset with a blocking check, its
    # freshness check, its jobs, the report's feed list): see catalog/ and orchestration/defs.
    partitioning: str = ""  # "monthly", "daily" or "quarterly"
    # A Dagster partition key -> the partition the load uses ('2024-04-01' -> '2024-Q2').
    partition_of_key: Callable[[str], str] = str
    key_of_partition: Callable[[str], str] = str  # and back ('2024-Q2' -> '2024-04-01')
    group: str = ""  # trade, appeals, land...: the asset group and the report's section
    description: str = ""  # the asset's
    check_description: str = ""  # the blocking check's: what its suite expects
    deps: tuple[tuple[str, ...], ...] = ()  # asset keys the load reads (e.g. ("ref", "kato_units"))
    # The documentation and dbt source tests of raw.<name> (catalog/dbt_sources.py writes them):
    # what each column means, the columns that must not be null, and the values a column may take.
    column_descriptions: Mapping[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    accepted_values: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # Figures for the UI after a load: (connection, report, partitions) -> {name: value}.
    summary: Callable[[duckdb.DuckDBPyConnection, LoadReport, list[str]], dict] | None = None

    @property
    def table(self) -> str:
        return f"raw.{self.name}"

    @property
    def quarantine_table(self) -> str:
        return f"quarantine.{self.name}"

    @property
    def carries_personal_data(self) -> bool:
        return bool(self.hashed or self.dropped or self.redacted)

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

    def slice_sql(self, path: Path, *, typed: bool) -> str:
        """A row's slice key, from canonical typed values (`398.0` and `398` are one reporter), so
        that the key of a staged row is the key its published copy is deleted by."""
        if not self.slice_columns:
            return self.partition_sql_typed if typed else self.partition_sql(path)
        types = dict(self.staged_columns)
        parts = [
            f"{quote_ident(c)}::varchar" if typed else f"try_cast({quote_ident(c)} as {types[c]})::varchar"
            for c in self.slice_columns
        ]
        return " || '|' || ".join(parts)

    def landing_files(self, landing_dir: Path) -> list[Path]:
        """Files of this feed in the landing folder, by name. Hidden files (a copy in progress, by
        convention) are not taken."""
        return self.sorted_landing(landing_dir)[0]

    def refused_by_name(self, landing_dir: Path) -> list[LoadIssue]:
        """Files of this feed whose very path cannot be kept: a name not UTF-8 (a Windows archive
        unzipped as is), an IIN in a folder of the path (every feed), or in the name (a feed with
        identifiers to hash or drop). They are reported by every load with the path redacted, and never
        registered."""
        return self.sorted_landing(landing_dir)[1]

    def sorted_landing(self, landing_dir: Path) -> tuple[list[Path], list[LoadIssue]]:
        """(landing_files, refused_by_name) in one pass over the folder."""
        folder = landing_dir / self.landing_subdir
        files: list[Path] = []
        refused: list[LoadIssue] = []
        for path in self._candidates(folder) if folder.exists() else []:
            if issue := self._refusal_by_name(path):
                refused.append(issue)
            else:
                files.append(path)
        return files, refused

    def _candidates(self, folder: Path) -> list[Path]:
        patterns = [*self.file_patterns, *(f"{p}.gz" for p in self.file_patterns)]
        return sorted(
            path
            for path in folder.iterdir()
            if not path.name.startswith(".")
            and any(fnmatch.fnmatchcase(landing.name_as_matched(path.name), p.lower()) for p in patterns)
        )

    def _refusal_by_name(self, path: Path) -> LoadIssue | None:
        from ingest.privacy import find_iin_in_text, redact_text

        try:
            str(path).encode()
        except UnicodeEncodeError:
            # Its path and bytes, as every refusal's, redacted: they may hold an IIN too.
            shown = str(path.parent / os.fsencode(path.name).decode("utf-8", "replace"))
            return LoadIssue(
                redact_text(shown),
                None,
                None,
                "unreadable_name",
                redact_text(f"the file name is not UTF-8 ({os.fsencode(path.name)!r}): rename it"),
            )
        # The whole path: every row keeps it (_source_file), and the load's records, the sensor's
        # cursor and the messages name it. A folder is the landing folder or one above it (a
        # feed's files lie in its subfolder of fixed name), shared by every feed, so every feed
        # refuses it. The name is checked in the feeds with identifiers to hash or drop only:
        # trade and land files (land parcels included, whose values are redacted) are named by
        # the systems exporting them, and a YYMMDDhhmmss timestamp in a name reads as a valid IIN
        # about one time in ten.
        in_name = bool(self.hashed or self.dropped) and find_iin_in_text(path.name)
        in_folder = find_iin_in_text(str(path.parent))
        if in_name or in_folder:
            where = {
                (True, False): "the file name holds an IIN: rename the file",
                (False, True): "a folder of the file's path holds an IIN: rename that folder",
                (True, True): "the file name and a folder of its path hold an IIN: rename both",
            }[bool(in_name), bool(in_folder)]
            return LoadIssue(
                redact_text(str(path)),
                None,
                None,
                "personal_data_in_name",
                f"{where} (it is not read)",
            )
        return None

    def file_key(self, path: Path) -> str | None:
        return self.file_partition(path) if self.file_partition else None

    def run_enrich(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.enrich:
            self.enrich(con, self)


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
        -- when the published version landed (meta.landing_files.landed_seq): a version landed
        -- before it never replaces it, whether its file is still there or not
        alter table meta.published_slices add column if not exists landed_seq bigint;
    """)
    revisions.ensure_tables(con)
    ensure_quarantine_table(con, feed.quarantine_table)


# ------------------------------------------------------------------------------------------------
# Reading one file into rows of text columns. Types are applied later, in SQL, so that every bad
# value is reported with its line and column instead of failing the whole read.
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFile:
    """A landing file as DuckDB reads it: `read_path` is the file itself or a literal-named link
    or UTF-8 copy of it (ingest.landing.readable_copy)."""

    path: Path
    read_path: Path
    compression: str | None
    layout: str  # csv | jsonl | json_envelope | json_array

    @classmethod
    def open(cls, path: Path, inspection: landing.Inspection, work_dir: Path) -> "SourceFile":
        read_path, compression = landing.readable_copy(path, inspection, work_dir)
        suffix = landing.data_suffix(path)
        layout = {".jsonl": "jsonl", ".json": "json_envelope"}.get(suffix, "csv")
        if layout == "json_envelope":
            first = landing.first_character(read_path, compression, "utf-8")
            layout = "json_array" if first == "[" else layout
        return cls(path, read_path, compression, layout)

    @property
    def compression_sql(self) -> str:
        return sql_string(self.compression or "none")

    def open_read(self, mode: str = "rb", **text_options):
        """The file as DuckDB reads it (`read_path`), decompressed, for Python to read."""
        import gzip

        return (gzip.open if self.compression == "gzip" else open)(self.read_path, mode, **text_options)


@dataclass
class FileScan:
    """A SELECT over one file, or several files read alike (scan_files), yielding the staged
    columns as text plus `_source_row` (the row's line or record in its file), `_file_index` (its
    file's position in the list) and `_missing_keys` (JSON); or the structural problems that make
    the file unreadable. `count_sql` counts the rows `sql` yields, with the same reader but none
    of its expressions. A scan of one file made with `numbered=False` yields `_source_row` null:
    written to a table, its rows are numbered `rowid + first_row` (FilesReadOnce)."""

    sql: str | None
    issues: list[LoadIssue]
    count_sql: str | None = None
    first_row: int = 1

    def __post_init__(self):
        if self.sql is not None and self.count_sql is None:
            raise ValueError("a scan of a file counts its rows too (count_sql)")


def _staged_texts(feed: Feed, names: list[str], values: list[str] | None = None) -> tuple[str | None, str]:
    """The staged form of the source columns `names`: trimmed text, empty as null, identifiers
    hashed, and in a feed with personal data every other value redacted (an IIN in any field is
    replaced by its keyed token: ingest.privacy), or only its `redacted` columns when it declares
    them. `values` are the SQL of the columns' text; by default, the elements of the list `_raw`
    that the query reads them into.

    Returns (texts, selected). In a feed with personal data, `texts` must be computed as `_texts`
    by the query under the one that selects `selected`: the values are redacted as one list
    (`redact_pii_list`), because written per column DuckDB bound the redaction macro once per
    column of each statement (~25 ms a statement, most of the load of a small file). Otherwise
    `texts` is None: a list per row would only slow the read (a 500k-row Comtrade load +25 %)."""
    raw = values or [f"_raw[{i}]" for i in range(1, len(names) + 1)]

    def clean(value: str) -> str:
        return f"nullif(trim({value}), '')"

    if not feed.carries_personal_data:
        return None, ", ".join(
            f"{clean(value)} as {quote_ident(name)}" for name, value in zip(names, raw, strict=True)
        )

    # The identifiers are hashed from their own values; the others are redacted as one list.
    def redacted(name: str) -> bool:
        return name in feed.redacted if feed.redacted else name not in feed.hashed

    listed = [value for name, value in zip(names, raw, strict=True) if redacted(name)]
    texts = f"redact_pii_list(list_transform([{', '.join(listed)}], lambda value: {clean('value')}))"
    selected, position = [], 0
    for name, value in zip(names, raw, strict=True):
        if name in feed.hashed:
            selected.append(f"pii_hash({clean(value)}) as {quote_ident(feed.hashed[name])}")
        elif redacted(name):
            position += 1
            selected.append(f"_texts[{position}] as {quote_ident(name)}")
        else:
            selected.append(f"{clean(value)} as {quote_ident(name)}")
    return texts, ", ".join(selected)


def scan_file(feed: Feed, source: SourceFile, *, lenient: bool = False, numbered: bool = True) -> FileScan:
    """SQL that reads a source file (CSV, JSON envelope `{"data": [...]}`, a JSON array of records
    or JSON Lines) with an explicit schema. `lenient` only serves to find out which slices a file
    holds: it skips unparsable CSV lines and tolerates missing columns not needed for that.
    `numbered=False` leaves the rows unnumbered (FileScan), so that DuckDB reads the file on
    every thread: numbering in the read (a window over the whole read) keeps it on one."""
    return scan_files(feed, [source], lenient=lenient, numbered=numbered)


def scan_files(
    feed: Feed, sources: Sequence[SourceFile], *, lenient: bool = False, numbered: bool = True
) -> FileScan:
    """One SQL that reads several files of one reader_key as scan_file reads each: DuckDB binds a
    statement in ~10-15 ms however small its file, most of a small file's load."""
    if len({reader_key(source) for source in sources}) != 1:
        raise ValueError("files read in one statement share their layout, compression and header")
    if not numbered and len(sources) > 1:
        raise ValueError("only a scan of one file can be numbered after it is written (rowid)")
    if sources[0].layout == "csv":
        return _scan_csv(feed, sources, lenient=lenient, numbered=numbered)
    return _scan_json(feed, sources, numbered=numbered)


def reader_key(source: SourceFile) -> tuple:
    """What files must share to be read in one statement (scan_files). A CSV with a column named
    `file_index` is read alone: its column would hide the reader's own, which tells files apart."""
    header = tuple(_csv_header(source)) if source.layout == "csv" else ()
    if any(name.lower() == "file_index" for name in header):
        return source.layout, source.compression, header, str(source.path)
    return source.layout, source.compression, header


def _paths_sql(sources: Sequence[SourceFile]) -> str:
    paths = [sql_string(str(source.read_path)) for source in sources]
    return paths[0] if len(paths) == 1 else "[" + ", ".join(paths) + "]"


def _numbered(columns: list[str], reader: str, first: int, files: int, numbered: bool = True) -> str:
    """`reader`'s `columns` with `_source_row`, counted from `first` in each file, and
    `_file_index`. Rows come in file order, then in their order in the file; across files each
    row's number is its place in the whole read less its file's first (the window that finds the
    first does not keep the rows' order: a statement over several files puts them back in order).
    Not `numbered`: `_source_row` is null (one file; FileScan)."""
    selected = ", ".join(columns)
    if not numbered:
        return f"(select {selected}, null::bigint as _source_row, 0 as _file_index from {reader})"
    if files == 1:
        return f"""(
            select {selected}, row_number() over () + {first - 1} as _source_row, 0 as _file_index
            from {reader}
        )"""
    return f"""(
        select {selected}, _file_index,
            _place - min(_place) over (partition by _file_index) + {first} as _source_row
        from (
            select {selected}, row_number() over () as _place, file_index::integer as _file_index
            from {reader}
        )
    )"""


def _csv_header(source: SourceFile) -> list[str]:
    import csv

    with source.open_read("rt", newline="", encoding="utf-8-sig") as handle:
        return [name.strip() for name in next(csv.reader(handle), [])]


def _scan_csv(feed: Feed, sources: Sequence[SourceFile], *, lenient: bool, numbered: bool) -> FileScan:
    source = sources[0]
    path = str(source.path)
    header = _csv_header(source)
    names = [name for name, _ in feed.source_columns]
    needed = {feed.partition_column, *feed.slice_columns} if lenient else set(names)
    issues = [
        LoadIssue(path, 1, name, "missing_column", "column missing from the CSV header")
        for name in names
        if name not in header and name in needed
    ]
    issues += [
        LoadIssue(path, 1, name, "duplicate_column", "column appears twice in the header")
        for name in sorted({n for n in header if header.count(n) > 1})
    ]
    if issues:
        return FileScan(None, issues)
    schema = "{" + ", ".join(f"{sql_string(name)}: 'VARCHAR'" for name in header) + "}"
    errors = "ignore_errors = true" if lenient else "store_rejects = true"
    reader = (
        f"read_csv({_paths_sql(sources)}, header = true, auto_detect = false, "
        f"delim = ',', quote = '\"', escape = '\"', columns = {schema}, "
        f"compression = {source.compression_sql}, {errors})"
    )
    staged = [name for name in names if name not in feed.dropped]
    columns = [quote_ident(name) if name in header else "null::varchar" for name in staged]
    # Line 1 is the header, so data row n is line n + 1 of the file.
    rows = _numbered(
        [quote_ident(name) for name in staged if name in header], reader, 2, len(sources), numbered
    )
    texts, selected = _staged_texts(feed, staged, None if feed.carries_personal_data else columns)
    if texts is None:
        sql = f"select {selected}, _source_row, _file_index, []::varchar[] as _missing_keys from {rows}"
    else:
        sql = f"""
            select {selected}, _source_row, _file_index, []::varchar[] as _missing_keys
            from (
                select *, {texts} as _texts
                from (select [{", ".join(columns)}] as _raw, _source_row, _file_index from {rows})
            )
        """
    return FileScan(sql, [], f"select count(*) from {reader}", first_row=2)


ENVELOPE_MIN_OBJECT_BYTES = 16 << 20  # DuckDB's own least bound of a JSON value's size
# A gzip trailer's size is believed up to this. DuckDB reads with a buffer of twice the bound,
# per file read at once (two threads), within the loads' 1 GB: with 256 MB, a 69 MB envelope ran
# the load out of memory; over the cap a file is refused with DuckDB's size error, as its issue.
ENVELOPE_MAX_STATED_BYTES = 48 << 20


def _document_bytes(source: SourceFile) -> int:
    """The bound of the file's JSON value once decompressed. A gzip file states its size (of its
    last member, modulo 4 GiB) in its last four bytes. A Comtrade envelope compresses ~15x (a
    bundled 1.5 MB file to 99 KB), past the 8x once assumed: a 3 MB `.json.gz` of a 45 MB response
    would have been refused (tests/test_bad_files.py). Other compressions: 8x."""
    size = source.read_path.stat().st_size
    if source.compression != "gzip" or size < 4:
        return size * (8 if source.compression else 1)
    with open(source.read_path, "rb") as handle:
        handle.seek(-4, os.SEEK_END)
        stated = int.from_bytes(handle.read(4), "little")
    # Believed up to a bound: DuckDB allocates twice the bound before it reads, and a trailer is
    # four bytes anyone can write (one saying 4 GiB made DuckDB ask for 7.9 GiB). A file compressed
    # 8x or less is bounded as before, by its size.
    return max(size * 8, min(stated, ENVELOPE_MAX_STATED_BYTES))


def _scan_json(feed: Feed, sources: Sequence[SourceFile], *, numbered: bool) -> FileScan:
    names = [name for name, _ in feed.source_columns]
    source = sources[0]
    path = _paths_sql(sources)
    if source.layout == "json_envelope":
        size = max(_document_bytes(source) for source in sources)
        # The document as one JSON value, its records cut out by a path: read_json with a
        # `data: JSON[]` column took ~10x as long (125 ms against 11 ms for a 1.5 MB Comtrade file).
        # A second "data" key, which the path would ignore, refuses the file as that reader did.
        records = f"""
            select unnest(data) as rec, {"unnest(range(1, len(data) + 1))" if numbered else "null::bigint"}
                as _source_row, _file_index
            from (
                select case when len(list_filter(json_keys(json), lambda k: k = 'data')) > 1
                    then error('the document has the key "data" more than once')
                    else json_extract(json, '$.data[*]') end as data,
                    file_index::integer as _file_index
                from read_json_objects({path}, format = 'auto', compression = {source.compression_sql},
                    maximum_object_size = {max(size + 1024, ENVELOPE_MIN_OBJECT_BYTES)})
            )
        """
    elif source.layout == "json_array":  # record n is element n
        reader = f"read_json_objects({path}, format = 'array', compression = {source.compression_sql})"
        records = _records(reader, len(sources), numbered)
    else:  # JSON Lines: row n is line n
        reader = (
            f"read_json_objects({path}, format = 'newline_delimited', compression = {source.compression_sql})"
        )
        records = _records(reader, len(sources), numbered)
    read = [name for name in names if name not in feed.dropped]
    # One parse of each record for all its fields (`rec ->> 'x'` per column would parse it per
    # column), and one for its keys. A record that is not an object has every key missing.
    paths = "[" + ", ".join(sql_string(f"$.{name}") for name in read) + "]"
    texts, selected = _staged_texts(feed, read)
    keys = "[" + ", ".join(sql_string(name) for name in names) + "]"
    every_path = "[" + ", ".join(sql_string(f"$.{name}") for name in names) + "]"
    # A record with every key (nearly all) is told by counting the keys found (one more parse of
    # it); only the others are compared key by key (a lambda per record cost 2.5x the whole read).
    fields = (
        f"select rec, _source_row, _file_index, json_extract_string(rec, {paths}) as _raw from ({records})"
    )
    if texts is not None:
        fields = f"select *, {texts} as _texts from ({fields})"
    sql = f"""
        select {selected}, _source_row, _file_index,
            case when list_count(json_extract(rec, {every_path})) = {len(names)} then []::varchar[]
                when json_type(rec) = 'OBJECT'
                then list_filter({keys}, lambda k: not list_contains(json_keys(rec), k))
                else ['(the record is not an object)']
            end as _missing_keys
        from ({fields})
    """
    return FileScan(sql, [], f"select count(*) from ({records})", first_row=1)


def _records(reader: str, files: int, numbered: bool) -> str:
    """A JSON reader's records, numbered from 1 in each file (or not `numbered`: _numbered)."""
    return (
        f"select json as rec, _source_row, _file_index from {_numbered(['json'], reader, 1, files, numbered)}"
    )


def _raise_if_not_about_the_file(error: Exception) -> None:
    """Errors of the machine, not of the file (out of memory, a full disk, an interrupt), fail
    the load instead of marking a good file unloadable."""
    import errno

    if isinstance(error, duckdb.OutOfMemoryException | duckdb.InterruptException):
        raise error
    if isinstance(error, OSError) and error.errno in (
        errno.ENOSPC,
        errno.EDQUOT,
        errno.ENOMEM,
        errno.EMFILE,
        errno.ENFILE,
    ):
        raise error
    if isinstance(error, duckdb.IOException) and any(
        words in str(error).lower() for words in ("space", "too many open files")
    ):
        raise error


def _unreadable(path: str, source: SourceFile, error: Exception) -> LoadIssue:
    """The issue of a file its reader failed on. A JSON Lines file DuckDB finds malformed is given
    its first malformed line, found here: DuckDB's message names a line, but counts records, not
    lines, and one too many (2.0.1: "line 3" for a bad line 2; "line 4" for a bad line 5 after two
    blank ones). Python's parser is not DuckDB's (a lone surrogate passes it): the line found here
    is given only when its record is the one DuckDB names so; otherwise (another DuckDB too)
    DuckDB's message is kept."""
    message = _first_line(error)
    if source.layout == "jsonl" and "Malformed JSON" in message:
        named = re.search(r" in line (\d+)", message)
        found = _first_malformed_line(source)
        if found and named and int(named.group(1)) == found[1] + 1:
            reason = message.rsplit(": ", 1)[-1].strip().rstrip(".")  # e.g. "unexpected character"
            return LoadIssue(
                path, found[0], None, "unreadable_file", f"malformed JSON ({reason}): the file is not read"
            )
    return LoadIssue(path, None, None, "unreadable_file", message)


def _first_malformed_line(source: SourceFile) -> tuple[int, int] | None:
    """(line, record) of the first line of a JSON Lines file that is neither blank nor one JSON
    value (lines split at LF, as DuckDB's reader does; records count the lines not blank); None if
    every line parses, or one nests too deep for Python's parser."""
    import json
    import zlib

    from ingest import source_lines

    try:
        with source.open_read() as handle:
            for number, record, text in source_lines.jsonl_records(handle):
                try:
                    json.loads(text)
                except ValueError:
                    return number, record
    except (OSError, EOFError, zlib.error, RecursionError, MemoryError):
        return None
    return None


def _first_line(error: Exception) -> str:
    return cut(str(error).strip().splitlines()[0], 300)


def _json_envelope_problem(source: SourceFile) -> str:
    """Why a JSON document yielded no records: an API error response, or not an envelope."""
    import json

    try:
        with source.open_read("rt", encoding="utf-8-sig") as handle:
            document = json.loads(handle.read(16 << 20))
    except (ValueError, OSError) as error:
        return f"not a JSON document ({cut(str(error), 200)})"
    if isinstance(document, dict):
        if "data" not in document:
            for key in ("error", "message", "statusCode", "status"):
                if key in document:
                    return f"an API error response, not data ({key}: {cut(str(document[key]), 200)})"
            return 'not a {"data": [...]} envelope (no "data" key)'
        if not isinstance(document["data"], list):
            return '"data" is not a list of records'
        return 'holds no records (an empty "data" list)'
    if isinstance(document, list):
        return "an empty list" if not document else "not a list of records (objects)"
    return "not a JSON object or list of records"


def _text_columns(feed: Feed) -> list[str]:
    return [name for name, _ in feed.staged_columns]


def _work_dir(con: duckdb.DuckDBPyConnection) -> Path:
    """Where links and UTF-8 copies of landing files go: beside DuckDB's spill files."""
    (folder,) = con.execute("select current_setting('temp_directory')").fetchone()
    return Path(folder or ".tmp") / "landing"


def _registered_signatures(con: duckdb.DuckDBPyConnection, feed: Feed) -> dict[str, tuple]:
    """Each of the feed's files' signature as registered, by path (_changed_since_registered)."""
    return {
        path: tuple(signature)
        for path, *signature in con.execute(
            "select path, size_bytes, mtime_ns, ctime_ns, inode from meta.landing_files where feed = ?",
            [feed.name],
        ).fetchall()
    }


def _inspections(con: duckdb.DuckDBPyConnection, feed: Feed) -> dict[str, landing.Inspection]:
    """How the registry last saw each of the feed's files (checksum, compression, encoding), by
    path: one query for a load's files, not one per file."""
    return {
        path: landing.Inspection(sha, None, compression, encoding, problem)
        for path, sha, compression, encoding, problem in con.execute(
            "select path, sha256, compression, coalesce(encoding, 'utf-8'), problem "
            "from meta.landing_files where feed = ?",
            [feed.name],
        ).fetchall()
    }


# ------------------------------------------------------------------------------------------------
# Registering landing files: checksum, inspection and the slices each holds.
# ------------------------------------------------------------------------------------------------


def register(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    landing_dir: Path,
    redact: Callable[[str | None], str | None] | None = None,
) -> dict[str, list[LoadIssue]]:
    """Register every landing file; read the slices of file versions not seen before.
    Returns the files newly found unloadable (path -> issues): each is reported by the load that
    first sees it, remembered in meta.landing_files.problem, and left out of later loads."""
    ensure_tables(con, feed)
    unloadable: dict[str, list[LoadIssue]] = {}
    files = register_landing_files(con, feed.name, feed.landing_files(landing_dir))
    # A file version is read once: by checksum, or by checksum and the partition its name gives.
    known = set(
        con.execute(
            "select distinct sha256, partition_key from meta.file_slices where feed = ?", [feed.name]
        ).fetchall()
    )
    known_versions = {sha for sha, _ in known}
    reported = {
        path
        for (path,) in con.execute(
            "select path from meta.landing_files where feed = ? and problem_reported", [feed.name]
        ).fetchall()
    }

    def refuse(path: Path, issues: list[LoadIssue]) -> None:
        unloadable[str(path)] = issues

    inspections, work_dir = _inspections(con, feed), _work_dir(con)
    slice_rows: list[tuple] = []  # new rows of meta.file_slices, inserted together

    for registered in files:
        path = registered.path
        if registered.problem:
            if str(path) not in reported:
                refuse(path, [LoadIssue(str(path), None, None, "unreadable_file", registered.problem)])
            continue
        if feed.file_partition and feed.file_key(path) is None:
            refuse(path, [LoadIssue(str(path), None, None, "no_partition", feed.partition_message)])
            continue
        if feed.file_partition:
            if (registered.sha256, feed.file_key(path)) in known:
                continue
        elif registered.sha256 in known_versions:
            continue
        if path.stat().st_size == 0 and not (feed.file_partition and landing.data_suffix(path) == ".jsonl"):
            # (an empty JSON Lines export of a named day or quarter is a day without records)
            refuse(path, [LoadIssue(str(path), None, None, "unreadable_file", "is empty (0 bytes)")])
            continue
        try:
            source = SourceFile.open(path, inspections[str(path)], work_dir)
            scan = scan_file(feed, source, lenient=True)
        except Exception as error:  # whatever the file does to a reader, it is judged alone
            _raise_if_not_about_the_file(error)
            refuse(path, [LoadIssue(str(path), None, None, "unreadable_file", _first_line(error))])
            continue
        if scan.sql is None:
            refuse(path, scan.issues)
            continue
        try:
            counts = _slice_counts(con, feed, path, scan)
        except Exception as error:
            _raise_if_not_about_the_file(error)
            refuse(path, [_unreadable(str(path), source, error)])
            continue
        if counts and all(slice_key is None or key is None for slice_key, key, _ in counts):
            refuse(path, [_at_its_line(source, _first_row_without_partition(con, feed, path, scan.sql))])
            continue
        if not counts and feed.file_partition:
            # An export whose name gives its partition may say "nothing this day/quarter": an empty
            # slice, published as such (ingest.revisions holds it if the slice had rows).
            key = feed.file_key(path)
            counts = [(key, key, 0)]
        if not counts:
            problem = (
                "header only: the file holds no data rows"
                if source.layout == "csv"
                else _json_envelope_problem(source)
                if source.layout == "json_envelope"
                else "holds no records"
            )
            refuse(path, [LoadIssue(str(path), None, None, "no_rows", problem)])
            continue
        slice_rows += [(feed.name, registered.sha256, *count) for count in counts]
        known.add((registered.sha256, feed.file_key(path)))
        known_versions.add(registered.sha256)
    insert_rows(con, "insert into meta.file_slices", slice_rows)
    return unloadable


def _slice_counts(con: duckdb.DuckDBPyConnection, feed: Feed, path: Path, scan: FileScan) -> list[tuple]:
    """(slice, partition, rows) of the rows a file holds. A file whose name gives its one slice
    (its day, month or quarter) only has its rows counted: the scan's expressions (hashing and
    redaction, the keys of every JSON record) are neither bound (~10 ms a statement, most of a
    small file's registration) nor run on every row. (An error only those expressions could
    raise would then show when the file is staged, rejecting its partition, rather than here.)
    A name whose partition is not a valid one (2024-02-30) is scanned whole, as any other file,
    so that its first row is reported."""
    if feed.file_partition and not feed.slice_columns:
        (key,) = con.execute(f"select {feed.partition_sql(path)}").fetchone()
        if key is not None:
            (rows,) = con.execute(scan.count_sql).fetchone()
            return [(key, key, rows)] if rows else []  # none: register decides what that means
    return con.execute(f"""
        select slice, partition_key, count(*)
        from (
            select {feed.slice_sql(path, typed=False)} as slice, {feed.partition_sql(path)} as partition_key
            from ({scan.sql})
        )
        group by all
    """).fetchall()


def _first_row_without_partition(con, feed: Feed, path: Path, scan_sql: str) -> LoadIssue:
    """A file none of whose rows can be placed: the first row, and why."""
    row, missing, value = con.execute(f"""
        select _source_row, _missing_keys, {quote_ident(feed.partition_column)}
        from ({scan_sql}) order by _source_row limit 1
    """).fetchone()
    if missing and missing[0].startswith("("):
        return LoadIssue(str(path), row, None, "not_a_record", missing[0].strip("()"))
    if missing:
        return LoadIssue(str(path), row, missing[0], "missing_column", "key missing from the record")
    return LoadIssue(
        str(path),
        row,
        feed.partition_column,
        "no_partition",
        f"no row of the file can be placed: {feed.partition_message}",
        value,
    )


# For each slice, the file version that wins: the one landed last, in the order the warehouse saw
# files land (meta.landing_files.landed_seq; never modification times, which copies preserve).
# Files with identical content are one version (the first path by name stands for it, the latest
# landing of any of its copies dates it), unless their names give them different partitions
# ($file_keys, Feed.file_partition).
_WINNING_FILES_SQL = """
with files as (
    select unnest($paths::varchar[]) as path, unnest($file_keys::varchar[]) as file_key
),
present as (
    select l.path, l.sha256, files.file_key,
        row_number() over (partition by l.sha256, files.file_key order by l.path) as copy_number,
        max(coalesce(l.landed_seq, 0)) over (partition by l.sha256, files.file_key) as version_seq
    from meta.landing_files as l
    join files on files.path = l.path
    where l.feed = $feed and l.problem is null
),
candidates as (
    select s.slice, s.partition_key, s.row_count, f.path, f.sha256, f.version_seq,
        row_number() over (partition by s.slice order by f.version_seq desc, f.path desc)
            as rank_in_slice
    from meta.file_slices as s
    join present as f on f.sha256 = s.sha256 and f.copy_number = 1
        and (f.file_key is null or f.file_key = s.partition_key)
    where s.feed = $feed and s.slice is not null
),
winning as (select * from candidates where rank_in_slice = 1),
-- A version landed before the published one does not replace it: the published version's file
-- was removed from the landing folder (archived), which is not a revision. Landing the older file
-- again (a copy) makes it the latest.
-- (0: published before the position was recorded)
changed as (
    select w.* from winning as w
    left join meta.published_slices as p on p.feed = $feed and p.slice = w.slice
    where w.partition_key is not null
        and (p.sha256 is null or (p.sha256 <> w.sha256 and w.version_seq >= coalesce(p.landed_seq, 0)))
)
"""


def _redact_what_was_published_in_clear(con: duckdb.DuckDBPyConnection, feed: Feed) -> None:
    """A feed whose columns became `redacted` after rows of it were published (land parcels before
    2026-12-05, subsoil sites before 2026-12-06): at its first load with a key, its published text
    values, quarantine and load messages are redacted in place with that key's tokens (what a
    reload would give), so that no IIN stays in clear and one person keeps one token. Data Docs and
    Dagster's history of the earlier loads are not rewritten."""
    columns = [name for name, dtype in feed.staged_columns if name in feed.redacted and dtype == "VARCHAR"]
    digits = "regexp_matches({0}, '[0-9]{{12}}')"
    with transaction(con):
        for column in map(quote_ident, columns):
            con.execute(
                f"update {feed.table} set {column} = redact_pii({column}) where {digits.format(column)}"
            )
        for column in ("source_file", "column_name", "message", "bad_value"):
            con.execute(
                f"update {feed.quarantine_table} set {column} = redact_pii({column}) "
                f"where {digits.format(column)}"
            )
        # a record is JSON: its text redacted is JSON again unless an IIN was a bare number
        con.execute(f"""
            update {feed.quarantine_table}
            set record = coalesce(
                try_cast(redact_pii(record::varchar) as json), to_json(redact_pii(record::varchar))
            )
            where {digits.format("record::varchar")}
        """)
        con.execute(
            "update meta.loads set message = redact_pii(message) "
            f"where feed = ? and {digits.format('message')}",
            [feed.name],
        )


def _previous_unpublished_versions(
    con: duckdb.DuckDBPyConnection, feed: Feed, landing_dir: Path, partition_keys: list[str]
) -> dict[str, tuple[str, int]]:
    """{slice: (file, rows)} of the largest of the versions landed before the one about to be
    loaded, for the slices never published: versions of a month landed before any load are judged
    against each other, as a revision is against the published version (ingest.revisions). Without
    this a partial file landed after the complete one was published alone, and the complete file
    never mentioned."""
    rows = con.execute(
        _WINNING_FILES_SQL
        + """
        select c.slice, arg_max(c.path, c.row_count), max(c.row_count) from candidates as c
        where c.rank_in_slice > 1
            and c.slice in (select slice from changed where list_contains($keys, partition_key))
            and c.slice not in (select slice from meta.published_slices where feed = $feed)
        group by c.slice
        """,
        {**_file_parameters(feed, landing_dir), "keys": partition_keys},
    ).fetchall()
    return {slice_key: (path, row_count) for slice_key, path, row_count in rows}


def _file_parameters(feed: Feed, landing_dir: Path) -> dict:
    paths = feed.landing_files(landing_dir)
    return {
        "feed": feed.name,
        "paths": [str(p) for p in paths],
        "file_keys": [feed.file_key(p) for p in paths],
    }


def file_partitions(feed: Feed, path: Path) -> set[str]:
    """The partitions a landing file holds data for (files_partitions of one file)."""
    return files_partitions(feed, [path])[path]


def files_partitions(feed: Feed, paths: list[Path]) -> dict[Path, set[str]]:
    """The partitions each landing file holds data for, read with an in-memory DuckDB so that a
    sensor can look without opening (and waiting on) the warehouse file. A file that cannot be
    read holds none here; the load reports it. One DuckDB for all the files (a new one costs
    ~35 ms and its first query more), and the files read alike in one statement per group, as
    a load stages them (a group that fails is read again file by file)."""
    found: dict[Path, set[str]] = {path: set() for path in paths}
    if feed.file_partition:
        for path in paths:
            key = feed.file_key(path)
            found[path] = {key} if key else set()
        return found
    import tempfile

    with duckdb.connect() as con, tempfile.TemporaryDirectory() as work_dir:
        if feed.carries_personal_data:  # only to evaluate the read; nothing is stored
            from ingest.privacy import register_pii_hash

            register_pii_hash(con, demo_ok=True)
        groups: dict[tuple, list[tuple[Path, SourceFile]]] = {}
        folders = {path: Path(work_dir) / str(number) for number, path in enumerate(paths)}
        for path in paths:
            inspection = landing.inspect(path)
            if inspection.problem:
                continue
            try:  # a file's link or UTF-8 copy in a folder of its own, removed after its read
                source = SourceFile.open(path, inspection, folders[path])
                key = reader_key(source) if scan_file(feed, source, lenient=True).sql else None
            except Exception as error:  # the load reports what is wrong with the file
                _raise_if_not_about_the_file(error)
                key = None
            if key and inspection.encoding == "utf-8":
                groups.setdefault(key, []).append((path, source))
                continue
            if key:  # a transcoded copy is read at once: copies do not pile up on the disk
                _partitions_in(con, feed, [(path, source)], found)
            shutil.rmtree(folders[path], ignore_errors=True)
        for members in groups.values():
            for start in range(0, len(members), STAGE_GROUP_FILES):
                group = members[start : start + STAGE_GROUP_FILES]
                if len(group) == 1 or not _partitions_in(con, feed, group, found):
                    for one in group:
                        _partitions_in(con, feed, [one], found)
                for path, _ in group:
                    shutil.rmtree(folders[path], ignore_errors=True)
    return found


def _partitions_in(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    files: list[tuple[Path, SourceFile]],
    found: dict[Path, set[str]],
) -> bool:
    """Add the partitions of `files` (read in one statement) to `found`; False if it failed."""
    try:
        scan = scan_files(feed, [source for _, source in files], lenient=True)
        partition = _by_file([feed.partition_sql(path) for path, _ in files])
        rows = con.execute(f"select distinct _file_index, {partition} from ({scan.sql})").fetchall()
    except Exception as error:  # the load reports what is wrong with the file
        _raise_if_not_about_the_file(error)
        return False
    for index, key in rows:
        if key:
            found[files[index][0]].add(key)
    return True


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
    validator = validator or feed.validator
    if validator is None:
        raise ValueError(f"feed {feed.name} declares no validator: nothing is published unvalidated")
    if feed.before_load:
        feed.before_load(con, partition_keys)
    load_id = load_id or new_load_id()
    started_at = utc_now()
    report = LoadReport(feed.name, load_id)
    shutil.rmtree(_work_dir(con), ignore_errors=True)  # what a killed load left
    redact = None
    fingerprint = None
    if feed.carries_personal_data:
        from ingest import privacy

        # Registration reads files (their slices) through the redacting read: a key is needed
        # before anything is read. The key is chosen for the files present (the demo key only
        # for the bundled demo files) and must be the one the published rows were hashed with.
        ensure_tables(con, feed)
        present = register_landing_files(con, feed.name, feed.landing_files(landing_dir))
        key_was_recorded = privacy.key_recorded(con, feed.name)
        fingerprint = privacy.prepare_hashing(
            con,
            feed.name,
            [f.sha256 for f in present if not f.problem],
            paths=[f.path for f in present if not f.problem],
        )
        if feed.redacted and not key_was_recorded and privacy.key_recorded(con, feed.name):
            _redact_what_was_published_in_clear(con, feed)
        redact = privacy.redact_text
    try:
        unloadable = register(con, feed, landing_dir, redact)
    except BaseException:
        shutil.rmtree(_work_dir(con), ignore_errors=True)
        raise

    def clean(issues: list[LoadIssue]) -> list[LoadIssue]:
        return [issue.cleaned(redact) for issue in issues]

    # The slices to load, and when each version landed (_publish records it with the slice).
    con.execute(
        "create or replace temp table load_slices as "
        + _WINNING_FILES_SQL
        + """
        select partition_key, slice, path, sha256, version_seq from changed
        where list_contains($keys, partition_key)
        """,
        {**_file_parameters(feed, landing_dir), "keys": partition_keys},
    )
    slices = con.execute(
        "select partition_key, slice, path, sha256 from load_slices order by 1, 3, 2"
    ).fetchall()
    to_load = sorted({key for key, *_ in slices})
    previous = _previous_unpublished_versions(con, feed, landing_dir, partition_keys)
    for key in sorted(set(partition_keys) - set(to_load)):
        report.partitions.append(PartitionOutcome(key, _status_without_new_data(con, feed, key)))
    # A file that cannot be loaded is reported with the load that first sees it: under the
    # partition its name gives (an eOtinish day, a land quarter: that partition is rejected) or
    # under none; kept in quarantine (no record: it could not be read) and in meta.loads like any
    # rejected partition, and left out of later loads until it changes. Marking it reported is in
    # the same transaction, so a kill in between reports it again. A name that cannot be kept
    # at all is reported by every load.
    by_partition: dict[str, dict[str, list[LoadIssue]]] = {}
    for path, file_issues in unloadable.items():
        key = feed.file_key(Path(path)) or UNASSIGNED
        by_partition.setdefault(key, {})[path] = file_issues
    if named := feed.refused_by_name(landing_dir):
        by_partition.setdefault(UNASSIGNED, {}).update({i.file: [i] for i in named})
    for key, files in sorted(by_partition.items()):
        issues = clean([issue for file_issues in files.values() for issue in file_issues])
        shown = [redact(f) if redact else f for f in sorted(files)]
        outcome = PartitionOutcome(key, "rejected", files=shown, issues=issues)
        with transaction(con):
            record_rejection(
                con,
                feed=feed.name,
                load_id=load_id,
                outcome=outcome,
                stage_table=None,
                started_at=started_at,
                hash_key_fingerprint=fingerprint,
            )
            for path, file_issues in files.items():
                first = file_issues[0].cleaned(redact)
                mark_unloadable(con, feed.name, Path(path), first.check + ": " + first.message)
        report.partitions = [p for p in report.partitions if p.partition_key != key]
        report.partitions.append(outcome)
    if not to_load:
        shutil.rmtree(_work_dir(con), ignore_errors=True)
        return report

    read_once = FilesReadOnce({})
    try:
        windows = _windows(con, feed, landing_dir, to_load)
        read_once = FilesReadOnce.of(windows, slices)
        for window in windows:
            _load_partitions(
                con,
                feed,
                load_id,
                started_at,
                window,
                [s for s in slices if s[0] in window],
                validator,
                report,
                clean,
                fingerprint,
                read_once,
                previous,
            )
    except BaseException as error:
        # Whatever stopped the load, its partitions are recorded as failed (nothing of them was
        # published: each publishes in its own transaction, rolled back on error).
        done = {p.partition_key for p in report.partitions}
        message = _first_line(error) if str(error).strip() else type(error).__name__
        message = redact(message) if redact else message
        for key in to_load:
            if key not in done:
                files = sorted({path for k, _, path, _ in slices if k == key})
                outcome = PartitionOutcome(key, "failed", files=files)
                try:
                    record_load(
                        con,
                        load_id=load_id,
                        feed=feed.name,
                        outcome=outcome,
                        rows_quarantined=0,
                        started_at=started_at,
                        hash_key_fingerprint=fingerprint,
                        message=message,
                    )
                except duckdb.Error:
                    break  # the connection itself is gone: nothing more can be recorded
        raise
    finally:
        _drop_feed_stage(con)
        con.execute("drop table if exists feed_typed")
        con.execute(
            "drop table if exists feed_stage_as_sent; drop table if exists staged_row_lines; "
            "drop table if exists load_slices"
        )
        read_once.drop_tables(con)
        shutil.rmtree(_work_dir(con), ignore_errors=True)  # links and UTF-8 copies of this load
    con.execute("checkpoint")
    return report


def load_window_rows() -> int:
    """How many rows a load stages, validates and publishes at a time (a window of partitions):
    what bounds its memory, whatever the size of the load."""
    return int(os.environ.get("WAREHOUSE_LOAD_WINDOW_ROWS", LOAD_WINDOW_ROWS))


def _windows(con, feed: Feed, landing_dir: Path, to_load: list[str]) -> list[list[str]]:
    """The partitions to load, in windows of at most load_window_rows() rows (a partition larger
    than that is a window of its own), by the row counts registration read."""
    rows = dict(
        con.execute(
            _WINNING_FILES_SQL
            + """
        select partition_key, sum(row_count) from changed
        where list_contains($keys, partition_key) group by 1
        """,
            {**_file_parameters(feed, landing_dir), "keys": to_load},
        ).fetchall()
    )
    return _groups_of_rows(to_load, rows, load_window_rows())


def _groups_of_rows(keys: list[str], rows: dict[str, int], limit: int) -> list[list[str]]:
    """`keys` in order, in consecutive groups of at most `limit` rows (a key larger than that is
    a group of its own)."""
    groups: list[list[str]] = [[]]
    in_group = 0
    for key in keys:
        if groups[-1] and in_group + rows.get(key, 0) > limit:
            groups.append([])
            in_group = 0
        groups[-1].append(key)
        in_group += rows.get(key, 0)
    return groups


def _load_partitions(
    con,
    feed: Feed,
    load_id: str,
    started_at,
    to_load: list[str],
    slices: list[tuple],
    validator: Validator,
    report: LoadReport,
    clean,
    fingerprint: str | None,
    read_once: "FilesReadOnce | None" = None,
    previous: dict[str, tuple[str, int]] | None = None,
) -> None:
    # Each partition commits on its own; without this every commit of a large partition would
    # also checkpoint (DuckDB's default threshold is 16 MB). One checkpoint at the end instead.
    con.execute("set checkpoint_threshold = '1GB'")
    read_once = read_once or FilesReadOnce({})
    file_issues, typed = _stage(con, feed, slices, read_once)
    _cast_staged_rows(con, feed, load_id, started_at, typed)
    feed.run_enrich(con)
    type_issues = _type_issues(con, feed)
    issues_by_partition = _validate(con, to_load, validator, report)
    held = revisions.held_revisions(con, feed.name, feed.revision_guard, slices, previous or {})

    passing: list[PartitionOutcome] = []
    rejected: list[PartitionOutcome] = []
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
        if not outcome.issues:
            outcome.issues = held.get(key, [])
        outcome.issues = clean(outcome.issues)
        if outcome.issues:
            rejected.append(outcome)
        else:
            outcome.status = "published"
            passing.append(outcome)
    sha_of = {path: sha for _, _, path, sha in slices}
    stage = _stage_as_sent(con, feed, rejected, read_once, sha_of) if typed and rejected else "feed_stage"
    stage = _issues_at_their_lines(con, feed, rejected, file_issues, stage)
    for outcome in rejected:
        with transaction(con):
            record_rejection(
                con,
                feed=feed.name,
                load_id=load_id,
                outcome=outcome,
                stage_table=stage,
                started_at=started_at,
                hash_key_fingerprint=fingerprint,
            )
        report.partitions.append(outcome)
    if passing:
        keys = {o.partition_key for o in passing}
        _publish(con, feed, load_id, passing, [s for s in slices if s[0] in keys], started_at, fingerprint)
        report.partitions += passing  # only now: a failed publish is recorded as failed


def _stage_as_sent(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    rejected: list[PartitionOutcome],
    read_once: "FilesReadOnce",
    sha_of: dict[str, str],
) -> str:
    """SQL of the staged text of the rejected partitions' rows, for quarantine to keep each as sent:
    `feed_stage` holds a file read typed only through its rows that kept their text (an issue of
    their own: _typed_rows); a row of it that failed an expectation (or a revision rule) is read
    again from the file, as text: from its line where that line is the row (a CSV file), else by a
    scan numbered in the read (_rows_read_again; the 5M-row trade file with such a row in each of its
    3 windows: 50 s, 75 s with the scan alone, 51 s when the whole file was kept as text). A file
    changed or gone since its read leaves such a row's text as typed ('999' for a partner sent as
    '0999': _read_once_texts). `sha_of`: each file's checksum."""
    wanted: dict[str, set[int]] = {}
    for issue in (i for outcome in rejected for i in outcome.issues):
        read = read_once.tables.get(issue.file)
        if read is not None and read.typed and issue.row is not None:
            wanted.setdefault(issue.file, set()).add(issue.row)
    if not wanted:
        return "feed_stage"
    registered, inspections = _registered_signatures(con, feed), _inspections(con, feed)
    con.execute("create or replace temp table feed_stage_as_sent as select * from feed_stage limit 0")
    for path, rows in sorted(wanted.items()):
        read = read_once.tables[path]
        typed_rows = f"""
            select {_read_once_texts(feed)}, rowid + {read.first_row} as _source_row,
                {sql_string(path)} as _source_file, {sql_string(sha_of[path])} as _file_sha256,
                _partition_key, _slice, _missing_keys, _kept_texts is null as _lacking
            from {read.table} where list_contains($rows, rowid + {read.first_row})
        """
        params = {"rows": sorted(rows)}
        lacking = [
            row
            for (row,) in con.execute(
                f"select _source_row from ({typed_rows}) where _lacking order by 1", params
            ).fetchall()
        ]
        if lacking and _rows_read_again(
            con, feed, path, read, typed_rows, params, lacking, registered, inspections
        ):
            continue
        con.execute(f"insert into feed_stage_as_sent select * exclude (_lacking) from ({typed_rows})", params)
    return """(
        select * from feed_stage_as_sent
        union all
        select * from feed_stage as s
        where not exists (
            select 1 from feed_stage_as_sent as a
            where a._source_file = s._source_file and a._source_row = s._source_row
        )
    )"""


def _rows_read_again(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    path: str,
    read: "_FileRead",
    typed_rows: str,
    params: dict,
    lacking: list[int],
    registered: dict[str, tuple],
    inspections: dict[str, landing.Inspection],
) -> bool:
    """Add to feed_stage_as_sent the rows of `typed_rows` (_stage_as_sent) with the text of those
    that lack theirs (`lacking`, their numbers) read again from `path`: from their lines
    (_lines_read_again), else by a numbered scan of the file. False, with nothing added, if the
    file changed since it was registered or cannot be read as it was."""
    if _changed_since_registered(path, registered.get(path)):
        return False
    try:
        source = SourceFile.open(Path(path), inspections[path], _work_dir(con))
        scan = scan_file(feed, source)
    except Exception as error:  # changed since in a way its signature did not show
        _raise_if_not_about_the_file(error)
        return False
    if scan.sql is None:
        return False
    names = [quote_ident(n) for n in _text_columns(feed)]
    texts = ", ".join(f"case when a._source_row is null then t.{n} else a.{n} end as {n}" for n in names)
    con.execute("drop table if exists reject_errors; drop table if exists reject_scans")
    try:
        if _lines_read_again(con, feed, source, read, lacking):
            read_again, read_params = "select * from lines_read_again", params
        else:
            # Numbered in the read, which streams and stops after the last row wanted: the rows
            # wanted, not the file, are kept.
            read_again = f"""
                select * from (select * from ({scan.sql}) limit $last)
                where list_contains($rows, _source_row)
            """
            read_params = {**params, "last": max(lacking) - read.first_row + 1}
        con.execute(
            f"""
            insert into feed_stage_as_sent
            select {texts}, t.* exclude ({", ".join(names)}, _lacking)
            from ({typed_rows}) as t
            left join ({read_again}) as a on t._lacking and a._source_row = t._source_row
        """,
            read_params,
        )
        if not _changed_since_registered(path, registered.get(path)):
            return True
    except (OSError, duckdb.IOException, duckdb.InvalidInputException) as error:
        _raise_if_not_about_the_file(error)  # gone or unreadable since
    finally:
        con.execute(
            "drop table if exists reject_errors; drop table if exists reject_scans;"
            " drop table if exists lines_read_again"
        )
    con.execute("delete from feed_stage_as_sent where _source_file = ?", [path])  # not the rows it had
    return False


def _issues_at_their_lines(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    rejected: list[PartitionOutcome],
    file_issues: dict[str, list[LoadIssue]],
    stage: str,
) -> str:
    """The rows the `rejected` partitions report, named by the lines where they begin in a CSV or
    JSON Lines file whose records are not its lines (a blank line, a value across lines:
    ingest.source_lines), and `stage` (the staged rows quarantine keeps beside their issues, SQL)
    with those rows numbered so too. Only a file with rows to report is read again, to its last
    such row; rows of a JSON document (named by record), of a file that changed since it was
    registered, or that the file no longer shows, keep their numbers. `file_issues`: the issues of
    the window's files, with the lines DuckDB rejected (_stage)."""
    reported: dict[str, tuple[set[int], set[int]]] = {}  # path -> (staged rows, rejected records)
    for issue in (i for outcome in rejected for i in outcome.issues):
        # (a malformed JSON line is named by its line already: _unreadable)
        if issue.row is not None and issue.check != "unreadable_file":
            rows, rejects = reported.setdefault(issue.file, (set(), set()))
            (rejects if _is_reject(issue) else rows).add(issue.row)
    if not reported:
        return stage
    registered, inspections = _registered_signatures(con, feed), _inspections(con, feed)
    moved: dict[str, tuple[dict[int, int], dict[int, int]]] = {}
    for path, (rows, rejects) in sorted(reported.items()):
        if path not in inspections or _changed_since_registered(path, registered.get(path)):
            continue
        rejected_rows = [i.row for i in file_issues.get(path, []) if _is_reject(i) and i.row is not None]
        try:
            lines = _physical_lines(
                SourceFile.open(Path(path), inspections[path], _work_dir(con)), rows, rejects, rejected_rows
            )
        except Exception as error:  # changed since in a way its signature did not show
            _raise_if_not_about_the_file(error)
            continue
        if lines and any(row != line for found in lines for row, line in found.items()):
            moved[path] = lines
    if not moved:
        return stage

    def at_its_line(issue: LoadIssue) -> LoadIssue:
        if issue.file not in moved or issue.row is None or issue.check == "unreadable_file":
            return issue
        row_lines, reject_lines = moved[issue.file]
        lines = reject_lines if _is_reject(issue) else row_lines
        return replace(issue, row=lines.get(issue.row, issue.row))

    for outcome in rejected:
        outcome.issues = [at_its_line(issue) for issue in outcome.issues]
    staged = [(path, row, line) for path, (lines, _) in moved.items() for row, line in lines.items()]
    con.execute(
        """
        create or replace temp table staged_row_lines as
        select unnest($files::varchar[]) as _source_file, unnest($rows::bigint[]) as _source_row,
            unnest($lines::bigint[]) as line
        """,
        {
            "files": [path for path, _, _ in staged],
            "rows": [row for _, row, _ in staged],
            "lines": [line for _, _, line in staged],
        },
    )
    # A moved file's rows are kept by their line: those reported, renumbered, and no other (a row
    # numbered as another's line would be taken for it).
    files = "[" + ", ".join(sql_string(path) for path in moved) + "]::varchar[]"
    return f"""(
        select s.* replace (l.line as _source_row)
        from {stage} as s
        join staged_row_lines as l on l._source_file = s._source_file and l._source_row = s._source_row
        union all
        select * from {stage} as s where not list_contains({files}, s._source_file)
    )"""


def _at_its_line(source: SourceFile, issue: LoadIssue) -> LoadIssue:
    """`issue`, of a row of `source` numbered by a read of it alone (no line rejected before it),
    named by its line (_physical_lines)."""
    found = _physical_lines(source, {issue.row}, set(), []) if issue.row is not None else None
    return replace(issue, row=found[0].get(issue.row, issue.row)) if found else issue


def _is_reject(issue: LoadIssue) -> bool:
    """A record DuckDB's CSV reader rejected (_csv_rejects): numbered by its own count, not a row's."""
    return issue.check.startswith("broken_csv:")


def _physical_lines(
    source: SourceFile, rows: set[int], rejects: set[int], rejected: list[int]
) -> tuple[dict[int, int], dict[int, int]] | None:
    """(row -> line, rejected record -> line) of a CSV or JSON Lines file (ingest.source_lines),
    as DuckDB reads it (decompressed, UTF-8), for the rows `rows` and rejected records `rejects`
    (`rejected`: all the file's); None for a JSON document, or if a number is not in the file as
    it is now. A CSV's header, line 1, is not looked for."""
    import csv
    import zlib

    from ingest import source_lines

    rows = {row for row in rows if row >= 2} if source.layout == "csv" else rows
    try:
        if source.layout == "csv":
            with source.open_read("rt", newline="", encoding="utf-8-sig", errors="replace") as handle:
                found = source_lines.csv_lines(handle, rows, rejects, rejected)
        elif source.layout == "jsonl":
            with source.open_read() as handle:
                found = source_lines.jsonl_lines(handle, rows), {}
        else:
            return None
    except (OSError, EOFError, zlib.error, csv.Error):
        return None
    if len(found[0]) != len(rows) or len(found[1]) != len(rejects):
        return None
    return found


# A row read again from its line (_lines_read_again) is held in memory and in a small file until
# DuckDB reads it: past this many rows (a month whose every row failed a check), the file is
# scanned instead, within DuckDB's memory limit.
LINES_READ_AGAIN_MAX_ROWS = 10_000


def _lines_read_again(
    con: duckdb.DuckDBPyConnection, feed: Feed, source: SourceFile, read: "_FileRead", rows: list[int]
) -> bool:
    """The staged text of the CSV rows `rows` of a file read typed, read from their lines alone,
    into the temp table lines_read_again: the file's header and those lines are copied to a small
    file that the feed's own reader reads (a 1.3 GB trade file: ~1 s to its 4 millionth line, where
    the numbered scan took ~9 s). Row n of a file read once is line n (its header is line 1) only
    if no value spans lines and no line is skipped, so each row read back must cast to the row the
    load typed: a shifted line passes only if it casts exactly as the row it stands for, which a
    row set aside by its own values does not (the load's checks flag every copy of a duplicated row).
    Otherwise False, with nothing kept, and the caller scans the file; so too for a feed with
    personal data (its lines, in clear, are not copied), JSON, a compression other than gzip, more
    than LINES_READ_AGAIN_MAX_ROWS rows, or a file that cannot be read or copied now."""
    if (
        feed.carries_personal_data
        or source.layout != "csv"
        or source.compression not in (None, "gzip")
        or read.first_row != 2
        or len(rows) > LINES_READ_AGAIN_MAX_ROWS
    ):
        return False
    import uuid
    import zlib

    excerpt = _work_dir(con) / f"lines-{uuid.uuid4().hex}.csv"
    try:
        with source.open_read() as handle:
            lines = lines_at(handle, [1, *rows])
        if len(lines) != len(rows) + 1:
            return False
        # (a last line without its end gets the header's, which DuckDB took for the file's)
        end = b"\r\n" if lines[0].endswith(b"\r\n") else b"\n"
        excerpt.parent.mkdir(parents=True, exist_ok=True)
        excerpt.write_bytes(b"".join(line if line.endswith(b"\n") else line + end for line in lines))
    except (OSError, EOFError, zlib.error):  # changed since, no room or memory: the scan will tell
        excerpt.unlink(missing_ok=True)
        return False
    try:
        scan = scan_file(feed, SourceFile(source.path, excerpt, None, "csv"))
        if scan.sql is None:
            return False
        # Row n of the excerpt (line n + 1) is row rows[n - 1] of the file (DuckDB's lists count
        # from 1).
        con.execute(
            f"""
            create or replace temp table lines_read_again as
            select * exclude (_source_row), ($rows)[_source_row - 1] as _source_row from ({scan.sql})
        """,
            {"rows": rows},
        )
    except (OSError, duckdb.IOException, duckdb.InvalidInputException) as error:
        _raise_if_not_about_the_file(error)
        return False
    finally:
        excerpt.unlink(missing_ok=True)
        con.execute("drop table if exists reject_errors; drop table if exists reject_scans")
    same = " and ".join(
        f"a.{quote_ident(n)} is not distinct from t.{quote_ident(n)}" for n, _ in feed.staged_columns
    )
    (matching,) = con.execute(
        f"""
        select count(*)
        from ({_cast_with_checks(feed, "select * from lines_read_again", "_source_row")}) as a
        join {read.table} as t on t.rowid + {read.first_row} = a._source_row
        where a._type_issue = t._type_issue and {same}
    """
    ).fetchone()
    if matching == len(rows):
        return True
    con.execute("drop table if exists lines_read_again")
    return False


def lines_at(handle: BinaryIO, numbers: list[int], chunk_bytes: int = 1 << 24) -> list[bytes]:
    """Lines `numbers` (distinct, counted from 1, ascending) of a binary file, each with its line
    end (a last line may have none); fewer if the file ends first. Lines are counted a chunk at a
    time (in C: bytes.count) and cut out only in the chunks that hold a wanted one; only a wanted
    line's bytes are carried from chunk to chunk (a file without a line end is not held whole)."""
    if list(numbers) != sorted(set(numbers)):
        raise ValueError("lines_at takes distinct line numbers in ascending order")
    found: list[bytes] = []
    wanted = iter(numbers)
    target = next(wanted, None)
    number, partial = 1, b""  # the line being read, and its bytes from earlier chunks if wanted
    while target is not None:
        chunk = handle.read(chunk_bytes)
        if not chunk:
            if partial and number == target:
                found.append(partial)
            break
        ends = chunk.count(b"\n")
        if number + ends <= target:  # the wanted line does not end in this chunk
            partial = chunk[chunk.rfind(b"\n") + 1 :] if ends else partial + chunk
            number += ends
        else:
            start = 0
            while target is not None and (end := chunk.find(b"\n", start)) >= 0:
                if number == target:
                    found.append(partial + chunk[start : end + 1])
                    target = next(wanted, None)
                partial, number, start = b"", number + 1, end + 1
            partial = chunk[start:]
        if number != target:
            partial = b""
    return found


def _status_without_new_data(con: duckdb.DuckDBPyConnection, feed: Feed, key: str) -> str:
    (published,) = con.execute(
        "select count(*) from meta.published_slices where feed = ? and partition_key = ?",
        [feed.name, key],
    ).fetchone()
    return "unchanged" if published else "empty"


@dataclass
class FilesReadOnce:
    """The files of a load whose slices fall in several of its windows, and those of which a window
    takes as many rows as a group of files holds (STAGE_GROUP_ROWS), most of the file. Each is read
    once, whole, into a temp table of its own, and each window stages its slices from there
    (_stage): a 1.3 GB Comtrade file of 132 months was read again by each of its three windows (25
    s a read, where DuckDB's bare read of it takes 16 s). What that costs is disk (DuckDB spills
    the table), not memory; the table is dropped after the file's last window (drop_finished). The table
    holds the whole file, also the slices the load does not take (a filter would change the rows'
    places); the file was read whole before too, only not written whole. The file's issues
    (rejected lines, unreadable) are those of that one read (a file with a rejected line is read a
    second time, as text: _read_file_once).

    The read leaves its rows unnumbered, which lets DuckDB read the file on every thread (the
    5M-row Comtrade file: 15-18 s, against 28-32 s numbered in the read), and each window numbers
    them as it stages them: DuckDB keeps a file's order when it writes a table, and a table's
    `rowid` is then a row's place (DuckDB's "order preservation"; the table is never written
    again).

    The read also casts the rows (_typed_rows): typed, the 5M-row file's table is about half the
    size of its text, which spilled in every window's cast (the 5M-row load 43-47 s -> 40-41 s)."""

    # path -> windows of the load that take slices from it, left (1 for a large file of one
    # window, added by the window: _stage)
    windows_left: dict[str, int]
    issues: dict[str, list[LoadIssue]] = field(default_factory=dict)  # of the files read so far
    tables: dict[str, "_FileRead"] = field(default_factory=dict)  # of those read without an issue
    reads: int = 0  # numbers the tables: each of a load has a name of its own

    def drop(self, con: duckdb.DuckDBPyConnection, path: str) -> None:
        if path in self.tables:
            con.execute(f"drop table if exists {self.tables.pop(path).table}")

    def drop_tables(self, con: duckdb.DuckDBPyConnection) -> None:
        for path in list(self.tables):
            self.drop(con, path)

    def drop_finished(self, con: duckdb.DuckDBPyConnection) -> None:
        """Drop the tables of the files whose last window has staged its rows: once copied into
        its `feed_stage`, or when the next window stages if that `feed_stage` is a view over
        them or if a file was read typed, whose rows the window's cast copies (_stage)."""
        for path, left in self.windows_left.items():
            if left == 0:
                self.drop(con, path)

    @classmethod
    def of(cls, windows: list[list[str]], slices: list[tuple]) -> "FilesReadOnce":
        window_of = {key: i for i, window in enumerate(windows) for key in window}
        windows_of: dict[str, set[int]] = {}
        for key, _, path, _ in slices:
            windows_of.setdefault(path, set()).add(window_of[key])
        return cls(windows_left={path: len(w) for path, w in windows_of.items() if len(w) > 1})


@dataclass(frozen=True)
class _FileRead:
    """A file of FilesReadOnce as read: its table, what its rowid 0 is numbered, and the lines the
    reader rejected (the kept rows after them are numbered again in each copy)."""

    table: str
    first_row: int
    rejected: list[int]
    typed: bool = False  # read typed (_typed_rows), not as text: never with a rejected line


class _TypedStage(NamedTuple):
    """The rows of a window's files read typed (_typed_rows), as they were read: `selects` give
    them (for feed_typed: _cast_staged_rows), `paths` are those files, and `only` says whether
    feed_stage holds no other rows (of these it holds, as text, those that kept theirs)."""

    selects: list[str]
    paths: list[str]
    only: bool


@dataclass(frozen=True)
class _FileToStage:
    path: str
    sha256: str
    slices: list[str]  # the file's slices in this window (a file read once is read whole)
    source: SourceFile
    signature: tuple  # as registered (meta.landing_files)


# Files read alike are staged by one statement (scan_files): DuckDB binds a statement in ~10-15
# ms however small its files. A group is bounded in rows, as its files are numbered in one window.
STAGE_GROUP_ROWS = 250_000
STAGE_GROUP_FILES = 200


def _stage(
    con: duckdb.DuckDBPyConnection, feed: Feed, slices: list[tuple], read_once: FilesReadOnce | None = None
) -> tuple[dict[str, list[LoadIssue]], _TypedStage | None]:
    """Stage the rows of the chosen slices as `feed_stage`: the files read alike (reader_key) in
    groups of one statement each; a group that fails is read again file by file, so that the file
    at fault is the one reported. Rows with no partition or no slice come along too, so they are
    reported, not dropped (and block every partition of their file). A file whose bytes changed
    since it was registered is not staged under the checksum it no longer has. The files of
    `read_once` are read once for the whole load, and so is a file of which the window takes a
    group's worth of rows (FilesReadOnce). Without `read_once` (a test's one window), the tables
    of such files are left to the caller.

    A window whose rows all come from files read once, none with a line the reader rejected, is
    staged as a view over their tables: a copy would only repeat what they hold (5M Comtrade rows
    in three windows: 3.7 s of copies, and the cast read the copies slower than the tables).
    Otherwise `feed_stage` is a table.

    Returns the issues of the files, by path, and the rows of the window's files read typed
    (_TypedStage), if any, for the cast to copy rather than cast again."""
    read_once = read_once or FilesReadOnce({})
    _drop_feed_stage(con)  # before the tables a view of it may read
    read_once.drop_finished(con)
    issues: dict[str, list[LoadIssue]] = {}
    copied: list[tuple[str, str, list[str]]] = []  # files of read_once (path, sha), this window's slices
    by_file: dict[tuple[str, str], list[str]] = {}
    for _, slice_key, path, sha in slices:
        by_file.setdefault((path, sha), []).append(slice_key)
    registered = _registered_signatures(con, feed)
    inspections, work_dir = _inspections(con, feed), _work_dir(con)
    rows_of: dict[str, int] = {}  # sha -> the file's rows
    slice_rows: dict[tuple[str, str], int] = {}  # (sha, slice) -> its rows
    for sha, slice_key, row_count in con.execute(
        "select sha256, slice, row_count from meta.file_slices where feed = ?", [feed.name]
    ).fetchall():
        rows_of[sha] = rows_of.get(sha, 0) + row_count
        slice_rows[sha, slice_key] = row_count
    groups: dict[tuple, list[_FileToStage]] = {}
    to_read_once: list[_FileToStage] = []
    for (path, sha), file_slices in by_file.items():
        if path in read_once.issues:  # read by an earlier window of this load
            copied.append((path, sha, file_slices))
            continue
        if _changed_since_registered(path, registered.get(path)):
            issues[path] = [_file_changed(path, "since it was checksummed")]
            continue
        try:
            source = SourceFile.open(Path(path), inspections[path], work_dir)
            scan = scan_file(feed, source)
            key = reader_key(source)
        except Exception as error:
            _raise_if_not_about_the_file(error)
            issues[path] = [LoadIssue(path, None, None, "unreadable_file", _first_line(error))]
            continue
        if scan.sql is None:
            issues[path] = scan.issues
            continue
        taken = sum(slice_rows.get((sha, s), 0) for s in file_slices)
        if path in read_once.windows_left or (taken >= STAGE_GROUP_ROWS and 2 * taken >= rows_of.get(sha, 0)):
            # The window takes a group's worth of the file's rows, and most of them: read on its
            # own and unnumbered, DuckDB reads the file on every thread (a numbered read keeps it
            # on one: 642,778 JSON records 1.2 s, against 0.66 s plus 0.1 s for a numbering copy);
            # its table holds the whole file, hence "most".
            read_once.windows_left.setdefault(path, 1)
            to_read_once.append(_FileToStage(path, sha, file_slices, source, registered[path]))
            copied.append((path, sha, file_slices))
            continue
        groups.setdefault(key, []).append(_FileToStage(path, sha, file_slices, source, registered[path]))
    for file in to_read_once:
        _read_file_once(con, feed, file, read_once)
    window = sorted({key for key, *_ in slices})
    copies = []  # the rows each file read once gives this window: SQL, and the lines to renumber
    typed_rows: list[str] = []  # the rows of the files read typed, as they were read
    typed_paths: list[str] = []
    for path, sha, file_slices in copied:
        issues[path] = list(read_once.issues[path])
        if path in read_once.tables:
            read = read_once.tables[path]
            copies.append((_rows_read_once(feed, read, path, sha, window, file_slices), path, read.rejected))
            if read.typed:
                typed_rows += _rows_read_once(feed, read, path, sha, window, file_slices, typed=True)
                typed_paths.append(path)
    for path in {path for path, _ in by_file} & set(read_once.windows_left):
        # Counted in every window of the file, read or not (a file that changed before its read
        # is read by a later window): once its last is over, the disk its rows took is freed.
        read_once.windows_left[path] -= 1

    if copies and not groups and not any(rejected for *_, rejected in copies):
        con.execute(
            "create temp view feed_stage as " + " union all ".join(s for rows, *_ in copies for s in rows)
        )
        only = len(typed_paths) == len(copies)
        typed = _TypedStage(typed_rows, typed_paths, only) if typed_paths else None
        return _rows_without_place(con, feed, issues), typed
    text_columns = ", ".join(f"{quote_ident(n)} varchar" for n in _text_columns(feed))
    con.execute(f"""
        create temp table feed_stage (
            {text_columns}, _source_row bigint, _source_file varchar, _file_sha256 varchar,
            _partition_key varchar, _slice varchar, _missing_keys varchar[]
        )
    """)
    for files in groups.values():
        for group in _groups_of_files(files, rows_of):
            if not _stage_files(con, feed, group, issues):
                for one in group:  # the group failed on one of its files: find which
                    _stage_files(con, feed, [one], issues)
    for rows, path, rejected in copies:
        for select in rows:
            con.execute(f"insert into feed_stage {select}")
        if rejected:
            _renumber_after_rejects(con, path, rejected)
    if not typed_paths:  # copied: no need to hold them through the window (the cast copies typed rows)
        read_once.drop_finished(con)
    typed = _TypedStage(typed_rows, typed_paths, only=False) if typed_paths else None
    return _rows_without_place(con, feed, issues), typed


def _drop_feed_stage(con: duckdb.DuckDBPyConnection) -> None:
    """feed_stage is a table or a view (_stage); DuckDB's `drop table if exists` refuses a view."""
    (kind,) = con.execute(
        "select max(table_type) from information_schema.tables "
        "where table_catalog = 'temp' and table_name = 'feed_stage'"
    ).fetchone()
    if kind:
        con.execute(f"drop {'view' if kind == 'VIEW' else 'table'} temp.feed_stage")


def _rows_read_once(
    feed: Feed,
    read: "_FileRead",
    path: str,
    sha: str,
    window: list[str],
    file_slices: list[str],
    typed: bool = False,
) -> tuple[str, str]:
    """The SELECTs of a window's rows from the table of a file read once, numbered by their place
    in it: as text (feed_stage; of a file read typed, only the rows that kept their text, those
    with an issue of their own: _typed_rows), or, from a file read typed, `typed` as they were
    read (feed_typed: _cast_staged_rows). Two: the range of the window's keys lets DuckDB skip the
    row groups of other windows (a file in order of its months: 1.6 s for a third of 5M rows,
    against 4.7 s with the rows without a partition in the same condition); those rows are rarely
    any. Values inline: a view takes no parameters."""
    values = ", ".join(quote_ident(n) for n in _text_columns(feed))
    carried = "_type_issue" if typed else "_missing_keys"
    kept = ""
    if read.typed and not typed:  # as text, only the rows that kept theirs (_typed_rows)
        values, kept = _read_once_texts(feed), " and _kept_texts is not null"
    columns = f"""{values}, rowid + {read.first_row} as _source_row, {sql_string(path)} as _source_file,
        {sql_string(sha)} as _file_sha256, _partition_key, _slice, {carried}"""
    slices = "[" + ", ".join(sql_string(s) for s in file_slices) + "]::varchar[]"
    return (
        f"""select {columns} from {read.table}
        where _partition_key between {sql_string(window[0])} and {sql_string(window[-1])}
            and list_contains({slices}, _slice){kept}""",
        f"select {columns} from {read.table} where (_partition_key is null or _slice is null){kept}",
    )


def _read_file_once(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    file: "_FileToStage",
    read_once: FilesReadOnce,
    typed: bool = True,
) -> None:
    """Read a file of `read_once` whole into a temp table of its own, its rows unnumbered and
    typed (_typed_rows; FilesReadOnce); its issues, if any, go to `read_once.issues`. A CSV file
    with lines the reader rejected is read again as text: each window renumbers its rows
    (_renumber_after_rejects) in a copy of their text."""
    (ordered,) = con.execute("select current_setting('preserve_insertion_order')").fetchone()
    if not ordered:  # rows in any order: rowid would name the wrong lines
        raise ValueError("loads need DuckDB's preserve_insertion_order (its default) to name lines")
    name = f"load_stage_{read_once.reads}"
    read_once.reads += 1
    partition = feed.partition_sql(Path(file.path))
    slice_sql = feed.slice_sql(Path(file.path), typed=False)
    con.execute("drop table if exists reject_errors; drop table if exists reject_scans")
    try:
        scan = scan_file(feed, file.source, numbered=False)  # a file gone since: its issue
        # Known before it is written: whatever stops the load from here on, the table is dropped.
        read_once.tables[file.path] = _FileRead(f"temp.{name}", scan.first_row, [])
        texts = f"""
            select {", ".join(quote_ident(n) for n in _text_columns(feed))},
                case when _slice is not null then _partition end as _partition_key, _slice, _missing_keys
            from (select *, {partition} as _partition, {slice_sql} as _slice from ({scan.sql}))
        """
        con.execute(f"create or replace temp table {name} as {_typed_rows(feed, texts) if typed else texts}")
    except Exception as error:
        _raise_if_not_about_the_file(error)
        read_once.drop(con, file.path)
        con.execute("drop table if exists reject_errors; drop table if exists reject_scans")
        read_once.issues[file.path] = [_unreadable(file.path, file.source, error)]
        return
    rejects = (
        _csv_rejects(con, {str(file.source.read_path): file.path}, keep_line=not feed.carries_personal_data)
        if file.source.layout == "csv"
        else {}
    )
    found = rejects.get(file.path, [])
    if _changed_since_registered(file.path, file.signature):
        read_once.drop(con, file.path)
        read_once.issues[file.path] = [_file_changed(file.path, "while it was being read")]
        return
    if found and typed:
        read_once.drop(con, file.path)
        _read_file_once(con, feed, file, read_once, False)
        return
    read_once.issues[file.path] = found
    read_once.tables[file.path] = _FileRead(
        f"temp.{name}", scan.first_row, [issue.row for issue in found], typed
    )


def _groups_of_files(files: list[_FileToStage], rows_of: dict[str, int]) -> list[list[_FileToStage]]:
    groups = _groups_of_rows(
        list(range(len(files))), {i: rows_of.get(f.sha256, 0) for i, f in enumerate(files)}, STAGE_GROUP_ROWS
    )
    return [
        [files[i] for i in group[j : j + STAGE_GROUP_FILES]]
        for group in groups
        for j in range(0, len(group), STAGE_GROUP_FILES)
    ]


def _by_file(expressions: list[str]) -> str:
    """One SQL expression that is `expressions[i]` for the rows of file i of a statement."""
    if len(set(expressions)) == 1:
        return expressions[0]
    return "case _file_index " + " ".join(f"when {i} then ({e})" for i, e in enumerate(expressions)) + " end"


def _stage_files(
    con: duckdb.DuckDBPyConnection, feed: Feed, files: list[_FileToStage], issues: dict[str, list[LoadIssue]]
) -> bool:
    """Stage `files` in one statement, into feed_stage. False, with nothing staged, if the
    statement failed and there were several files; the failure of a single file is its issue."""
    paths = [file.path for file in files]
    partition = _by_file([feed.partition_sql(Path(path)) for path in paths])
    slice_sql = _by_file([feed.slice_sql(Path(path), typed=False) for path in paths])
    # Rows in file order, then line order, as one file's read gives them: the same files give the
    # same tables, byte for byte.
    in_order = "order by _file_index, _source_row" if len(files) > 1 else ""
    con.execute("drop table if exists reject_errors; drop table if exists reject_scans")
    try:
        scan = scan_files(feed, [file.source for file in files])  # a file gone since: its issue
        con.execute(
            f"""
            insert into feed_stage
            select {", ".join(quote_ident(n) for n in _text_columns(feed))}, _source_row,
                (?::varchar[])[_file_index + 1], (?::varchar[])[_file_index + 1],
                case when _slice is not null then _partition end, _slice, _missing_keys
            from (select *, {partition} as _partition, {slice_sql} as _slice from ({scan.sql}))
            where list_contains((?::varchar[][])[_file_index + 1], _slice) or _partition is null
                or _slice is null
            {in_order}
        """,
            [paths, [file.sha256 for file in files], [file.slices for file in files]],
        )
    except Exception as error:
        _raise_if_not_about_the_file(error)
        con.execute("drop table if exists reject_errors; drop table if exists reject_scans")
        if len(files) > 1:
            return False
        issues[paths[0]] = [_unreadable(paths[0], files[0].source, error)]
        return True
    rejects = (
        _csv_rejects(
            con, {str(f.source.read_path): f.path for f in files}, keep_line=not feed.carries_personal_data
        )
        if files[0].source.layout == "csv"
        else {}
    )
    for file in files:
        found = rejects.get(file.path, [])
        if found:
            _renumber_after_rejects(con, file.path, [issue.row for issue in found])
        if _changed_since_registered(file.path, file.signature):
            con.execute("delete from feed_stage where _source_file = ?", [file.path])
            found = [_file_changed(file.path, "while it was being read")]
        issues[file.path] = found
    return True


def _renumber_after_rejects(con: duckdb.DuckDBPyConnection, path: str, rejected: list) -> None:
    """The rows of `path` numbered by the lines DuckDB rejected too. The read numbers the rows it
    keeps one after the other, so each rejected line put the rows after it one line short: a type
    error on line 7 after a rejected line 3 was reported as line 6 (and quarantine took the wrong
    row for line 3's issue). A kept row numbered n moves down by the count of rejected lines L_j
    (the j-th, from 0) with L_j - j <= n. The unit is DuckDB's rejects' own: a record (a quoted
    field across lines is one), the header being line 1. Blank lines are not mended here: DuckDB
    counts them in a reject's line but not in the rows it keeps; the rows reported are named by
    their lines when the load reports them (_issues_at_their_lines)."""
    shifts: dict[int, int] = {}
    for j, line in enumerate(sorted(set(rejected))):
        shifts[line - j] = j + 1  # equal thresholds (consecutive rejected lines): the last count
    con.execute(
        """
        update feed_stage set _source_row = feed_stage._source_row + moved.shift
        from (
            select kept._source_row, threshold.shift
            from (select _source_row from feed_stage where _source_file = $path) as kept
            asof join (select unnest($rows) as first_row, unnest($shifts) as shift) as threshold
                on kept._source_row >= threshold.first_row
        ) as moved
        where feed_stage._source_file = $path and feed_stage._source_row = moved._source_row
        """,
        {"path": path, "rows": list(shifts), "shifts": list(shifts.values())},
    )


def _changed_since_registered(path: str, registered: tuple | None) -> bool:
    try:
        return registered != tuple(vars(landing.FileSignature.of(Path(path))).values())
    except OSError:
        return True


def _file_changed(path: str, when: str) -> LoadIssue:
    return LoadIssue(
        path, None, None, "file_changed", f"the file changed {when}; it is read again at the next load"
    )


def _rows_without_place(
    con: duckdb.DuckDBPyConnection, feed: Feed, issues: dict[str, list[LoadIssue]]
) -> dict[str, list[LoadIssue]]:
    """`issues` with the staged rows that have keys missing (JSON) or no partition or slice,
    found over all files at once; the files without an issue left out."""
    missing_slice = (
        " or ".join(
            f"try_cast({quote_ident(c)} as {dict(feed.staged_columns)[c]}) is null"
            for c in feed.slice_columns
        )
        or "false"
    )
    slice_column = (
        (
            "coalesce("
            + ", ".join(
                f"case when try_cast({quote_ident(c)} as {dict(feed.staged_columns)[c]}) is null "
                f"then {sql_string(c)} end"
                for c in feed.slice_columns
            )
            + ")"
        )
        if feed.slice_columns
        else "null"
    )
    rows = con.execute(f"""
        select _source_file, _source_row, 'missing_column', _missing_keys[1], null
        from feed_stage where len(_missing_keys) > 0
        union all
        select _source_file, _source_row, 'no_slice', {slice_column}, null
        from feed_stage where _slice is null and len(_missing_keys) = 0 and ({missing_slice})
        union all
        select _source_file, _source_row, 'no_partition', {sql_string(feed.partition_column)},
            {quote_ident(feed.partition_column)}
        from feed_stage where _partition_key is null and _slice is not null
        order by 1, 2
    """).fetchall()
    messages = {
        "missing_column": "key missing from the record",
        "no_partition": feed.partition_message,
        "no_slice": "empty or invalid: the revision this row belongs to cannot be told",
    }
    for path, row, check, column, value in rows:
        issues.setdefault(path, []).append(LoadIssue(path, row, column, check, messages[check], value))
    return {path: found for path, found in issues.items() if found}


def _csv_rejects(
    con: duckdb.DuckDBPyConnection, paths: dict[str, str], *, keep_line: bool
) -> dict[str, list[LoadIssue]]:
    """Lines DuckDB's CSV reader could not parse (wrong field count, bad quoting...), by file
    (`paths`: the path DuckDB read -> the landing file's). The raw line is kept as the bad value
    (cut when long) unless the feed carries personal data: such a line was never through the
    hashing in the read, so it must not reach the quarantine, meta.loads or an error text."""
    try:
        rows = con.execute(
            "select s.file_path, e.line, e.column_name, e.error_type, e.error_message, e.csv_line "
            "from reject_errors as e join reject_scans as s using (scan_id, file_id) "
            "order by s.file_path, e.line, e.column_idx"
        ).fetchall()
    except duckdb.Error:
        return {}
    finally:
        con.execute("drop table if exists reject_errors; drop table if exists reject_scans")
    withheld = "" if keep_line else " (the line is not kept: it may hold personal data)"
    found: dict[str, list[LoadIssue]] = {}
    reported = set()
    for read_path, line, column, kind, message, csv_line in rows:
        path = paths[read_path]
        # A line with too few or too many fields comes back once per column short or over: one
        # issue says it.
        if (path, line, kind) in reported:
            continue
        reported.add((path, line, kind))
        found.setdefault(path, []).append(
            LoadIssue(
                path,
                int(line),
                column,
                f"broken_csv:{kind}".lower(),
                (_first_line(Exception(message)) if keep_line else str(kind).lower()) + withheld,
                csv_line if keep_line else None,
            )
        )
    return found


_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"}


def _type_checks(feed: Feed) -> list[tuple[str, str, str, str]]:
    """(column, type, check, condition) of each check of a staged value: the conditions are SQL in
    which `{text}` stands for the staged text and `{value}` for its cast to the column's type."""
    checks = []
    for name, dtype in feed.staged_columns:
        if dtype == "VARCHAR":
            continue
        condition = "{text} is not null and ({value} is null"
        if dtype in _INTEGER_TYPES:
            # DuckDB casts '398.5' to the integer 399: an integer column takes whole numbers only
            # ('398.0' too).
            condition += " or not regexp_full_match({text}, '[+-]?[0-9]+(\\.0*)?')"
        checks.append((name, dtype, f"not_{dtype.split('(')[0].lower()}", condition + ")"))
    checks += [
        (name, "DOUBLE", "negative_value", "try_cast({text} as double) < 0") for name in feed.non_negative
    ]
    return checks


def _condition(condition: str, text: str, value: str) -> str:
    """A condition of _type_checks over the SQL `text` of the staged text and `value` of its cast."""
    return condition.replace("{text}", text).replace("{value}", value)


def _checked_texts(feed: Feed) -> dict[str, str]:
    """The staged columns _type_checks checks -> the name their text is carried under beside the
    cast (_cast_with_checks), in the order _typed_rows keeps them."""
    return {name: f"_text_{i}" for i, name in enumerate(dict.fromkeys(c[0] for c in _type_checks(feed)))}


def _cast_with_checks(feed: Feed, source: str, carried: str) -> str:
    """The rows of `source` (SQL whose staged columns are text) cast to their columns' types, with
    `carried` (other columns of `source`), each checked column's text (_checked_texts) and
    `_type_issue`, true where a value breaks one of _type_checks. The checks run in the cast's own
    scan: a scan of the staged text per check took 5.2 s of a 5M-row trade load."""
    texts = _checked_texts(feed)
    typed = ",\n".join(
        f"try_cast({quote_ident(n)} as {t}) as {quote_ident(n)}" for n, t in feed.staged_columns
    )
    typed += "".join(f", {quote_ident(name)} as {text}" for name, text in texts.items())
    issue = " or ".join(
        f"({_condition(condition, texts[name], quote_ident(name))})"
        for name, _, _, condition in _type_checks(feed)
    )
    return f"""
        select *, coalesce({issue or "false"}, false) as _type_issue
        from (select {typed}, {carried} from ({source}))
    """


def _typed_rows(feed: Feed, source: str) -> str:
    """A file read once, typed as it is read (_read_file_once): `source` gives its staged text with
    `_partition_key`, `_slice` and `_missing_keys`. The texts of the checked columns are kept only
    where a row has an issue of its own (`_kept_texts`: a type check, no partition or slice, a
    missing key), for the load to report them as sent (_read_once_texts); the 5M-row trade file
    typed takes half the memory of its text, which spilled to disk in each window's cast."""
    texts = list(_checked_texts(feed).values())
    exclude = f" exclude ({', '.join(texts)})" if texts else ""
    kept = f"[{', '.join(texts)}]::varchar[]" if texts else "[]::varchar[]"
    return f"""
        select *{exclude},
            case when _type_issue or _partition_key is null or _slice is null or len(_missing_keys) > 0
                then {kept} end as _kept_texts
        from ({_cast_with_checks(feed, source, "_partition_key, _slice, _missing_keys")})
    """


def _read_once_texts(feed: Feed) -> str:
    """The staged text of a row of a file read typed (_typed_rows): as sent where it was kept, else
    its typed value as text. The two differ in form only ('0398' and 398, '1.50' and 1.5), and the
    rows whose text is shown (in an issue, in quarantine) are those kept, or read again
    (_stage_as_sent; from a file changed or gone since its read, the typed value stays)."""
    positions = {name: i for i, name in enumerate(_checked_texts(feed), start=1)}
    return ", ".join(
        f"coalesce(_kept_texts[{positions[name]}], {quote_ident(name)}::varchar) as {quote_ident(name)}"
        if name in positions
        else quote_ident(name)
        for name in _text_columns(feed)
    )


def _cast_staged_rows(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    load_id: str,
    started_at: datetime,
    typed: _TypedStage | None = None,
) -> None:
    """feed_typed: the staged rows cast to their columns' types, with the derived columns, the
    load's provenance and `_type_issue` (_cast_with_checks). The rows of files read `typed`
    (_stage), already cast and checked, are copied, not cast again."""
    derived = "".join(
        f", try_cast({sql} as {dtype}) as {quote_ident(name)}" for name, dtype, sql in feed.derived_columns
    )
    provenance = (
        f"_source_file, _source_row, _file_sha256, {sql_string(load_id)} as _load_id,"
        " ?::timestamp as _loaded_at, _partition_key, _slice"
    )
    parts = []
    if typed is None or not typed.only:
        rows = "select * from feed_stage"
        if typed:
            rows += f" where _source_file not in ({', '.join(sql_string(p) for p in typed.paths)})"
        texts = ", ".join(_checked_texts(feed).values())
        cast = _cast_with_checks(feed, rows, provenance)
        parts.append(f"select * exclude ({texts}) from ({cast})" if texts else cast)
    if typed:
        columns = ", ".join(quote_ident(n) for n in _text_columns(feed))
        read = " union all ".join(typed.selects)
        parts.append(f"select {columns}, {provenance}, _type_issue from ({read})")
    con.execute(
        f"""
        create or replace temp table feed_typed as
        select * exclude (_type_issue){derived}, _type_issue from ({" union all ".join(parts)})
    """,
        [started_at] * len(parts),
    )


def _type_issues(con: duckdb.DuckDBPyConnection, feed: Feed) -> dict[str, list[LoadIssue]]:
    """The values behind each `_type_issue` of feed_typed, per partition: only the flagged rows of
    feed_stage are checked again, column by column."""
    (flagged,) = con.execute("select count(*) from feed_typed where _type_issue").fetchone()
    if not flagged:
        return {}
    con.execute("""
        create or replace temp table type_issue_rows as
        select s.* from feed_stage as s
        semi join (select _source_file, _source_row from feed_typed where _type_issue) as f
            on s._source_file = f._source_file and s._source_row = f._source_row
    """)
    try:
        checks = [
            f"""select _partition_key, _source_file, _source_row, {sql_string(name)}, {sql_string(check)},
                {quote_ident(name)}
            from type_issue_rows
            where {_condition(condition, quote_ident(name), f"try_cast({quote_ident(name)} as {dtype})")}"""
            for name, dtype, check, condition in _type_checks(feed)
        ]
        rows = con.execute(" union all ".join(checks) + " order by 1, 2, 3, 4").fetchall()
    finally:
        con.execute("drop table if exists type_issue_rows")
    named = len({(file, row) for _, file, row, *_ in rows})
    if named != flagged:  # a flagged row must never pass unreported
        raise RuntimeError(f"{flagged} rows of {feed.name} failed a type check; issues name {named}")
    issues: dict[str, list[LoadIssue]] = {}
    for key, file, row, column, check, value in rows:
        message = (
            "value is negative" if check == "negative_value" else f"not a valid {check.removeprefix('not_')}"
        )
        issues.setdefault(key, []).append(LoadIssue(file, row, column, check, message, value))
    return issues


def _validate(
    con: duckdb.DuckDBPyConnection,
    partition_keys: list[str],
    validator: Validator,
    report: LoadReport,
) -> dict[str, list[LoadIssue]]:
    """Run the suite over the staged partitions, in batches of at most VALIDATION_BATCH_ROWS rows,
    inside DuckDB (each batch is a query of `feed_typed` on its partitions; no row is fetched into
    Python but the failing ones), and attribute each failing row to its partition."""
    counts = dict(con.execute("select _partition_key, count(*) from feed_typed group by 1").fetchall())
    batches = _groups_of_rows(partition_keys, counts, VALIDATION_BATCH_ROWS)

    issues: dict[str, list[LoadIssue]] = {}
    for batch in batches:
        if not any(counts.get(key) for key in batch):
            continue  # its files could not be read at all; that is already reported
        # GX scans the batch ~20 times: `in (<a hundred keys>)` in each scan took a 2M-row run of
        # the Comtrade suite from 1.3 to 3.8-4.9 s of SQL. A batch of every staged partition (the
        # rule: one batch a window) needs only to leave out the rows without a partition.
        if set(batch) >= {key for key in counts if key is not None}:
            in_batch = "_partition_key is not null"
        else:
            in_batch = f"_partition_key in ({', '.join(sql_string(key) for key in batch)})"
        rows_sql = f"select * exclude (_slice, _type_issue) from feed_typed where {in_batch}"
        label = batch[0] if len(batch) == 1 else f"{batch[0]}..{batch[-1]}"
        passed, summary, found = validator(ValidationBatch(con, rows_sql, tuple(batch)), label)
        report.validations.append({"partitions": label, **summary})
        partition_of_row = _partitions_of_rows(con, batch, found)
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


def _partitions_of_rows(
    con: duckdb.DuckDBPyConnection, batch: list[str], found: list[LoadIssue]
) -> dict[tuple[str, int], str]:
    """(file, row) -> partition of the failing rows, looked up in SQL."""
    flagged = sorted({(i.file, i.row) for i in found if i.row is not None})
    if not flagged:
        return {}
    rows = con.execute(
        """
        select t._source_file, t._source_row, t._partition_key
        from feed_typed as t
        semi join (select unnest($files) as f, unnest($rows) as r) as flagged
            on t._source_file = flagged.f and t._source_row = flagged.r
        where list_contains($keys, t._partition_key)
    """,
        {"files": [f for f, _ in flagged], "rows": [r for _, r in flagged], "keys": batch},
    ).fetchall()
    return {(file, row): key for file, row, key in rows}


def _publish(
    con: duckdb.DuckDBPyConnection,
    feed: Feed,
    load_id: str,
    outcomes: list[PartitionOutcome],
    slices: list[tuple],
    started_at,
    fingerprint: str | None,
) -> None:
    """Replace the changed slices of the window's passing partitions, and record their loads, in
    one transaction: a few statements per window, not per partition (90 daily partitions of the
    bundled appeals took 90 transactions of ~12 statements). Sets each outcome's rows."""
    columns = ", ".join(quote_ident(n) for n, _ in feed.published_columns)
    keys = [o.partition_key for o in outcomes]
    slice_rows = pd.DataFrame(
        [(key, slice_key, path, sha) for key, slice_key, path, sha in slices],
        columns=["partition_key", "slice", "source_file", "sha256"],
    )
    con.register("publishing_slices", slice_rows)
    try:
        with transaction(con):
            # Every published slice is in meta.published_slices (same transaction): on a first load
            # there is nothing to delete, and the delete would scan the whole table.
            (replacing,) = con.execute(
                """
                select count(*) from meta.published_slices
                where feed = ? and slice in (select slice from publishing_slices)
            """,
                [feed.name],
            ).fetchone()
            if replacing:
                con.execute(f"""
                    delete from {feed.table}
                    where {feed.slice_sql(Path(), typed=True)} in (select slice from publishing_slices)
                """)
            con.execute(
                f"""
                insert into {feed.table} ({columns})
                select {columns} from feed_typed where list_contains(?, _partition_key)
            """,
                [keys],
            )
            con.execute(
                """
                insert or replace into meta.published_slices by name
                select ? as feed, s.slice, s.partition_key, s.sha256, s.source_file, ? as load_id,
                    coalesce(c.row_count, 0) as row_count, ? as published_at, v.version_seq as landed_seq
                from publishing_slices as s
                left join load_slices as v on v.slice = s.slice
                left join (
                    select _partition_key, _slice, count(*) as row_count from feed_typed
                    where list_contains(?, _partition_key) group by all
                ) as c on c._partition_key = s.partition_key and c._slice = s.slice
            """,
                [feed.name, load_id, utc_now(), keys],
            )
            revisions.record_published(con, feed.name, feed.revision_guard, keys)
            rows = dict(
                con.execute(
                    "select partition_key, coalesce(sum(row_count), 0) from meta.published_slices "
                    "where feed = ? and load_id = ? and list_contains(?, partition_key) group by 1",
                    [feed.name, load_id, keys],
                ).fetchall()
            )
            for outcome in outcomes:
                outcome.rows = rows.get(outcome.partition_key, 0)
            record_loads(
                con,
                load_id=load_id,
                feed=feed.name,
                outcomes=outcomes,
                rows_quarantined=0,
                started_at=started_at,
                hash_key_fingerprint=fingerprint,
            )
    finally:
        con.unregister("publishing_slices")
    if lake.lake_enabled():
        # The partitions as now published -> their Parquet folders, for Spark (ingest/lake.py).
        for key in keys:
            lake.write_partition(con, feed, key)
