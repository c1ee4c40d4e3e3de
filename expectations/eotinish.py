"""Expectation suites for the eOtinish appeals and history-event feeds."""

from expectations.kato import known_kato
from expectations.runner import ExpectationSpec, compound_unique, unexpected_rows, validate_query
from ingest.eotinish_schema import (
    APPEAL_CHARACTERS,
    APPEAL_FORMS,
    APPEAL_SOURCE_COLUMNS,
    APPEAL_SOURCES,
    APPEAL_STATES,
    APPEAL_TYPES,
    EVENT_SOURCE_COLUMNS,
    EVENT_TYPES,
    LANGUAGES,
    WORKING_STATES,
    staged_column_names,
)

INDEX = ["_source_file", "_source_row"]


def _in_set(column: str, values: list) -> ExpectationSpec:
    return ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": column, "value_set": values})


def _not_null(*columns: str) -> list[ExpectationSpec]:
    return [ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": c}) for c in columns]


def _columns(source_columns) -> ExpectationSpec:
    return ExpectationSpec(
        "ExpectTableColumnsToMatchSet",
        {"column_set": staged_column_names(source_columns) + INDEX, "exact_match": False},
    )


def appeals_suite() -> list[ExpectationSpec]:
    return [
        ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        _columns(APPEAL_SOURCE_COLUMNS),
        *_not_null(
            "id", "reg_number", "current_state", "start_date", "deadline", "org_id", "type_id", "location_id"
        ),
        _in_set("current_state", APPEAL_STATES),
        _in_set("current_working_state", WORKING_STATES),
        _in_set("type_id", APPEAL_TYPES),
        _in_set("appeal_source_id", APPEAL_SOURCES),
        _in_set("appeal_form", APPEAL_FORMS),
        _in_set("appeal_character", APPEAL_CHARACTERS),
        _in_set("language_id", LANGUAGES),
        known_kato("location_id"),
        # The deadline is on or after the day the appeal was registered.
        unexpected_rows(
            "select _source_file, _source_row, deadline, start_date from {batch} "
            "where deadline < start_date::date",
            column="deadline",
            check="expect_column_pair_values_a_to_be_greater_than_b",
            message="the deadline is before the day the appeal was registered",
        ),
        ExpectationSpec(
            "ExpectColumnValuesToBeBetween", {"column": "person_age", "min_value": 0, "max_value": 120}
        ),
        # One snapshot of an appeal per daily file.
        compound_unique(["id", "_partition_date"]),
    ]


def appeal_events_suite() -> list[ExpectationSpec]:
    return [
        ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        _columns(EVENT_SOURCE_COLUMNS),
        *_not_null("id", "appeal_id", "type", "state", "date"),
        _in_set("type", EVENT_TYPES),
        _in_set("state", APPEAL_STATES),
        _in_set("working_state", WORKING_STATES),
        # An event is in its own day's file, or later (then flagged is_late); never earlier.
        ExpectationSpec(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "_partition_date", "column_B": "event_date", "or_equal": True},
        ),
        compound_unique(["id", "_partition_date"]),
    ]


def validate_appeals(batch, label: str):
    """Run the suite inside DuckDB on a batch of staged rows (ingest.feeds.ValidationBatch)."""
    return validate_query("eotinish_appeals", appeals_suite(), batch.con, batch.sql, label)


def validate_appeal_events(batch, label: str):
    return validate_query("eotinish_appeal_events", appeal_events_suite(), batch.con, batch.sql, label)
