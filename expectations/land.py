"""Expectation suites for the land and subsoil monitoring feeds (ingest/land.py).

Geometry flags computed in the load (validity, stated-vs-drawn area) are expected to be rare, not
absent: a cadastre always holds some badly drawn parcels, and they are kept and flagged. A quarter
is blocked when more than MAX_INVALID_GEOMETRY_SHARE of its polygons are invalid (per quarter,
whatever else the validated batch holds) (a broken export,
swapped coordinates), or when any detection's point is unusable or names an unknown licence."""

from dataclasses import replace
from functools import cache

import pandas as pd

from expectations.runner import ExpectationSpec, validate_frame
from ingest.land import FEEDS_BY_NAME
from ingest.land_schema import (
    CADASTRAL_NUMBER_PATTERN,
    VALUE_SETS,
)
from ingest.reference import known_kato_codes

INDEX = ["_source_file", "_source_row"]
MAX_INVALID_GEOMETRY_SHARE = 0.05
# ...and at least this many: one or two badly drawn polygons in a small quarter's file (a handful of
# new licences) are the ordinary rate, not a broken export.
MIN_INVALID_GEOMETRIES_TO_BLOCK = 3
# Plausible bounds. The largest agricultural holdings in Kazakhstan run to a few hundred thousand
# hectares in several parcels; a single parcel beyond 100,000 ha is a unit error (m2 for ha).
PARCEL_AREA_HA = (0.01, 100_000)
LICENCE_AREA_HA = (0.01, 500_000)
DETECTION_AREA_HA = (0, 1_000)


@cache
def _kato_codes() -> frozenset[str]:
    return frozenset(known_kato_codes())


def _in_set(feed: str, column: str) -> ExpectationSpec:
    return ExpectationSpec("ExpectColumnValuesToBeInSet",
                           {"column": column, "value_set": VALUE_SETS[(feed, column)]})


