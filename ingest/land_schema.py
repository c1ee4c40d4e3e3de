"""Space monitoring of agricultural land and subsoil use (Kazakhstan): export layout, one set of
files per quarter (partition `YYYY-Qn`).

    land_parcels_YYYY-Qn.csv             cadastral parcels registered or changed in the quarter
                                         (a snapshot per parcel; the first quarter holds the registry)
    land_observations_YYYY-Qn.jsonl      seasonal satellite observations dated in the quarter
    land_parcel_events_YYYY-Qn.csv       events of a parcel's history in the quarter (notice,
                                         withdrawal to the state, redistribution, back in use)
    subsoil_sites_YYYY-Qn.jsonl          subsoil-use licences (with their licensed contour) issued
                                         or changed in the quarter
    subsoil_detections_YYYY-Qn.csv       activity detected from space near a licensed site

Geometry is WKT text in EPSG:4326 with lon/lat axis order (x = longitude, y = latitude), in a
`geometry_wkt` column: POLYGON or MULTIPOLYGON for parcels and contours, POINT for detections.
It is carried as VARCHAR (DuckDB's spatial extension is not used); `ingest.geometry` validates it
and derives area, centroid, area disagreement and point-in-contour with shapely. A geometry may
be invalid (self-intersecting) or unparsable: such rows are flagged with a reason, never dropped.
Areas are hectares. Quarter files of the winter quarter may hold no observations.
"""

from __future__ import annotations

from ingest.periods import parse_quarter, quarter_label

# --- partitions and file names ---------------------------------------------------------------------
FEEDS: dict[str, str] = {
    # feed -> file name pattern ({partition} is YYYY-Qn)
    "land_parcels": "land_parcels_{partition}.csv",
    "land_observations": "land_observations_{partition}.jsonl",
    "land_parcel_events": "land_parcel_events_{partition}.csv",
    "subsoil_sites": "subsoil_sites_{partition}.jsonl",
    "subsoil_detections": "subsoil_detections_{partition}.csv",
}
FIRST_PARTITION = "2022-Q1"
LAST_PARTITION = "2025-Q4"


