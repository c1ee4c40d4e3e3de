"""The expectation suite for the published official trade aggregates."""

import pandas as pd

from expectations.runner import ExpectationSpec, validate_frame
from ingest.loads import LoadIssue
from ingest.reference import REFERENCE_COLUMNS, REFERENCE_MEASURES

SUITE_NAME = "trade_reference"


def trade_reference_suite() -> list[ExpectationSpec]:
    return [
        ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        ExpectationSpec(
            "ExpectTableColumnsToMatchSet",
            {"column_set": [*REFERENCE_COLUMNS, "period_start", "period_end"], "exact_match": False},
        ),
        *[
            ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": column})
            for column in [
                "period",
                "period_type",
                "reporting_side",
                "measure",
                "value_musd",
                "source_url",
                "period_start",
                "period_end",
            ]
        ],
        ExpectationSpec(
            "ExpectColumnValuesToBeInSet", {"column": "period_type", "value_set": ["year", "ytd", "month"]}
        ),
        ExpectationSpec(
            "ExpectColumnValuesToBeInSet", {"column": "reporting_side", "value_set": ["KZ", "TJ"]}
        ),
        ExpectationSpec(
            "ExpectColumnValuesToBeInSet", {"column": "measure", "value_set": REFERENCE_MEASURES}
        ),
        ExpectationSpec(
            "ExpectColumnValuesToBeInSet", {"column": "confidence", "value_set": ["high", "medium", "low"]}
        ),
        ExpectationSpec("ExpectColumnValuesToBeBetween", {"column": "value_musd", "min_value": 0}),
        ExpectationSpec(
            "ExpectColumnValuesToMatchRegex",
            {"column": "period", "regex": r"^\d{4}(?:-\d{2})?(?:\.\.\d{4}-\d{2})?$"},
        ),
        ExpectationSpec("ExpectColumnValuesToMatchRegex", {"column": "source_url", "regex": r"^https?://"}),
        ExpectationSpec(
            "ExpectColumnPairValuesAToBeGreaterThanB", {"column_A": "period_end", "column_B": "period_start"}
        ),
        ExpectationSpec(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["period", "reporting_side", "measure", "source_url"]},
        ),
    ]


def validate_trade_reference(frame: pd.DataFrame, partition_key: str = "all"):
    passed, summary, issues = validate_frame(SUITE_NAME, trade_reference_suite(), frame, partition_key)
    return passed, summary, issues


__all__ = ["validate_trade_reference", "LoadIssue"]
