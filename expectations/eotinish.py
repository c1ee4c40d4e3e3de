"""Expectation suites for the eOtinish appeals and history-event feeds."""

from dataclasses import replace
from functools import cache

import pandas as pd

from expectations.runner import ExpectationSpec, validate_frame
from ingest.eotinish import APPEALS, EVENTS
from ingest.eotinish_schema import (
    APPEAL_CHARACTERS,
    APPEAL_FORMS,
    APPEAL_SOURCES,
    APPEAL_STATES,
    APPEAL_TYPES,
    EVENT_TYPES,
    LANGUAGES,
    WORKING_STATES,
)
from ingest.reference import known_kato_codes

INDEX = ["_source_file", "_source_row"]


@cache
def _kato_codes() -> frozenset[str]:
    return frozenset(known_kato_codes())


def _in_set(column: str, values: list) -> ExpectationSpec:
    return ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": column, "value_set": values})


def _not_null(*columns: str) -> list[ExpectationSpec]:
    return [ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": c}) for c in columns]


def _columns(feed) -> ExpectationSpec:
    return ExpectationSpec("ExpectTableColumnsToMatchSet", {
        "column_set": [name for name, _ in feed.staged_columns] + INDEX, "exact_match": False})


def appeals_suite() -> list[ExpectationSpec]:
    return [
        ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        _columns(APPEALS),
        *_not_null("id", "reg_number", "current_state", "start_date", "deadline", "org_id",
                   "type_id", "location_id"),
        _in_set("current_state", APPEAL_STATES),
        _in_set("current_working_state", WORKING_STATES),
        _in_set("type_id", APPEAL_TYPES),
        _in_set("appeal_source_id", APPEAL_SOURCES),
        _in_set("appeal_form", APPEAL_FORMS),
        _in_set("appeal_character", APPEAL_CHARACTERS),
        _in_set("language_id", LANGUAGES),
        # KATO codes that exist. A value set of 16,000 codes costs Great Expectations ~5 s per run
        # (it copies the set through pydantic many times), so the lookup is a vectorised isin()
        # and the expectation checks its result; failures are reported against location_id.
        _in_set("location_id_in_kato", [True]),
        # The deadline is on or after the day the appeal was registered.
        ExpectationSpec("ExpectColumnPairValuesAToBeGreaterThanB",
                        {"column_A": "deadline", "column_B": "start_day", "or_equal": True}),
        ExpectationSpec("ExpectColumnValuesToBeBetween",
                        {"column": "person_age", "min_value": 0, "max_value": 120}),
        # One snapshot of an appeal per daily file.
        ExpectationSpec("ExpectCompoundColumnsToBeUnique", {"column_list": ["id", "_partition_date"]}),
    ]


def appeal_events_suite() -> list[ExpectationSpec]:
    return [
        ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        _columns(EVENTS),
        *_not_null("id", "appeal_id", "type", "state", "date"),
        _in_set("type", EVENT_TYPES),
        _in_set("state", APPEAL_STATES),
        _in_set("working_state", WORKING_STATES),
        # An event is in its own day's file, or later (then flagged is_late); never earlier.
        ExpectationSpec("ExpectColumnPairValuesAToBeGreaterThanB",
                        {"column_A": "_partition_date", "column_B": "event_date", "or_equal": True}),
        ExpectationSpec("ExpectCompoundColumnsToBeUnique", {"column_list": ["id", "_partition_date"]}),
    ]


def validate_appeals(frame: pd.DataFrame, label: str):
    frame = frame.assign(
        start_day=frame["start_date"].dt.normalize(),
        location_id_in_kato=frame["location_id"].isin(_kato_codes()),
    )
    passed, summary, issues = validate_frame("eotinish_appeals", appeals_suite(), frame, label)
    codes = dict(zip(zip(frame["_source_file"], frame["_source_row"], strict=True),
                     frame["location_id"], strict=True)) if not passed else {}
    issues = [
        replace(issue, column="location_id", message="KATO code does not exist",
                value=codes.get((issue.file, issue.row)))
        if issue.column == "location_id_in_kato" else issue
        for issue in issues
    ]
    return passed, summary, issues


def validate_appeal_events(frame: pd.DataFrame, label: str):
    return validate_frame("eotinish_appeal_events", appeal_events_suite(), frame, label)