def quarter_of(year: int, month: int) -> str:
    """The partition key of a month: '2024-Q2' for (2024, 5)."""
    return quarter_label(year, (month - 1) // 3 + 1)


def partitions(first: str = FIRST_PARTITION, last: str = LAST_PARTITION) -> list[str]:
    """Quarter keys from first to last inclusive."""
    (y1, q1), (y2, q2) = parse_quarter(first), parse_quarter(last)
    a, b = y1 * 4 + q1 - 1, y2 * 4 + q2 - 1
    return [quarter_label(i // 4, i % 4 + 1) for i in range(a, b + 1)]


def file_name(feed: str, partition: str) -> str:
    """e.g. file_name('land_parcels', '2024-Q2') == 'land_parcels_2024-Q2.csv'."""
    parse_quarter(partition)  # ValueError unless it looks like 2024-Q2
    return FEEDS[feed].format(partition=partition)


# --- land parcels (CSV) ----------------------------------------------------------------------------
# (column, DuckDB type) in file order.
PARCEL_COLUMNS: list[tuple[str, str]] = [
    ("cadastral_number", "VARCHAR"),  # 'RR-DDD-QQQ-PPPP' (region-district-quarter-parcel)
    ("kato_code", "VARCHAR"),  # 9-digit KATO code of the district (level 2 of the classifier)
    ("land_category", "VARCHAR"),  # LAND_CATEGORIES (the agricultural land type)
    ("area_ha", "DOUBLE"),  # stated area in the cadastre, hectares
    ("holder_type", "VARCHAR"),  # HOLDER_TYPES
    ("holder_id", "VARCHAR"),  # the holder's registry id; a person's IIN is kept as its token
    ("tenure_type", "VARCHAR"),  # TENURE_TYPES
    ("lease_start", "DATE"),  # empty for private ownership
    ("lease_end", "DATE"),  # empty for private ownership and permanent use
    ("geometry_wkt", "VARCHAR"),  # POLYGON / MULTIPOLYGON, EPSG:4326 lon/lat
    ("updated_at", "TIMESTAMP"),  # when the cadastre record was last changed
]

# --- seasonal monitoring observations (JSON Lines) -------------------------------------------------
OBSERVATION_COLUMNS: list[tuple[str, str]] = [
    ("observation_id", "VARCHAR"),  # unique; a re-sent observation repeats it
    ("cadastral_number", "VARCHAR"),
    ("season", "VARCHAR"),  # 'YYYY-SEASON', SEASON in SEASONS, e.g. '2024-SUMMER'
    ("observation_date", "DATE"),  # date of the scene
    ("usage_class", "VARCHAR"),  # USAGE_CLASSES
    ("ndvi", "DOUBLE"),  # mean vegetation index over the parcel, -1..1; empty if NO_DATA
    ("used_share", "DOUBLE"),  # share of the parcel seen in use, 0..1; empty if NO_DATA
    ("cloud_share", "DOUBLE"),  # share of the parcel under cloud, 0..1
    ("satellite", "VARCHAR"),  # SATELLITES
]

# --- parcel history events (CSV) -------------------------------------------------------------------
PARCEL_EVENT_COLUMNS: list[tuple[str, str]] = [
    ("event_id", "VARCHAR"),  # unique
    ("cadastral_number", "VARCHAR"),
    ("event_type", "VARCHAR"),  # PARCEL_EVENT_TYPES
    ("event_date", "DATE"),
    ("area_ha", "DOUBLE"),  # hectares concerned (the whole parcel unless partial)
    ("reason", "VARCHAR"),  # WITHDRAWAL_REASONS for WITHDRAWN/NOTICE_ISSUED, else empty
    ("channel", "VARCHAR"),  # REDISTRIBUTION_CHANNELS for REDISTRIBUTED, else empty
    ("new_holder_type", "VARCHAR"),  # HOLDER_TYPES for REDISTRIBUTED, else empty
    ("recorded_at", "TIMESTAMP"),  # when the event was entered (may be after event_date)
]

# --- subsoil-use sites (JSON Lines) ----------------------------------------------------------------
SUBSOIL_SITE_COLUMNS: list[tuple[str, str]] = [
    ("licence_number", "VARCHAR"),  # e.g. '1234-EL' (exploration), '567-ML' (mining)
    ("licence_type", "VARCHAR"),  # LICENCE_TYPES
    ("holder_name", "VARCHAR"),  # licensee (a company, or an individual entrepreneur: redacted)
    ("mineral", "VARCHAR"),  # MINERALS
    ("kato_code", "VARCHAR"),  # 9-digit KATO code of the district
    ("licence_start", "DATE"),
    ("licence_end", "DATE"),
    ("area_ha", "DOUBLE"),  # licensed area as stated
    ("geometry_wkt", "VARCHAR"),  # licensed contour: POLYGON / MULTIPOLYGON, EPSG:4326
    ("updated_at", "TIMESTAMP"),
]

# --- detections of activity (CSV) ------------------------------------------------------------------
SUBSOIL_DETECTION_COLUMNS: list[tuple[str, str]] = [
    ("detection_id", "VARCHAR"),  # unique
    ("licence_number", "VARCHAR"),  # the monitored site the detection was found near
    ("detection_date", "DATE"),  # date of the scene
    ("activity_type", "VARCHAR"),  # ACTIVITY_TYPES
    ("disturbed_area_ha", "DOUBLE"),  # area of disturbed ground seen
    ("confidence", "DOUBLE"),  # classifier confidence, 0..1
    ("satellite", "VARCHAR"),  # SATELLITES
    ("geometry_wkt", "VARCHAR"),  # POINT (lon lat), EPSG:4326
]

COLUMNS: dict[str, list[tuple[str, str]]] = {
    "land_parcels": PARCEL_COLUMNS,
    "land_observations": OBSERVATION_COLUMNS,
    "land_parcel_events": PARCEL_EVENT_COLUMNS,
    "subsoil_sites": SUBSOIL_SITE_COLUMNS,
    "subsoil_detections": SUBSOIL_DETECTION_COLUMNS,
}
REQUIRED_VALUES: dict[str, list[str]] = {
    "land_parcels": [
        "cadastral_number",
        "kato_code",
        "land_category",
        "area_ha",
        "holder_type",
        "tenure_type",
        "geometry_wkt",
    ],
    "land_observations": [
        "observation_id",
        "cadastral_number",
        "season",
        "observation_date",
        "usage_class",
        "satellite",
    ],
    "land_parcel_events": ["event_id", "cadastral_number", "event_type", "event_date"],
    "subsoil_sites": [
        "licence_number",
        "licence_type",
        "mineral",
        "kato_code",
        "licence_start",
        "geometry_wkt",
    ],
    "subsoil_detections": [
        "detection_id",
        "licence_number",
        "detection_date",
        "activity_type",
        "geometry_wkt",
    ],
}

# --- value sets ------------------------------------------------------------------------------------
# Agricultural land types (угодья) of the Land Code: arable, pasture, hayfield, perennial plantings,
# fallow.
LAND_CATEGORIES = ["ARABLE", "PASTURE", "HAYFIELD", "PERENNIAL_PLANTING", "FALLOW"]
HOLDER_TYPES = ["PEASANT_FARM", "AGRI_ENTERPRISE", "COOPERATIVE", "INDIVIDUAL", "STATE_ENTERPRISE"]
TENURE_TYPES = ["LEASE", "PRIVATE_OWNERSHIP", "PERMANENT_USE"]
# Growing seasons and their months (no observations from November to March).
SEASONS: dict[str, tuple[int, ...]] = {"SPRING": (4, 5), "SUMMER": (6, 7, 8), "AUTUMN": (9, 10)}
USAGE_CLASSES = ["USED", "PARTLY_USED", "UNUSED", "NO_DATA"]
# A parcel's history: a notice to a holder not using the land, withdrawal (returned to the state),
# redistribution to a new holder, or the holder starting to use it after a notice.
PARCEL_EVENT_TYPES = ["NOTICE_ISSUED", "WITHDRAWN", "REDISTRIBUTED", "BACK_IN_USE"]
WITHDRAWAL_REASONS = ["UNUSED", "ILLEGALLY_GRANTED", "VOLUNTARY_REFUSAL", "MISUSE"]
REDISTRIBUTION_CHANNELS = ["TENDER", "COMMON_GRAZING"]
LICENCE_TYPES = ["EXPLORATION", "MINING", "COMMON_MINERALS"]
MINERALS = [
    "COAL",
    "COPPER",
    "GOLD",
    "IRON_ORE",
    "MANGANESE",
    "CHROMITE",
    "LEAD_ZINC",
    "URANIUM",
    "TUNGSTEN",
    "SAND_GRAVEL",
    "LIMESTONE",
    "CLAY",
]
ACTIVITY_TYPES = ["EXCAVATION", "DUMP", "HAUL_ROAD", "SETTLING_POND", "STRUCTURE"]
SATELLITES = ["KAZEOSAT_1", "KAZEOSAT_2", "SENTINEL_2A", "SENTINEL_2B", "LANDSAT_8", "LANDSAT_9"]

VALUE_SETS: dict[tuple[str, str], list[str]] = {
    ("land_parcels", "land_category"): LAND_CATEGORIES,
    ("land_parcels", "holder_type"): HOLDER_TYPES,
    ("land_parcels", "tenure_type"): TENURE_TYPES,
    ("land_observations", "usage_class"): USAGE_CLASSES,
    ("land_observations", "satellite"): SATELLITES,
    ("land_parcel_events", "event_type"): PARCEL_EVENT_TYPES,
    ("land_parcel_events", "reason"): WITHDRAWAL_REASONS,
    ("land_parcel_events", "channel"): REDISTRIBUTION_CHANNELS,
    ("land_parcel_events", "new_holder_type"): HOLDER_TYPES,
    ("subsoil_sites", "licence_type"): LICENCE_TYPES,
    ("subsoil_sites", "mineral"): MINERALS,
    ("subsoil_detections", "activity_type"): ACTIVITY_TYPES,
    ("subsoil_detections", "satellite"): SATELLITES,
}
NON_NEGATIVE: dict[str, list[str]] = {
    "land_parcels": ["area_ha"],
    "land_parcel_events": ["area_ha"],
    "subsoil_sites": ["area_ha"],
    "subsoil_detections": ["disturbed_area_ha"],
}
CADASTRAL_NUMBER_PATTERN = r"^[0-9]{2}-[0-9]{3}-[0-9]{3}-[0-9]{4}$"

# Stated area and geometry area may differ by this share before a parcel is flagged (not dropped).
DEFAULT_AREA_TOLERANCE = 0.05
# Published national figures (../shared/reference/kz_land_reference.csv) are compared with the demo
# after multiplying demo hectares and case counts by this factor: the bundled demo set stands for
# about 1/100 of Kazakhstan's agricultural land.
DEMO_SCALE_FACTOR = 100


# What each column of the five tables means, the computed ones included (their dbt docs are
# generated from these: catalog/dbt_sources.py).
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "land_parcels": {
        "cadastral_number": "'RR-DDD-QQQ-PPPP' (region-district-quarter-parcel).",
        "kato_code": "9-digit KATO code of the district (level 2); the first 2 digits are the region.",
        "land_category": "Agricultural land type (LAND_CATEGORIES).",
        "area_ha": "Stated area in the cadastre, hectares.",
        "holder_type": "Holder type (HOLDER_TYPES).",
        "holder_id": "Registry id of the holder; a person's IIN is replaced by its keyed token.",
        "tenure_type": "Tenure (TENURE_TYPES).",
        "lease_start": "Lease start; empty for private ownership.",
        "lease_end": "Lease end; empty for private ownership and permanent use.",
        "geometry_wkt": "POLYGON / MULTIPOLYGON, EPSG:4326 lon/lat.",
        "updated_at": "When the cadastre record was last changed (orders the snapshots).",
        "geometry_is_valid": "False for a self-intersecting, unparsable or misplaced geometry.",
        "geometry_issue": "Why the geometry is not valid.",
        "geometry_area_ha": "Drawn area in an equal-area projection (after make_valid when invalid).",
        "centroid_lon": "Centroid longitude.",
        "centroid_lat": "Centroid latitude.",
        "area_diff_ha": "geometry_area_ha - area_ha.",
        "area_mismatch": "|area_diff_ha| > 5% of area_ha; null when unknown.",
        "_partition_quarter": "Quarter of the file ('2024-Q2').",
    },
    "land_observations": {
        "observation_id": "Observation id; a re-sent observation repeats it.",
        "cadastral_number": "Parcel observed.",
        "season": "'YYYY-SEASON', SEASON in SPRING (Apr-May), SUMMER (Jun-Aug), AUTUMN (Sep-Oct).",
        "observation_date": "Date of the scene.",
        "usage_class": "USED, PARTLY_USED, UNUSED or NO_DATA (under cloud).",
        "ndvi": "Mean vegetation index over the parcel, -1..1; empty if NO_DATA.",
        "used_share": "Share of the parcel seen in use, 0..1; empty if NO_DATA.",
        "cloud_share": "Share of the parcel under cloud, 0..1.",
        "satellite": "Satellite (SATELLITES).",
        "season_year": "Year part of season (derived in the load).",
        "season_name": "Season part of season (derived in the load).",
        "season_matches_date": "The observation date lies in the months of its season, in its year.",
        "_partition_quarter": "Quarter of the file.",
    },
    "land_parcel_events": {
        "event_id": "Event id (unique).",
        "cadastral_number": "Parcel concerned.",
        "event_type": "NOTICE_ISSUED, WITHDRAWN, REDISTRIBUTED or BACK_IN_USE.",
        "event_date": "Date of the event.",
        "area_ha": "Hectares concerned (the whole parcel unless partial).",
        "reason": "Withdrawal reason for WITHDRAWN / NOTICE_ISSUED, else empty.",
        "channel": "TENDER or COMMON_GRAZING for REDISTRIBUTED, else empty.",
        "new_holder_type": "Holder type of the new holder for REDISTRIBUTED, else empty.",
        "recorded_at": "When the event was entered (may be after event_date).",
        "_partition_quarter": "Quarter of the file (the quarter the event was recorded in).",
    },
    "subsoil_sites": {
        "licence_number": "Licence number, e.g. '1234-EL' (exploration), '567-ML' (mining), '89-CML'.",
        "licence_type": "EXPLORATION, MINING or COMMON_MINERALS.",
        "holder_name": "Licensee: a company, or an individual entrepreneur (an IIN in it is redacted).",
        "mineral": "Mineral (MINERALS).",
        "kato_code": "9-digit KATO code of the district.",
        "licence_start": "Licence start date.",
        "licence_end": "Licence end date.",
        "area_ha": "Licensed area as stated, hectares.",
        "geometry_wkt": "Licensed contour: POLYGON / MULTIPOLYGON, EPSG:4326 lon/lat.",
        "updated_at": "When the licence record was last changed.",
        "geometry_is_valid": "False for a self-intersecting, unparsable or misplaced contour.",
        "geometry_issue": "Why the contour is not valid.",
        "geometry_area_ha": "Drawn area in an equal-area projection.",
        "centroid_lon": "Centroid longitude.",
        "centroid_lat": "Centroid latitude.",
        "area_diff_ha": "geometry_area_ha - area_ha.",
        "area_mismatch": "|area_diff_ha| > 5% of area_ha; null when unknown.",
        "_partition_quarter": "Quarter of the file.",
    },
    "subsoil_detections": {
        "detection_id": "Detection id (unique).",
        "licence_number": "The monitored site the detection was found near.",
        "detection_date": "Date of the scene.",
        "activity_type": "EXCAVATION, DUMP, HAUL_ROAD, SETTLING_POND or STRUCTURE.",
        "disturbed_area_ha": "Area of disturbed ground seen, hectares.",
        "confidence": "Classifier confidence, 0..1.",
        "satellite": "Satellite (SATELLITES).",
        "geometry_wkt": "POINT (lon lat), EPSG:4326.",
        "licence_known": "A published subsoil site has this licence number.",
        "point_lon": "Longitude of the point.",
        "point_lat": "Latitude of the point.",
        "inside_contour": "Covered by the licensed contour (on its edge counts inside).",
        "on_contour_edge": "On the contour's edge.",
        "distance_outside_m": "Geodesic metres to the contour; 0 inside.",
        "contour_issue": "Why containment could not be decided, or that the contour was repaired.",
        "_partition_quarter": "Quarter of the file.",
    },
}
