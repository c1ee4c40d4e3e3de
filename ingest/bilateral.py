"""The bilateral agenda feed: events, the commitments made at them and the measured values of the
commitments' indicators, kept as reviewed YAML files in data/bilateral/.

A load reads the three files with their line numbers (every entry and every field), checks the
shape of each entry (a mapping of known fields, each of the right kind: text, date, number, list),
validates the three frames with the Great Expectations suites of expectations/bilateral.py, and
only then replaces raw.bilateral_events, raw.bilateral_commitments and
raw.bilateral_indicator_values together in one transaction. Any problem raises LoadError naming
the file, the line and the field, and the tables stay exactly as they were. Loading the same files
again gives the same tables (only _loaded_at changes). Each attempt is recorded in meta.loads
(feed 'bilateral').
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from ingest.loads import (
    WHOLE,
    LoadError,
    LoadIssue,
    PartitionOutcome,
    file_sha256,
    new_load_id,
    publish_whole_tables,
    utc_now,
)
from ingest.settings import REPO_ROOT

FEED = "bilateral"
BUNDLED_BILATERAL_DIR = REPO_ROOT / "data" / "bilateral"

EVENT_TYPES = [
    "state_visit",
    "intergovernmental_commission",
    "memorandum",
    "agreement",
    "business_forum",
    "exhibition",
    "cultural_days",
]
# trade_turnover_usd is measured from the trade marts; the others from indicator_values.yaml.
INDICATORS = ["trade_turnover_usd", "specialists_trained", "agreements_signed"]
FILE_MEASURED_INDICATORS = ["specialists_trained", "agreements_signed"]
OVERRIDE_STATUSES = ["met", "missed", "on track", "at risk"]
CONFIDENCE_LEVELS = ["high", "medium", "low"]
DATE_FORMAT = "%Y-%m-%d"

# Field kinds: text, date (YYYY-MM-DD text, parsed after validation), number, bool, list (of text).
# Each table: YAML file, then field -> (kind, DuckDB type). Required fields and value rules are
# in the suites (expectations/bilateral.py), so a missing field is reported like any bad value.
TABLES: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "bilateral_events": (
        "events.yaml",
        {
            "id": ("text", "VARCHAR"),
            "date": ("date", "DATE"),
            "type": ("text", "VARCHAR"),
            "title": ("text", "VARCHAR"),
            "parties": ("list", "VARCHAR[]"),
            "place": ("text", "VARCHAR"),
            "summary": ("text", "VARCHAR"),
            "source_url": ("text", "VARCHAR"),
            "source_note": ("text", "VARCHAR"),
            "confidence": ("text", "VARCHAR"),
        },
    ),
    "bilateral_commitments": (
        "commitments.yaml",
        {
            "id": ("text", "VARCHAR"),
            "event_id": ("text", "VARCHAR"),
            "reaffirmed_by": ("list", "VARCHAR[]"),
            "title": ("text", "VARCHAR"),
            "indicator": ("text", "VARCHAR"),
            "target_value": ("number", "DOUBLE"),
            "unit": ("text", "VARCHAR"),
            "baseline_value": ("number", "DOUBLE"),
            "baseline_date": ("date", "DATE"),
            "deadline": ("date", "DATE"),
            "deadline_is_assumed": ("bool", "BOOLEAN"),
            "status_override": ("text", "VARCHAR"),
            "status_note": ("text", "VARCHAR"),
            "responsible_parties": ("list", "VARCHAR[]"),
            "source_url": ("text", "VARCHAR"),
            "source_note": ("text", "VARCHAR"),
        },
    ),
    "bilateral_indicator_values": (
        "indicator_values.yaml",
        {
            "commitment_id": ("text", "VARCHAR"),
            "date": ("date", "DATE"),
            "indicator": ("text", "VARCHAR"),
            "value": ("number", "DOUBLE"),
            "source_url": ("text", "VARCHAR"),
            "note": ("text", "VARCHAR"),
        },
    ),
}
PROVENANCE = {
    "_source_file": "VARCHAR",
    "_source_row": "BIGINT",
    "_file_sha256": "VARCHAR",
    "_loaded_at": "TIMESTAMP",
}
_NULL_TAG = "tag:yaml.org,2002:null"
_TRUE, _FALSE = {"true", "yes", "on"}, {"false", "no", "off"}


@dataclass
class BilateralFile:
    """One YAML file read with line numbers: a frame with a row per entry (the raw field values,
    as text for dates) and, per entry line, the line of each of its fields."""

    table: str
    path: Path
    sha256: str
    frame: pd.DataFrame
    field_lines: dict[tuple[int, str], int] = field(default_factory=dict)

    def line_of(self, row: int | None, column: str | None) -> int | None:
        return self.field_lines.get((row, column), row) if row is not None else None


@dataclass
class BilateralBatch:
    """The three files, read and validated (issues empty when they can be published)."""

    files: dict[str, BilateralFile]
    issues: list[LoadIssue]
    validations: list[dict] = field(default_factory=list)  # one GX summary per suite

    @property
    def passed(self) -> bool:
        return not self.issues


def parse_date(value) -> date | None:
    """'YYYY-MM-DD' -> date; anything else -> None (the suite reports it)."""
    if value is None:
        return None
    try:
        return datetime.strptime(str(value), DATE_FORMAT).date()
    except ValueError:
        return None


def _scalar(node: yaml.Node) -> str | None:
    if node.tag == _NULL_TAG:
        return None
    text = str(node.value).strip()
    return text or None


def _convert(kind: str, node: yaml.Node):
    """A field's YAML node -> its Python value; ValueError names what was expected."""
    if kind == "list":
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG:
            return None
        if not isinstance(node, yaml.SequenceNode) or not all(
            isinstance(item, yaml.ScalarNode) for item in node.value
        ):
            raise ValueError("expected a list of texts, e.g. [KZ, TJ]")
        return [text for item in node.value if (text := _scalar(item)) is not None]
    if not isinstance(node, yaml.ScalarNode):
        raise ValueError(f"expected a single {kind} value, not a {type(node).__name__[:-4].lower()}")
    text = _scalar(node)
    if text is None or kind in ("text", "date"):
        return text
    if kind == "number":
        try:
            number = float(text.replace("_", ""))
        except ValueError:
            raise ValueError("expected a number") from None
        # float() also reads inf, nan and 1e999 (inf): none is a value a commitment can have.
        if not math.isfinite(number):
            raise ValueError("expected a number (not infinity or nan)")
        return number
    if kind == "bool":
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise ValueError("expected true or false")
    raise AssertionError(kind)


