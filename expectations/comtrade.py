"""The expectation suite every Comtrade partition must pass before it is published."""

from functools import cache

from expectations.runner import ExpectationSpec, compound_unique, in_long_list, validate_query
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
        # No type expectations: the validated rows are those of `feed_typed`, whose every column is
        # cast to its declared type (ingest.comtrade_schema) and a value that does not parse is
        # reported by the load itself (not_integer, not_double...).
    ]
    specs += [
        ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": column}) for column in REQUIRED_VALUES
    ]
    specs += [
        ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": "flowCode", "value_set": FLOW_CODES}),
        ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": "freqCode", "value_set": FREQ_CODES}),
        ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": "typeCode", "value_set": ["C", "S"]}),
        # The period's shape must agree with the frequency: YYYYMM for monthly, YYYY for annual.
        ExpectationSpec(
            "ExpectColumnValuesToMatchRegex",
            {
                "column": "period",
                "regex": r"^\d{4}(?:0[1-9]|1[0-2])$",
                "row_condition": 'col("freqCode") == "M"',
                "condition_parser": "great_expectations",
            },
        ),
        ExpectationSpec(
            "ExpectColumnValuesToMatchRegex",
            {
                "column": "period",
                "regex": r"^\d{4}$",
                "row_condition": 'col("freqCode") == "A"',
                "condition_parser": "great_expectations",
            },
        ),
        # The 261 M49 codes as a list in SQL (GX's own set form is ~10x slower on a list this long).
        in_long_list("reporterCode", known),
        in_long_list("partnerCode", known),
        in_long_list("partner2Code", known),
        compound_unique(RECORD_KEY),
    ]
    specs += [
        ExpectationSpec("ExpectColumnValuesToBeBetween", {"column": column, "min_value": 0})
        for column in NON_NEGATIVE
    ]
    return specs


def validate_comtrade_records(batch, label: str) -> tuple[bool, dict, list[LoadIssue]]:
    """Run the suite inside DuckDB on a batch of staged rows (ingest.feeds.ValidationBatch)."""
    return validate_query(SUITE_NAME, comtrade_suite(), batch.con, batch.sql, label)