def _not_null(*columns: str) -> list[ExpectationSpec]:
    return [ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": c}) for c in columns]


def _between(column: str, low, high, strict_min: bool = False) -> ExpectationSpec:
    return ExpectationSpec("ExpectColumnValuesToBeBetween",
                           {"column": column, "min_value": low, "max_value": high,
                            "strict_min": strict_min})


def _common(name: str) -> list[ExpectationSpec]:
    feed = FEEDS_BY_NAME[name]
    return [
        ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        ExpectationSpec("ExpectTableColumnsToMatchSet", {
            "column_set": [n for n, _ in feed.published_columns if not n.startswith("_")] + INDEX,
            "exact_match": False}),
    ]


def _unique_in_file(*columns: str) -> ExpectationSpec:
    return ExpectationSpec("ExpectCompoundColumnsToBeUnique",
                           {"column_list": [*columns, "_partition_quarter"]})


def _valid_geometry() -> ExpectationSpec:
    # Computed per quarter by the validator (a batch may hold several quarters): an invalid
    # polygon is acceptable (kept, flagged) unless its quarter has too many of them.
    return ExpectationSpec("ExpectColumnValuesToBeInSet",
                           {"column": "geometry_acceptable", "value_set": [True]})


def _with_geometry_share(frame: pd.DataFrame) -> pd.DataFrame:
    """geometry_acceptable: valid, or invalid in a quarter whose invalid polygons are at most
    MAX_INVALID_GEOMETRY_SHARE of it or fewer than MIN_INVALID_GEOMETRIES_TO_BLOCK."""
    valid = frame["geometry_is_valid"].fillna(False).astype(bool)
    by_quarter = (~valid).groupby(frame["_partition_quarter"])
    share, count = by_quarter.transform("mean"), by_quarter.transform("sum")
    tolerated = (share <= MAX_INVALID_GEOMETRY_SHARE) | (count < MIN_INVALID_GEOMETRIES_TO_BLOCK)
    return frame.assign(geometry_acceptable=valid | tolerated)


def land_parcels_suite() -> list[ExpectationSpec]:
    feed = "land_parcels"
    return [
        *_common(feed),
        *_not_null("cadastral_number", "kato_code", "land_category", "area_ha", "holder_type",
                   "tenure_type", "geometry_wkt", "updated_at"),
        ExpectationSpec("ExpectColumnValuesToMatchRegex",
                        {"column": "cadastral_number", "regex": CADASTRAL_NUMBER_PATTERN}),
        # KATO codes that exist (a vectorised lookup whose result is checked; see eotinish.py).
        ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": "kato_code_in_kato", "value_set": [True]}),
        _in_set(feed, "land_category"),
        _in_set(feed, "holder_type"),
        _in_set(feed, "tenure_type"),
        _between("area_ha", *PARCEL_AREA_HA, strict_min=True),
        _valid_geometry(),
        ExpectationSpec("ExpectColumnPairValuesAToBeGreaterThanB",
                        {"column_A": "lease_end", "column_B": "lease_start", "or_equal": True,
                         "ignore_row_if": "either_value_is_missing"}),
        _unique_in_file("cadastral_number"),
    ]


def land_observations_suite() -> list[ExpectationSpec]:
    feed = "land_observations"
    return [
        *_common(feed),
        *_not_null("observation_id", "cadastral_number", "season", "observation_date", "usage_class",
                   "satellite"),
        ExpectationSpec("ExpectColumnValuesToMatchRegex",
                        {"column": "cadastral_number", "regex": CADASTRAL_NUMBER_PATTERN}),
        _in_set(feed, "usage_class"),
        _in_set(feed, "satellite"),
        # The season names the date's year and one of its months (SPRING Apr-May, SUMMER Jun-Aug,
        # AUTUMN Sep-Oct).
        ExpectationSpec("ExpectColumnValuesToBeInSet",
                        {"column": "season_matches_date", "value_set": [True]}),
        _between("used_share", 0, 1),
        _between("cloud_share", 0, 1),
        _between("ndvi", -1, 1),
        # A classified scene carries its measures; only NO_DATA (cloud) may lack them.
        ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": "used_share_if_classified"}),
        _unique_in_file("observation_id"),
        # One observation per parcel and season (across files: dbt's test on fct_land_observations).
        _unique_in_file("cadastral_number", "season"),
    ]


def land_parcel_events_suite() -> list[ExpectationSpec]:
    feed = "land_parcel_events"
    return [
        *_common(feed),
        *_not_null("event_id", "cadastral_number", "event_type", "event_date", "recorded_at"),
        _in_set(feed, "event_type"),
        _in_set(feed, "reason"),
        _in_set(feed, "channel"),
        _in_set(feed, "new_holder_type"),
        _between("area_ha", *PARCEL_AREA_HA, strict_min=True),
        # Entered on or after the day it happened.
        ExpectationSpec("ExpectColumnPairValuesAToBeGreaterThanB",
                        {"column_A": "recorded_at", "column_B": "event_date", "or_equal": True}),
        _unique_in_file("event_id"),
    ]


def subsoil_sites_suite() -> list[ExpectationSpec]:
    feed = "subsoil_sites"
    return [
        *_common(feed),
        *_not_null("licence_number", "licence_type", "mineral", "kato_code", "licence_start",
                   "geometry_wkt", "updated_at"),
        ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": "kato_code_in_kato", "value_set": [True]}),
        _in_set(feed, "licence_type"),
        _in_set(feed, "mineral"),
        _between("area_ha", *LICENCE_AREA_HA, strict_min=True),
        _valid_geometry(),
        ExpectationSpec("ExpectColumnPairValuesAToBeGreaterThanB",
                        {"column_A": "licence_end", "column_B": "licence_start", "or_equal": True,
                         "ignore_row_if": "either_value_is_missing"}),
        _unique_in_file("licence_number"),
    ]


def subsoil_detections_suite() -> list[ExpectationSpec]:
    feed = "subsoil_detections"
    return [
        *_common(feed),
        *_not_null("detection_id", "licence_number", "detection_date", "activity_type", "geometry_wkt"),
        _in_set(feed, "activity_type"),
        _in_set(feed, "satellite"),
        _between("confidence", 0, 1),
        _between("disturbed_area_ha", *DETECTION_AREA_HA),
        ExpectationSpec("ExpectColumnValuesToBeInSet", {"column": "licence_known", "value_set": [True]}),
        # A detection whose point cannot be read cannot be placed: the whole row is wrong.
        ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": "point_lon"}),
        _unique_in_file("detection_id"),
    ]


# Helper columns the validators add, and the source column a failure on them is reported against.
HELPER_COLUMNS = {
    "kato_code_in_kato": ("kato_code", "KATO code does not exist"),
    "used_share_if_classified": ("used_share", "a classified scene has no used_share"),
    "season_matches_date": ("observation_date", "the date is not in the named season"),
    "licence_known": ("licence_number", "no published subsoil site has this licence number"),
    "point_lon": ("geometry_wkt", "not a readable POINT"),
    "geometry_acceptable": ("geometry_wkt", "invalid geometry, in a quarter with more than "
                            f"{MAX_INVALID_GEOMETRY_SHARE:.0%} invalid polygons"),
}


def _validate(name: str, specs: list[ExpectationSpec], frame: pd.DataFrame, label: str):
    passed, summary, issues = validate_frame(name, specs, frame, label)
    if passed:
        return passed, summary, issues
    source = {column for column, _ in HELPER_COLUMNS.values()} & set(frame.columns)
    by_row = frame.set_index(INDEX)[sorted(source)] if source else None

    def renamed(issue):
        if issue.column not in HELPER_COLUMNS:
            return issue
        column, message = HELPER_COLUMNS[issue.column]
        value = None
        if by_row is not None and column in by_row and (issue.file, issue.row) in by_row.index:
            value = by_row.at[(issue.file, issue.row), column]
        if issue.column == "geometry_acceptable" and "geometry_issue" in frame:
            reasons = frame.set_index(INDEX)["geometry_issue"]
            value = reasons.get((issue.file, issue.row), value)
        return replace(issue, column=column, message=message,
                       value=None if value is None else str(value)[:200])

    return passed, summary, [renamed(i) for i in issues]


def validate_land_parcels(frame: pd.DataFrame, label: str):
    frame = _with_geometry_share(frame).assign(kato_code_in_kato=frame["kato_code"].isin(_kato_codes()))
    return _validate("land_parcels", land_parcels_suite(), frame, label)


def validate_land_observations(frame: pd.DataFrame, label: str):
    classified = frame["usage_class"] != "NO_DATA"
    frame = frame.assign(
        used_share_if_classified=frame["used_share"].where(classified, 0.0),
    )
    return _validate("land_observations", land_observations_suite(), frame, label)


def validate_land_parcel_events(frame: pd.DataFrame, label: str):
    return _validate("land_parcel_events", land_parcel_events_suite(), frame, label)


def validate_subsoil_sites(frame: pd.DataFrame, label: str):
    frame = _with_geometry_share(frame).assign(kato_code_in_kato=frame["kato_code"].isin(_kato_codes()))
    return _validate("subsoil_sites", subsoil_sites_suite(), frame, label)


def validate_subsoil_detections(frame: pd.DataFrame, label: str):
    return _validate("subsoil_detections", subsoil_detections_suite(), frame, label)