def read_bilateral_file(table: str, path: Path) -> tuple[BilateralFile | None, list[LoadIssue]]:
    """Read one file into a frame, with the line of every entry (_source_row) and field. A YAML
    syntax error, an entry that is not a mapping, an unknown or repeated field or a value of the
    wrong kind is an issue; the values themselves are checked by the suite."""
    name, fields = TABLES[table]
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except OSError as error:
        return None, [LoadIssue(source, None, None, "unreadable_file", str(error))]
    except UnicodeDecodeError as error:
        return None, [LoadIssue(source, None, None, "unreadable_file", f"not UTF-8 text: {error}")]
    except yaml.YAMLError as error:
        # The line where the parser stopped; the construct it was in may have started earlier.
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
        if context and context_mark and context_mark is not mark:
            context += f" (from line {context_mark.line + 1})"
        problem = (
            "; ".join(str(part) for part in (context, getattr(error, "problem", None)) if part)
            or str(error).splitlines()[0]
        )
        return None, [
            LoadIssue(
                source, mark.line + 1 if mark else None, None, "yaml_syntax", f"YAML syntax error: {problem}"
            )
        ]
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == _NULL_TAG):
        entries = []
    elif isinstance(root, yaml.SequenceNode):
        entries = root.value
    else:
        return None, [
            LoadIssue(
                source,
                root.start_mark.line + 1,
                None,
                "structure",
                "the file must be a YAML list of entries ('- id: ...')",
            )
        ]

    issues: list[LoadIssue] = []
    rows: list[dict] = []
    field_lines: dict[tuple[int, str], int] = {}
    # Entries are named by the line they begin on (_source_row), so each needs its own.
    entry_at_line: dict[int, yaml.Node] = {}
    for entry in entries:
        line = entry.start_mark.line + 1
        if line in entry_at_line:
            message = (
                f"this entry repeats the entry of line {line} (a YAML alias): write it out"
                if entry_at_line[line] is entry
                else f"two entries begin on line {line}: begin each entry on its own line ('- id: ...')"
            )
            issues.append(LoadIssue(source, line, None, "structure", message))
            continue
        entry_at_line[line] = entry
        if not isinstance(entry, yaml.MappingNode):
            issues.append(
                LoadIssue(
                    source, line, None, "structure", "an entry must be a mapping of fields ('field: value')"
                )
            )
            continue
        row: dict = dict.fromkeys(fields)
        for key_node, value_node in entry.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            key_line = key_node.start_mark.line + 1
            if key not in fields:
                issues.append(
                    LoadIssue(
                        source, key_line, key, "unknown_field", f"unknown field (known: {', '.join(fields)})"
                    )
                )
                continue
            if (line, key) in field_lines:
                issues.append(LoadIssue(source, key_line, key, "repeated_field", "field given twice"))
                continue
            field_lines[(line, key)] = key_line
            try:
                row[key] = _convert(fields[key][0], value_node)
            except ValueError as error:
                shown = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
                issues.append(LoadIssue(source, key_line, key, "wrong_type", str(error), shown))
        rows.append({**row, "_source_file": source, "_source_row": line})
    sha = file_sha256(path)
    frame = pd.DataFrame(rows, columns=[*fields, "_source_file", "_source_row"])
    frame["_file_sha256"] = sha
    return BilateralFile(table, path, sha, frame, field_lines), issues


