"""The expectation suites of the bilateral agenda feed (data/bilateral/*.yaml, ingest/bilateral.py).

Each rule is a GX expectation plus the YAML field it is about and a message a reviewer
understands. Rules that compare fields or files (a deadline after its event's date, a commitment's
event that exists) run on columns derived here from the entries, and their failures are reported
against the field to fix."""

from dataclasses import dataclass

import pandas as pd

from expectations.runner import ExpectationSpec, validate_frame
from ingest.bilateral import (
    CONFIDENCE_LEVELS,
    DATE_FORMAT,
    EVENT_TYPES,
    FILE_MEASURED_INDICATORS,
    INDICATORS,
    OVERRIDE_STATUSES,
    parse_date,
)
from ingest.loads import LoadIssue

ID_PATTERN = r"^[a-z0-9][a-z0-9_]*$"
URL_PATTERN = r"^https?://\S+$"


@dataclass(frozen=True)
class Rule:
    spec: ExpectationSpec
    field: str | None  # the YAML field a failure is reported against
    message: str


def _spec(expectation: str, **kwargs) -> ExpectationSpec:
    return ExpectationSpec(expectation, kwargs)


def _required(*fields: str) -> list[Rule]:
    return [Rule(_spec("ExpectColumnValuesToNotBeNull", column=f), f, "missing or empty") for f in fields]


def _date(column: str) -> Rule:
    return Rule(
        _spec("ExpectColumnValuesToMatchStrftimeFormat", column=column, strftime_format=DATE_FORMAT),
        column,
        "not a date written YYYY-MM-DD",
    )


def _is_true(column: str, field: str, message: str) -> Rule:
    """A derived True/False/None column: False fails, None (not applicable) passes."""
    return Rule(_spec("ExpectColumnValuesToBeInSet", column=column, value_set=[True]), field, message)


def _common(id_column: str | None) -> list[Rule]:
    rules = [
        Rule(
            _spec("ExpectColumnValuesToMatchRegex", column="source_url", regex=URL_PATTERN),
            "source_url",
            "not an http(s):// address",
        )
    ]
    if id_column:
        rules += [
            Rule(
                _spec("ExpectColumnValuesToBeUnique", column=id_column),
                id_column,
                "id used by more than one entry",
            ),
            Rule(
                _spec("ExpectColumnValuesToMatchRegex", column=id_column, regex=ID_PATTERN),
                id_column,
                "id must be lower-case letters, digits and underscores",
            ),
        ]
    return rules


def events_rules() -> list[Rule]:
    return [
        Rule(_spec("ExpectTableRowCountToBeBetween", min_value=1), None, "the file has no events"),
        *_required("id", "date", "type", "title", "parties", "place", "summary", "source_url"),
        *_common("id"),
        _date("date"),
        Rule(
            _spec("ExpectColumnValuesToBeInSet", column="type", value_set=EVENT_TYPES),
            "type",
            f"unknown event type (known: {', '.join(EVENT_TYPES)})",
        ),
        Rule(
            _spec("ExpectColumnValuesToBeBetween", column="party_count", min_value=2),
            "parties",
            "a bilateral event needs at least two parties",
        ),
        Rule(
            _spec("ExpectColumnValuesToBeInSet", column="confidence", value_set=CONFIDENCE_LEVELS),
            "confidence",
            f"unknown confidence (known: {', '.join(CONFIDENCE_LEVELS)})",
        ),
    ]


def commitments_rules(event_ids: list[str]) -> list[Rule]:
    return [
        *_required("id", "event_id", "title", "responsible_parties"),
        *_common("id"),
        _date("baseline_date"),
        _date("deadline"),
        Rule(
            _spec("ExpectColumnValuesToBeInSet", column="event_id", value_set=event_ids),
            "event_id",
            "no event with this id in events.yaml",
        ),
        Rule(
            _spec("ExpectColumnValuesToBeNull", column="reaffirmed_by_unknown"),
            "reaffirmed_by",
            "lists an event id that is not in events.yaml",
        ),
        Rule(
            _spec("ExpectColumnValuesToBeInSet", column="indicator", value_set=INDICATORS),
            "indicator",
            f"unknown indicator (known: {', '.join(INDICATORS)}, or empty)",
        ),
        Rule(
            _spec("ExpectColumnValuesToBeBetween", column="target_value", min_value=0, strict_min=True),
            "target_value",
            "the target must be positive",
        ),
        Rule(
            _spec("ExpectColumnValuesToBeBetween", column="baseline_value", min_value=0),
            "baseline_value",
            "the baseline must not be negative",
        ),
        _is_true("deadline_after_event", "deadline", "the deadline must be after the date of its event"),
        _is_true("deadline_after_baseline", "deadline", "the deadline must be after the baseline date"),
        _is_true("deadline_if_target", "deadline", "a commitment with a target needs a deadline"),
        _is_true("indicator_if_target", "indicator", "a commitment with a target needs an indicator"),
        Rule(
            _spec("ExpectColumnValuesToBeInSet", column="status_override", value_set=OVERRIDE_STATUSES),
            "status_override",
            f"unknown status (known: {', '.join(OVERRIDE_STATUSES)})",
        ),
        _is_true(
            "override_without_indicator",
            "status_override",
            "only a commitment without an indicator takes a status_override",
        ),
    ]


