"""eOtinish appeals and their history events: daily partitions, one export file per day and feed.
The applicant's IIN is replaced by a keyed hash in the read and free text is never read
(ingest/eotinish_schema.py, ingest/privacy.py)."""

from pathlib import Path

from expectations.eotinish import validate_appeal_events, validate_appeals
from ingest import eotinish, feeds
from ingest.eotinish_schema import (
    APPEAL_SOURCE_COLUMNS,
    DROPPED_COLUMNS,
    EVENT_SOURCE_COLUMNS,
    HASHED_COLUMNS,
)
from ingest.loads import LoadReport


def _feed(name: str, columns, pattern: str, **declared) -> feeds.Feed:
    names = {column for column, _ in columns}
    derived = declared.pop("derived_columns", ())
    return feeds.Feed(
        name=name,
        source_columns=columns,
        landing_subdir="eotinish",
        file_patterns=(f"{pattern}_*.jsonl", f"{pattern}_*.csv"),
        partition_sql=eotinish.day_sql,
        partition_column="id",
        partition_message="the file name carries no export day (expected NAME_YYYY-MM-DD.jsonl)",
        partition_sql_typed="_partition_date::varchar",  # a file replaces its whole day
        hashed={k: v for k, v in HASHED_COLUMNS.items() if k in names},
        dropped=frozenset(DROPPED_COLUMNS & names),
        derived_columns=(("_partition_date", "DATE", "_partition_key::date"), *derived),
        file_partition=eotinish.file_day,
        partitioning="daily",
        group="appeals",
        deps=(("ref", "kato_units"),),
        **declared,
    )


APPEALS = _feed(
    "eotinish_appeals", APPEAL_SOURCE_COLUMNS, "appeals",
    validator=validate_appeals,
    non_negative=("prolong_count", "prolong_days", "person_age"),
    description="eOtinish appeals as exported each day (a snapshot of each appeal created or "
    "changed that day). The IIN is replaced by a keyed hash; names, contacts and free text are "
    "never read.",
    check_description="Great Expectations suite `eotinish_appeals`: known states, types, channels "
    "and forms, KATO codes that exist, deadline on or after the start, one snapshot per appeal "
    "and day, no IIN-shaped value left in any text column.",
    summary=eotinish.summarise_appeals,
)
EVENTS = _feed(
    "eotinish_appeal_events", EVENT_SOURCE_COLUMNS, "appeal_events",
    validator=validate_appeal_events,
    derived_columns=(
        # The day the event happened, and whether it reached us in a later day's file.
        ("event_date", "DATE", '"date"::date'),
        ("is_late", "BOOLEAN", '"date"::date < _partition_key::date'),
    ),
    description="eOtinish appeal history events as received each day; late, out-of-order and "
    "re-sent events are kept as received (is_late flags them) and resolved in dbt.",
    check_description="Great Expectations suite `eotinish_appeal_events`: known event types and "
    "states, every event in its own day's file or later (then flagged late), unique event ids "
    "per file, no IIN-shaped value left.",
    summary=eotinish.summarise_events,
)


def load_appeals(con, landing_dir: Path, partition_keys: list[str], **kwargs) -> LoadReport:
    return feeds.load_feed(con, APPEALS, landing_dir, partition_keys, **kwargs)


def load_events(con, landing_dir: Path, partition_keys: list[str], **kwargs) -> LoadReport:
    return feeds.load_feed(con, EVENTS, landing_dir, partition_keys, **kwargs)


def landing_days(landing_dir: Path) -> set[str]:
    """Days that have an appeals or events file in the landing folder."""
    return {day for feed in (APPEALS, EVENTS) for path in feed.landing_files(landing_dir)
            if (day := eotinish.file_day(path))}