def read_bilateral(folder: Path, *, validator) -> BilateralBatch:
    """Read and validate the three files; nothing is written. Validation needs the events' ids
    and dates for the commitments and the commitments' indicators for the values, so a file
    is validated only when the files it refers to could be read. `validator` is the suite of one
    table (expectations.bilateral.validate_bilateral_table, bound in catalog/reference.py)."""

    folder = Path(folder)
    files: dict[str, BilateralFile] = {}
    issues: list[LoadIssue] = []
    for table, (name, _) in TABLES.items():
        read, problems = read_bilateral_file(table, folder / name)
        issues += problems
        if read is not None:
            files[table] = read
    batch = BilateralBatch(files, issues)
    if issues:  # the shape is wrong: the values cannot be checked meaningfully
        return batch

    events = files["bilateral_events"].frame
    commitments = files["bilateral_commitments"].frame
    references = {
        "event_dates": {row.id: parse_date(row.date) for row in events.itertuples() if row.id is not None},
        "commitment_indicators": {
            row.id: row.indicator for row in commitments.itertuples() if row.id is not None
        },
    }
    for table, read in files.items():
        summary, found = validator(table, read.frame, references)
        batch.validations.append({"table": table, **summary})
        for issue in found:
            row = issue.row
            shown = issue.value
            if shown is None and issue.column in read.frame.columns and row is not None:
                values = read.frame.loc[read.frame["_source_row"] == row, issue.column]
                if len(values):
                    shown = None if _is_missing(values.iloc[0]) else str(values.iloc[0])
            batch.issues.append(
                LoadIssue(
                    issue.file,
                    read.line_of(row, issue.column),
                    issue.column,
                    issue.check,
                    issue.message,
                    shown,
                )
            )
    batch.issues.sort(key=lambda i: (i.file, i.row or 0, i.column or ""))
    return batch


def _is_missing(value) -> bool:
    return value is None or (not isinstance(value, list) and pd.isna(value))


def _table_frame(read: BilateralFile, loaded_at: datetime) -> pd.DataFrame:
    _, fields = TABLES[read.table]
    frame = read.frame.copy()
    for column, (kind, _) in fields.items():
        if kind == "date":
            frame[column] = [parse_date(v) for v in frame[column]]
        elif kind == "list":
            frame[column] = [[] if _is_missing(v) else v for v in frame[column]]
    frame["_loaded_at"] = loaded_at
    return frame


def load_bilateral(
    con: duckdb.DuckDBPyConnection, folder: Path = BUNDLED_BILATERAL_DIR, *, validator
) -> dict[str, int]:
    """Validate the three files and replace raw.bilateral_events, raw.bilateral_commitments and
    raw.bilateral_indicator_values together (ingest.loads.publish_whole_tables); return the rows
    of each table. A bad entry raises LoadError naming file, line and field, is kept in
    quarantine.bilateral and meta.loads, and the tables are left as they were."""
    load_id = new_load_id()
    started_at = utc_now()
    batch = read_bilateral(Path(folder), validator=validator)
    outcome = PartitionOutcome(
        WHOLE,
        "rejected",
        files=[str(Path(folder) / name) for name, _ in TABLES.values()],
        issues=batch.issues,
    )
    replacements, frames = {}, {}
    if batch.passed:
        for table, read in batch.files.items():
            _, fields = TABLES[table]
            frames[table] = _table_frame(read, started_at)
            columns = {**{name: sql_type for name, (_, sql_type) in fields.items()}, **PROVENANCE}
            select = ", ".join(
                f'cast("{name}" as {sql_type}) as "{name}"' for name, sql_type in columns.items()
            )
            replacements[f"raw.{table}"] = f"select {select} from {table}_frame order by _source_row"
            con.register(f"{table}_frame", frames[table])
    try:
        publish_whole_tables(
            con, feed=FEED, load_id=load_id, started_at=started_at, outcome=outcome, replacements=replacements
        )
    finally:
        for table in frames:
            con.unregister(f"{table}_frame")
    if outcome.status != "published":
        raise LoadError(FEED, outcome.issues, load_id)
    return {table: len(frame) for table, frame in frames.items()}


def summarise_bilateral(con: duckdb.DuckDBPyConnection) -> dict:
    """What the loaded feed holds, for the asset's metadata: events by type, their date range,
    commitments with and without an indicator, and the measured indicator values."""
    events_by_type = dict(
        con.execute("select type, count(*) from raw.bilateral_events group by type order by type").fetchall()
    )
    ((first, last),) = con.execute("select min(date), max(date) from raw.bilateral_events").fetchall()
    ((with_indicator, without_indicator),) = con.execute(
        "select count(indicator), count(*) - count(indicator) from raw.bilateral_commitments"
    ).fetchall()
    ((values,),) = con.execute("select count(*) from raw.bilateral_indicator_values").fetchall()
    return {
        "events": sum(events_by_type.values()),
        "events_by_type": events_by_type,
        "first_event": first.isoformat() if first else None,
        "last_event": last.isoformat() if last else None,
        "commitments_with_indicator": with_indicator,
        "commitments_without_indicator": without_indicator,
        "indicator_values": values,
    }
