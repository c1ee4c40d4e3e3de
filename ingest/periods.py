"""The quarter label, '2024-Q2', built and read here only: it names the land feeds' files and
partitions (ingest/land_schema.py), the marts' quarter columns (dbt macro quarter_label, the same
text) and the report's quarters."""

from __future__ import annotations

import re
from datetime import date

QUARTER_PATTERN = re.compile(r"(\d{4})-Q([1-4])")


def quarter_label(year: int, quarter: int) -> str:
    """'2024-Q2' for (2024, 2)."""
    return f"{year}-Q{quarter}"


def parse_quarter(label: str) -> tuple[int, int]:
    """(2024, 2) for '2024-Q2'; ValueError for any other text."""
    match = QUARTER_PATTERN.fullmatch(label)
    if not match:
        raise ValueError(f"a quarter looks like 2024-Q2, got {label!r}")
    return int(match[1]), int(match[2])


def quarter_start(label: str) -> date:
    """The first day of a quarter: date(2024, 4, 1) for '2024-Q2'."""
    year, quarter = parse_quarter(label)
    return date(year, (quarter - 1) * 3 + 1, 1)