def indicator_values_rules(commitment_ids: list[str]) -> list[Rule]:
    return [
        *_required("commitment_id", "date", "indicator", "value"),
        *_common(None),
        _date("date"),
        Rule(
            _spec("ExpectColumnValuesToBeInSet", column="commitment_id", value_set=commitment_ids),
            "commitment_id",
            "no commitment with this id in commitments.yaml",
        ),
        Rule(
            _spec("ExpectColumnValuesToBeInSet", column="indicator", value_set=FILE_MEASURED_INDICATORS),
            "indicator",
            f"not an indicator measured in this file ({', '.join(FILE_MEASURED_INDICATORS)}; "
            "trade turnover comes from the trade marts)",
        ),
        _is_true("indicator_matches_commitment", "indicator", "not the indicator of its commitment"),
        Rule(
            _spec("ExpectColumnValuesToBeBetween", column="value", min_value=0),
            "value",
            "the value must not be negative",
        ),
        _is_true("has_source", "source_url", "a value needs a source_url or a note"),
        Rule(
            _spec("ExpectCompoundColumnsToBeUnique", column_list=["commitment_id", "date"]),
            "date",
            "a second value for the same commitment and date",
        ),
    ]


def _derive(table: str, frame: pd.DataFrame, references: dict) -> pd.DataFrame:
    """The columns the cross-field and cross-file rules run on (True / False / None)."""
    frame = frame.copy()
    if table == "bilateral_events":
        frame["party_count"] = [None if v is None else len(v) for v in frame["parties"]]
    elif table == "bilateral_commitments":
        event_dates = references["event_dates"]
        event_date = [event_dates.get(v) for v in frame["event_id"]]
        deadline = [parse_date(v) for v in frame["deadline"]]
        baseline_date = [parse_date(v) for v in frame["baseline_date"]]
        frame["reaffirmed_by_unknown"] = [
            ", ".join(unknown) or None
            for unknown in ([e for e in (v or []) if e not in event_dates] for v in frame["reaffirmed_by"])
        ]
        frame["deadline_after_event"] = [
            None if d is None or e is None else d > e for d, e in zip(deadline, event_date, strict=True)
        ]
        frame["deadline_after_baseline"] = [
            None if d is None or b is None else d > b for d, b in zip(deadline, baseline_date, strict=True)
        ]
        has_target = frame["target_value"].notna()
        frame["deadline_if_target"] = [
            (d is not None) if t else None for d, t in zip(frame["deadline"], has_target, strict=True)
        ]
        frame["indicator_if_target"] = [
            (i is not None) if t else None for i, t in zip(frame["indicator"], has_target, strict=True)
        ]
        frame["override_without_indicator"] = [
            (i is None) if o is not None else None
            for i, o in zip(frame["indicator"], frame["status_override"], strict=True)
        ]
    elif table == "bilateral_indicator_values":
        indicators = references["commitment_indicators"]
        frame["indicator_matches_commitment"] = [
            None if c not in indicators or i is None else indicators[c] == i
            for c, i in zip(frame["commitment_id"], frame["indicator"], strict=True)
        ]
        frame["has_source"] = [
            u is not None or n is not None for u, n in zip(frame["source_url"], frame["note"], strict=True)
        ]
    return frame


def bilateral_rules(table: str, references: dict) -> list[Rule]:
    if table == "bilateral_events":
        return events_rules()
    if table == "bilateral_commitments":
        return commitments_rules(sorted(references["event_dates"]))
    if table == "bilateral_indicator_values":
        return indicator_values_rules(sorted(references["commitment_indicators"]))
    raise KeyError(table)


def validate_bilateral_table(
    table: str, frame: pd.DataFrame, references: dict
) -> tuple[dict, list[LoadIssue]]:
    """Validate one file's frame; return the GX summary and the issues, each against the YAML
    field to fix (the row is the entry's line; the loader turns it into the field's line)."""
    rules = bilateral_rules(table, references)
    _, summary, found = validate_frame(
        f"bilateral__{table}", [rule.spec for rule in rules], _derive(table, frame, references), "all"
    )
    by_check = {(_snake(rule.spec.type), rule.spec.column): rule for rule in rules}
    issues = []
    for issue in found:
        rule = by_check.get((issue.check, issue.column))
        if rule is None:
            issues.append(issue)
            continue
        # A missing value shows none; a True/False check shows the field's (the loader fills it).
        shows_nothing = rule.spec.type == "ExpectColumnValuesToNotBeNull" or rule.spec.kwargs.get(
            "value_set"
        ) == [True]
        value = None if shows_nothing else issue.value
        issues.append(LoadIssue(issue.file, issue.row, rule.field, issue.check, rule.message, value))
    return summary, issues


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


__all__ = ["validate_bilateral_table", "bilateral_rules", "Rule"]
