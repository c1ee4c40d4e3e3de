"""Expectation suites for the land and subsoil monitoring feeds (ingest/land.py).

Geometry flags computed in the load (validity, stated-vs-drawn area) are expected to be rare, not
absent: a cadastre always holds some badly drawn parcels, and they are kept and flagged. A quarter
is blocked when more than MAX_INVALID_GEOMETRY_SHARE of its polygons are invalid (per quarter,
whatever else the validated batch holds) (a broken export,
swapped coordinates), or when any detection's point is unusable or names an unknown licence."""

from expectations.kato import known_kato
from expectations.runner import ExpectationSpec, compound_unique, unexpected_rows, validate_query
from ingest.land import published_column_names
from ingest.land_schema import (
    CADASTRAL_NUMBER_PATTERN,
    VALUE_SETS,
)

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


def _in_set(feed: str, column: str) -> ExpectationSpec:
    return ExpectationSpec(
        "ExpectColumnValuesToBeInSet", {"column": column, "value_set": VALUE_SETS[(feed, column)]}
    )


def _not_null(*columns: str) -> list[ExpectationSpec]:
    return [ExpectationSpec("ExpectColumnValuesToNotBeNull", {"column": c}) for c in columns]


def _between(column: str, low, high, strict_min: bool = False) -> ExpectationSpec:
    return ExpectationSpec(
        "ExpectColumnValuesToBeBetween",
        {"column": column, "min_value": low, "max_value": high, "strict_min": strict_min},
    )


def _common(name: str) -> list[ExpectationSpec]:
    return [
        ExpectationSpec("ExpectTableRowCountToBeBetween", {"min_value": 1}),
        ExpectationSpec(
            "ExpectTableColumnsToMatchSet",
            {"column_set": published_column_names(name) + INDEX, "exact_match": False},
        ),
    ]


def _unique_in_file(*columns: str) -> ExpectationSpec:
    return compound_unique([*columns, "_partition_quarter"])


def _flagged(where: str, column: str, message: str, check: str) -> ExpectationSpec:
    """Rows matching `where` (SQL over the validated rows) fail; reported against `column`, whose
    value is shown."""
    return unexpected_rows(
        f'select _source_file, _source_row, "{column}" from {{batch}} where {where}',
        column=column,
        message=message,
        check=check,
    )


def _valid_geometry() -> ExpectationSpec:
    """An invalid polygon is acceptable (kept, flagged) unless its quarter (a batch may hold
    several) has more than MAX_INVALID_GEOMETRY_SHARE of them and at least
    MIN_INVALID_GEOMETRIES_TO_BLOCK. Shown: why the polygon is invalid."""
    return unexpected_rows(
        f"""select _source_file, _source_row, geometry_issue from (
            select *, sum(_invalid) over quarter as _invalid_count,
                avg(_invalid) over quarter as _invalid_share
            from (select *, case when geometry_is_valid then 0 else 1 end as _invalid from {{batch}})
            window quarter as (partition by _partition_quarter)
        )
        where _invalid = 1 and _invalid_share > {MAX_INVALID_GEOMETRY_SHARE}
            and _invalid_count >= {MIN_INVALID_GEOMETRIES_TO_BLOCK}""",
        column="geometry_wkt",
        check="acceptable_geometry",
        message=f"invalid geometry, in a quarter with more than {MAX_INVALID_GEOMETRY_SHARE:.0%} "
        "invalid polygons",
    )


def land_parcels_suite() -> list[ExpectationSpec]:
    feed = "land_parcels"
    return [
        *_common(feed),
        *_not_null(
            "cadastral_number",
            "kato_code",
            "land_category",
            "area_ha",
            "holder_type",
            "tenure_type",
            "geometry_wkt",
            "updated_at",
        ),
        ExpectationSpec(
            "ExpectColumnValuesToMatchRegex",
            {"column": "cadastral_number", "regex": CADASTRAL_NUMBER_PATTERN},
        ),
        known_kato("kato_code"),
        _in_set(feed, "land_category"),
        _in_set(feed, "holder_type"),
        _in_set(feed, "tenure_type"),
        _between("area_ha", *PARCEL_AREA_HA, strict_min=True),
        _valid_geometry(),
        ExpectationSpec(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "lease_end",
                "column_B": "lease_start",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
        ),
        _unique_in_file("cadastral_number"),
    ]


def land_observations_suite() -> list[ExpectationSpec]:
    feed = "land_observations"
    return [
        *_common(feed),
        *_not_null(
            "observation_id", "cadastral_number", "season", "observation_date", "usage_class", "satellite"
        ),
        ExpectationSpec(
            "ExpectColumnValuesToMatchRegex",
            {"column": "cadastral_number", "regex": CADASTRAL_NUMBER_PATTERN},
        ),
        _in_set(feed, "usage_class"),
        _in_set(feed, "satellite"),
        # The season names the date's year and one of its months (SPRING Apr-May, SUMMER Jun-Aug,
        # AUTUMN Sep-Oct).
        _flagged(
            "not season_matches_date",
            "observation_date",
            "the date is not in the named season",
            "season_matches_date",
        ),
        _between("used_share", 0, 1),
        _between("cloud_share", 0, 1),
        _between("ndvi", -1, 1),
        # A classified scene carries its measures; only NO_DATA (cloud) may lack them.
        _flagged(
            "usage_class is distinct from 'NO_DATA' and used_share is null",
            "used_share",
            "a classified scene has no used_share",
            "used_share_if_classified",
        ),
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
        ExpectationSpec(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "recorded_at", "column_B": "event_date", "or_equal": True},
        ),
        _unique_in_file("event_id"),
    ]


def subsoil_sites_suite() -> list[ExpectationSpec]:
    feed = "subsoil_sites"
    return [
        *_common(feed),
        *_not_null(
            "licence_number",
            "licence_type",
            "mineral",
            "kato_code",
            "licence_start",
            "geometry_wkt",
            "updated_at",
        ),
        known_kato("kato_code"),
        _in_set(feed, "licence_type"),
        _in_set(feed, "mineral"),
        _between("area_ha", *LICENCE_AREA_HA, strict_min=True),
        _valid_geometry(),
        ExpectationSpec(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "licence_end",
                "column_B": "licence_start",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
        ),
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
        _flagged(
            "not licence_known",
            "licence_number",
            "no published subsoil site has this licence number",
            "licence_known",
        ),
        # A detection whose point cannot be read cannot be placed: the whole row is wrong.
        _flagged("point_lon is null", "geometry_wkt", "not a readable POINT", "readable_point"),
        _unique_in_file("detection_id"),
    ]


def _validate(name: str, specs: list[ExpectationSpec], batch, label: str):
    """Run a suite inside DuckDB on a batch of staged rows (ingest.feeds.ValidationBatch)."""
    return validate_query(name, specs, batch.con, batch.sql, label)


def validate_land_parcels(batch, label: str):
    return _validate("land_parcels", land_parcels_suite(), batch, label)


def validate_land_observations(batch, label: str):
    return _validate("land_observations", land_observations_suite(), batch, label)


def validate_land_parcel_events(batch, label: str):
    return _validate("land_parcel_events", land_parcel_events_suite(), batch, label)


def validate_subsoil_sites(batch, label: str):
    return _validate("subsoil_sites", subsoil_sites_suite(), batch, label)


def validate_subsoil_detections(batch, label: str):
    return _validate("subsoil_detections", subsoil_detections_suite(), batch, label)
