"""Digital Family Map feeds (declared in catalog/family.py): a monthly extract per source database
(partition: the month in the file name, family_income_2023-01.csv -> '2023-01-01', a newer file
replacing its whole month) and a daily proactive-service events file (the day in its name).
Columns and codes: ingest/family_schema.py; personal data: ingest/privacy.py."""

import re
from pathlib import Path

import duckdb

from ingest.landing import name_without_gz
from ingest.loads import LoadReport

MONTH_IN_NAME = re.compile(r"_(\d{4}-\d{2})\.csv$")
DAY_IN_NAME = re.compile(r"_(\d{4}-\d{2}-\d{2})\.csv$")
LANDING_SUBDIR = "family"


def file_month(path: Path) -> str | None:
    """The Dagster key of the month a file's name gives: family_income_2023-01.csv -> '2023-01-01'."""
    match = MONTH_IN_NAME.search(name_without_gz(path))
    if not match:
        return None
    try:
        year, month = (int(x) for x in match.group(1).split("-"))
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-01" if 1 <= month <= 12 else None


def month_sql(path: Path) -> str:
    month = file_month(path)
    return f"try_cast('{month}' as date)::varchar" if month else "null::varchar"


def file_day(path: Path) -> str | None:
    match = DAY_IN_NAME.search(name_without_gz(path))
    return match.group(1) if match else None


def day_sql(path: Path) -> str:
    day = file_day(path)
    return f"try_cast('{day}' as date)::varchar" if day else "null::varchar"


def summarise(feed_name: str, partition_column: str):
    """Rows, members (or families) loaded for the partitions of one family feed."""
    key = "family_key" if feed_name == "family_housing" else "member_key"

    def summary(con: duckdb.DuckDBPyConnection, report: LoadReport, keys: list[str]) -> dict:
        rows, distinct = con.execute(
            f"select count(*), count(distinct {key}) from raw.{feed_name} "
            f"where list_contains(?, {partition_column}::varchar)",
            [keys],
        ).fetchone()
        return {"rows": rows, key.replace("_key", "s"): distinct}

    return summary


def summarise_events(con: duckdb.DuckDBPyConnection, report: LoadReport, days: list[str]) -> dict:
    rows = con.execute(
        "select event_type, count(*) from raw.family_proactive_events "
        "where list_contains(?, _partition_date::varchar) group by 1 order by 1",
        [days],
    ).fetchall()
    return {f"events_{kind.lower()}": count for kind, count in rows}
