"""eOtinish appeals and their history events: two feeds with daily partitions.

A daily export file's day (in its name: appeals_2024-03-05.jsonl) is its partition; a newer file
for the same day replaces that day as a whole. Appeals are snapshots (an appeal appears again on
each day it changed) and events may arrive late, out of order or re-sent: the raw tables keep what
each day's file said, and dbt builds the lifecycle from them (stg_eotinish__appeal_events keeps one
copy of each event id).

The applicant's IIN is replaced by a keyed hash in the read itself and free text is never read:
see ingest/privacy.py and ingest/eotinish_schema.py.
"""

import re
from pathlib import Path

from ingest import feeds
from ingest.eotinish_schema import (
    APPEAL_SOURCE_COLUMNS,
    DROPPED_COLUMNS,
    EVENT_SOURCE_COLUMNS,
    HASHED_COLUMNS,
)
from ingest.loads import LoadReport

DAY_IN_NAME = re.compile(r"_(\d{4}-\d{2}-\d{2})\.(jsonl|json|csv)$")


def file_day(path: Path) -> str | None:
    """The export day in a file name, e.g. appeals_2024-03-05.jsonl -> '2024-03-05'."""
    match = DAY_IN_NAME.search(path.name)
    return match.group(1) if match else None


def _day_sql(path: Path) -> str:
    day = file_day(path)
    return f"try_cast('{day}' as date)::varchar" if day else "null::varchar"


def _feed(name: str, columns, pattern: str, derived=()) -> feeds.Feed:
    names = {column for column, _ in columns}
    return feeds.Feed(
        name=name,
        source_columns=columns,
        landing_subdir="eotinish",
        file_patterns=(f"{pattern}_*.jsonl", f"{pattern}_*.csv"),
        partition_sql=_day_sql,
        partition_column="id",
        partition_message="the file name carries no export day (expected NAME_YYYY-MM-DD.jsonl)",
        partition_sql_typed="_partition_date::varchar",  # a file replaces its whole day
        validator=f"expectations.eotinish:validate_{name.removeprefix('eotinish_')}",
        hashed={k: v for k, v in HASHED_COLUMNS.items() if k in names},
        dropped=frozenset(DROPPED_COLUMNS & names),
        non_negative=("prolong_count", "prolong_days", "person_age") if name.endswith("appeals") else (),
        derived_columns=(("_partition_date", "DATE", "_partition_key::date"), *derived),
        file_partition=file_day,
    )


APPEALS = _feed("eotinish_appeals", APPEAL_SOURCE_COLUMNS, "appeals")
EVENTS = _feed(
    "eotinish_appeal_events",
    EVENT_SOURCE_COLUMNS,
    "appeal_events",
    derived=(
        # The day the event happened, and whether it reached us in a later day's file.
        ("event_date", "DATE", '"date"::date'),
        ("is_late", "BOOLEAN", '"date"::date < _partition_key::date'),
    ),
)
FEEDS = (APPEALS, EVENTS)


def load_appeals(con, landing_dir: Path, partition_keys: list[str], **kwargs) -> LoadReport:
    return feeds.load_feed(con, APPEALS, landing_dir, partition_keys, **kwargs)


def load_events(con, landing_dir: Path, partition_keys: list[str], **kwargs) -> LoadReport:
    return feeds.load_feed(con, EVENTS, landing_dir, partition_keys, **kwargs)


def landing_days(landing_dir: Path) -> set[str]:
    """Days that have an appeals or events file in the landing folder."""
    return {day for feed in FEEDS for path in feed.landing_files(landing_dir) if (day := file_day(path))}
