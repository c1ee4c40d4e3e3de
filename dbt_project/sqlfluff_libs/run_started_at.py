"""Stand-in for dbt's `run_started_at` (the run's start, a datetime) when sqlfluff's jinja templater
renders the models: the macros call its strftime (macros/tested_rows.sql)."""

from datetime import datetime

_LINTED_AT = datetime(2000, 1, 1)


def strftime(format_):
    return _LINTED_AT.strftime(format_)
