"""The expectation suite every Comtrade partition must pass before it is published."""

from functools import cache

import pandas as pd

from expectations.runner import ExpectationSpec, validate_frame
from ingest.comtrade_schema import (
    COLUMN_NAMES,
    FLOW_CODES,
    FREQ_CODES,
    NON_NEGATIVE,
    RECORD_KEY,
    REQUIRED_VALUES,
)
from ingest.loads import LoadIssue
from ingest.reference import country_codes

SUITE_NAME = "comtrade_records"
INTEGER_TYPES = ["int8", "int16", "int32", "int64", "Int8", "Int16", "Int32", "Int64"]
FLOAT_TYPES = ["float32", "float64", "Float32", "Float64"]


@cache
def known_country_codes() -> list[int]:
    return sorted(int(code) for code in country_codes()["m49_code"])


def comtrade_suite() -> list[ExpectationSpec]:
    """Expectations for Comtrade records; rows carry `_source_file` and `_source_row`."""
    known = known_country_codes()
    specs = [
        ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        ExpectationSpec(
            "ExpectTableColumnsToMatchSet",
            {"column_set": [*COLUMN_NAMES, "_source_file", "_source_row"], "exact_match": False},
        ),
        ExpectationSpec("ExpectColumnValuesToBeInTypeList",
                        {"column": "reporterCode", "type_list": INTEGER_TYPES}),
        ExpectationSpec("ExpectColumnValuesToBeInTypeList",
                        {"column": "partnerCode", "type_list": INTEGER_TYPES}),
        ExpectationSpec("ExpectColumnValuesToBeInTypeList",
                        {"column": "primaryValue", "type_list": FLOAT_TYPES}),
    ]
    specs += [
        ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": column})
        for column in REQUIRED_VALUES
    ]
    specs += [
        ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": "flowCode", "value_set": FLOW_CODES}),
        ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": "freqCode", "value_set": FREQ_CODES}),
        ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": "typeCode", "value_set": ["C", "S"]}),
        # The period's shape must agree with the frequency: YYYYMM for monthly, YYYY for annual.
        ExpectationSpec("ExpectColumnValuesToMatchRegex", {
            "column": "period", "regex": r"^\d{4}(?:0[1-9]|1[0-2])$",
            "row_condition": 'freqCode == "M"', "condition_parser": "pandas",
        }),
        ExpectationSpec("ExpectColumnValuesToMatchRegex", {
            "column": "period", "regex": r"^\d{4}$",
            "row_condition": 'freqCode == "A"', "condition_parser": "pandas",
        }),
        ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": "reporterCode", "value_set": known}),
        ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": "partnerCode", "value_set": known}),
        ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": "partner2Code", "value_set": known}),
        ExpectationSpec("ExpectCompoundColumnsToBeUnique", {"column_list": RECORD_KEY}),
    ]
    specs += [
        ExpectationSpec("ExpectColumnValuesToBeBetween", {"column": column, "min_value": 0})
        for column in NON_NEGATIVE
    ]
    return specs


def validate_comtrade_records(frame: pd.DataFrame, label: str) -> tuple[bool, dict, list[LoadIssue]]:
    return validate_frame(SUITE_NAME, comtrade_suite(), frame, label)
