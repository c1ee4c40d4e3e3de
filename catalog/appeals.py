"""eOtinish appeals and their history events: daily partitions, one export file per day and feed.
The applicant's IIN is replaced by a keyed hash in the read and free text is never read
(ingest/eotinish_schema.py, ingest/privacy.py)."""

from pathlib import Path

from expectations.eotinish import validate_appeal_events, validate_appeals
from ingest import eotinish, feeds
from ingest.eotinish_schema import (
    APPEAL_CHARACTERS,
    APPEAL_DESCRIPTIONS,
    APPEAL_FORMS,
    APPEAL_SOURCE_COLUMNS,
    APPEAL_SOURCES,
    APPEAL_STATES,
    APPEAL_TYPES,
    DROPPED_COLUMNS,
    EVENT_DESCRIPTIONS,
    EVENT_SOURCE_COLUMNS,
    EVENT_TYPES,
    HASHED_COLUMNS,
    LANGUAGES,
    WORKING_STATES,
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
    "eotinish_appeals",
    APPEAL_SOURCE_COLUMNS,
    "appeals",
    validator=validate_appeals,
    non_negative=("prolong_count", "prolong_days", "person_age"),
    description="One row per appeal per export day on which it was created or modified (a full snapshot each "
    "time). The current view of an appeal is its row with the latest modified_date (ties: latest "
    "_partition_date, then _loaded_at).",
    check_description="Great Expectations suite `eotinish_appeals`: known states, types, channels "
    "and forms, KATO codes that exist, deadline on or after the start, one snapshot per appeal "
    "and day, no IIN-shaped value left in any text column.",
    summary=eotinish.summarise_appeals,
    column_descriptions=APPEAL_DESCRIPTIONS,
    required=("id", "current_state", "start_date", "modified_date"),
    accepted_values={
        "current_state": APPEAL_STATES,
        "current_working_state": WORKING_STATES,
        "appeal_source_id": APPEAL_SOURCES,
        "type_id": APPEAL_TYPES,
        "appeal_form": APPEAL_FORMS,
        "appeal_character": APPEAL_CHARACTERS,
        "language_id": LANGUAGES,
    },
)
EVENTS = _feed(
    "eotinish_appeal_events",
    EVENT_SOURCE_COLUMNS,
    "appeal_events",
    validator=validate_appeal_events,
    derived_columns=(
        # The day the event happened, and whether it reached us in a later day's file.
        ("event_date", "DATE", '"date"::date'),
        ("is_late", "BOOLEAN", '"date"::date < _partition_key::date'),
    ),
    description="Appeal history events received per export day. Events may arrive late (in a later day's "
    "file), out of order within a file, and may be re-sent (same id in another file). message and "
    "system_message_ru (free text) are dropped by the loader.",
    check_description="Great Expectations suite `eotinish_appeal_events`: known event types and "
    "states, every event in its own day's file or later (then flagged late), unique event ids "
    "per file, no IIN-shaped value left.",
    summary=eotinish.summarise_events,
    column_descriptions=EVENT_DESCRIPTIONS,
    required=("id", "appeal_id", "type", "date"),
    accepted_values={"type": EVENT_TYPES, "state": APPEAL_STATES, "working_state": WORKING_STATES},
)


def load_appeals(con, landing_dir: Path, partition_keys: list[str], **kwargs) -> LoadReport:
    return feeds.load_feed(con, APPEALS, landing_dir, partition_keys, **kwargs)


def load_events(con, landing_dir: Path, partition_keys: list[str], **kwargs) -> LoadReport:
    return feeds.load_feed(con, EVENTS, landing_dir, partition_keys, **kwargs)


def landing_days(landing_dir: Path) -> set[str]:
    """Days that have an appeals or events file in the landing folder."""
    return {
        day
        for feed in (APPEALS, EVENTS)
        for path in feed.landing_files(landing_dir)
        if (day := eotinish.file_day(path))
    }
