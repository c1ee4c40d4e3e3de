"""The expectation suite for the published land-monitoring figures (data/reference/kz_land_reference.csv)."""

import pandas as pd

from expectations.runner import ExpectationSpec, validate_frame


def land_reference_suite() -> list[ExpectationSpec]:
    return [
        ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        *[
            ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": column})
            for column in [
                "period",
                "scope",
                "measure",
                "value",
                "unit",
                "source_url",
                "first_year",
                "last_year",
            ]
        ],
        # A unit the loader can convert to hectares or counts.
        ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": "value_base"}),
        ExpectationSpec(
            "ExpectColumnValuesToBeBetween", {"column": "value", "min_value": 0, "strict_min": True}
        ),
        ExpectationSpec("ExpectColumnValuesToMatchRegex", {"column": "source_url", "regex": r"^https?://"}),
        ExpectationSpec(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "last_year", "column_B": "first_year", "or_equal": True},
        ),
        ExpectationSpec(
            "ExpectCompoundColumnsToBeUnique", {"column_list": ["period", "scope", "measure", "source_url"]}
        ),
    ]


def validate_land_reference(frame: pd.DataFrame, label: str = "all"):
    return validate_frame("kz_land_reference", land_reference_suite(), frame, label)
