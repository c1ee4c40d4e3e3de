"""eOtinish appeals and their history events: two feeds with daily partitions (declared in
catalog/appeals.py).

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

import duckdb

from ingest.landing import name_without_gz
from ingest.loads import LoadReport

DAY_IN_NAME = re.compile(r"_(\d{4}-\d{2}-\d{2})\.(jsonl|json|csv)$")


def file_day(path: Path) -> str | None:
    """The export day in a file name, e.g. appeals_2024-03-05.jsonl (or .jsonl.gz) -> '2024-03-05'."""
    match = DAY_IN_NAME.search(name_without_gz(path))
    return match.group(1) if match else None


def day_sql(path: Path) -> str:
    """SQL for the partition of every row of a file: the day its name gives."""
    day = file_day(path)
    return f"try_cast('{day}' as date)::varchar" if day else "null::varchar"


def summarise_appeals(con: duckdb.DuckDBPyConnection, report: LoadReport, days: list[str]) -> dict:
    """Appeals filed and answered in the loaded days, and the share answered by the deadline."""
    filed, answered, on_time = con.execute(
        """
        with latest as (
            select * from raw.eotinish_appeals
            where list_contains(?, _partition_date::varchar)
            qualify row_number() over (partition by id order by modified_date desc) = 1
        )
        select
            count(*) filter (where list_contains(?, start_date::date::varchar)),
            count(*) filter (where list_contains(?, finish_date::date::varchar)),
            count(*) filter (where list_contains(?, finish_date::date::varchar)
                             and finish_date::date <= deadline)
        from latest
    """,
        [days, days, days, days],
    ).fetchone()
    return {
        "appeals_filed": filed,
        "appeals_answered": answered,
        "on_time_rate": round(on_time / answered, 4) if answered else 0.0,
    }


def summarise_events(con: duckdb.DuckDBPyConnection, report: LoadReport, days: list[str]) -> dict:
    """Events received in the loaded days, and how many of them reached us after their day."""
    events, late_events = con.execute(
        "select count(*), count(*) filter (where is_late) from raw.eotinish_appeal_events "
        "where list_contains(?, _partition_date::varchar)",
        [days],
    ).fetchone()
    return {"events_received": events, "late_events": late_events}
