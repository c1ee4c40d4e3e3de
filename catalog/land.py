"""Space monitoring of agricultural land and subsoil use: five feeds with quarterly partitions,
one file per feed and quarter (ingest/land_schema.py). Geometry is checked in the load itself
with shapely (ingest/land.py): bad geometries are flagged on the row, never dropped."""

from pathlib import Path

from expectations import land as suites
from ingest import feeds, land
from ingest.land_schema import (
    ACTIVITY_TYPES,
    COLUMNS,
    DESCRIPTIONS,
    HOLDER_TYPES,
    LAND_CATEGORIES,
    LICENCE_TYPES,
    MINERALS,
    NON_NEGATIVE,
    PARCEL_EVENT_TYPES,
    REDISTRIBUTION_CHANNELS,
    SATELLITES,
    SEASONS,
    TENURE_TYPES,
    USAGE_CLASSES,
    WITHDRAWAL_REASONS,
)
from ingest.loads import LoadReport


def _feed(name: str, **declared) -> feeds.Feed:
    return feeds.Feed(
        name=name,
        source_columns=COLUMNS[name],
        landing_subdir=land.LANDING_SUBDIR,
        file_patterns=(f"{name}_*.csv", f"{name}_*.jsonl"),  # files are <feed>_<YYYY-Qn>.<ext>
        partition_sql=land.quarter_sql,
        partition_column=COLUMNS[name][0][0],
        partition_message="the file name carries no quarter (expected NAME_YYYY-Qn.csv)",
        partition_sql_typed="_partition_quarter",  # a file replaces its whole quarter
        validator=getattr(suites, f"validate_{name}"),
        non_negative=tuple(NON_NEGATIVE.get(name, ())),
        derived_columns=(
            ("_partition_quarter", "VARCHAR", "_partition_key"),
            *land.DERIVED_COLUMNS.get(name, ()),
        ),
        enriched_columns=land.ENRICHED_COLUMNS.get(name, ()),
        file_partition=land.file_quarter,
        partitioning="quarterly",
        partition_of_key=land.quarter_of_partition,
        key_of_partition=land.partition_of_quarter,
        group="land",
        summary=land.summarise(name),
        column_descriptions=DESCRIPTIONS[name],
        **declared,
    )


LAND_PARCELS = _feed(
    "land_parcels",
    # A parcel held by a person is registered under the holder's IIN (holder_id), and a file may
    # put one anywhere: every value is redacted (an IIN becomes its keyed token, as in the
    # eOtinish exports), the polygon's too. A polygon that parses as WKT keeps its coordinates'
    # decimals (often 12, which would read as an IIN about one time in 300: ingest.privacy); a
    # value that does not parse (an IIN where the polygon should be) is redacted as any other,
    # and so is the parser's message that quotes it (ingest.geometry). An area written with
    # exactly 12 decimals can be read as an IIN, as rarely: its row is then set aside with a
    # clear error, not lost.
    redacted=frozenset(name for name, _ in COLUMNS["land_parcels"]),
    enrich=land.check_polygons,
    deps=(("ref", "kato_units"),),
    description="Cadastral parcels of agricultural land: one snapshot per parcel per quarter file it appears "
    "in (the first quarter holds the registry; a later file repeats a parcel when it changed, "
    "e.g. redistributed to a new holder). The current parcel is its snapshot with the latest "
    "updated_at (ties: latest _partition_quarter).",
    check_description="Great Expectations suite `land_parcels`: KATO district codes that exist, "
    "known land categories, holder and tenure types, areas positive and below 100,000 ha, lease "
    "end after start, one row per parcel per file, and at most 5% invalid polygons (invalid ones "
    "are kept and flagged).",
    required=(
        "cadastral_number",
        "kato_code",
        "land_category",
        "area_ha",
        "holder_type",
        "tenure_type",
        "geometry_wkt",
    ),
    accepted_values={
        "land_category": LAND_CATEGORIES,
        "holder_type": HOLDER_TYPES,
        "tenure_type": TENURE_TYPES,
    },
)
LAND_OBSERVATIONS = _feed(
    "land_observations",
    deps=(("raw", "land_parcels"),),
    description="Seasonal satellite observations of a parcel (one scene per parcel and growing season is the "
    "rule), in the file of the quarter they are dated in. A re-sent observation repeats its "
    "observation_id; two different ids for the same parcel and season can occur.",
    check_description="Great Expectations suite `land_observations`: known usage classes and "
    "satellites, the date inside its season, shares and NDVI in range, measures present unless "
    "NO_DATA, one observation per parcel and season per file.",
    required=("observation_id", "cadastral_number", "season", "observation_date", "usage_class"),
    accepted_values={"usage_class": USAGE_CLASSES, "satellite": SATELLITES, "season_name": list(SEASONS)},
)
LAND_PARCEL_EVENTS = _feed(
    "land_parcel_events",
    deps=(("raw", "land_parcels"),),
    description="Events of a parcel's history, in the file of the quarter they were recorded in: a notice to "
    "a holder not using the land, withdrawal (returned to the state), redistribution to a new "
    "holder, or the holder starting to use it after a notice.",
    check_description="Great Expectations suite `land_parcel_events`: known event types, reasons, "
    "channels and new holders, areas positive, recorded on or after the event, unique event ids "
    "per file.",
    required=("event_id", "cadastral_number", "event_type", "event_date"),
    accepted_values={
        "event_type": PARCEL_EVENT_TYPES,
        "reason": WITHDRAWAL_REASONS,
        "channel": REDISTRIBUTION_CHANNELS,
        "new_holder_type": HOLDER_TYPES,
    },
)
SUBSOIL_SITES = _feed(
    "subsoil_sites",
    # A licence may be held by an individual entrepreneur, whose business number is their IIN and
    # whose name is the licensee's: every value is redacted as the parcels' are (the contour too,
    # keeping its coordinates' decimals), so an IIN in any field becomes its keyed token. (A
    # licence number holding an IIN would then not match the detections', which are not redacted,
    # as a cadastral number would not the observations': the detection's quarter is rejected, the
    # number in clear in its quarantine. Real licence and cadastral numbers hold no 12-digit run.)
    redacted=frozenset(name for name, _ in COLUMNS["subsoil_sites"]),
    enrich=land.check_polygons,
    deps=(("ref", "kato_units"),),
    description="Subsoil-use licences with their licensed contour: one snapshot per licence per quarter file "
    "it was issued or changed in. The current licence is its snapshot with the latest updated_at "
    "(ties: latest _partition_quarter).",
    check_description="Great Expectations suite `subsoil_sites`: KATO codes that exist, known "
    "licence types and minerals, licensed area positive, end after start, at most 5% invalid "
    "contours.",
    required=("licence_number", "licence_type", "mineral", "kato_code", "licence_start", "geometry_wkt"),
    accepted_values={"licence_type": LICENCE_TYPES, "mineral": MINERALS},
)


def _before_detections(con, quarters: list[str]) -> None:
    # Detections are placed against the published sites (none yet on a first load), and those
    # placed before their site changed are placed again.
    feeds.ensure_tables(con, SUBSOIL_SITES)
    land.replace_detections_placed_before_their_sites_changed(con, quarters)


SUBSOIL_DETECTIONS = _feed(
    "subsoil_detections",
    enrich=land.check_detections,
    before_load=_before_detections,
    deps=(("raw", "subsoil_sites"),),
    description="Activity detected from space near a licensed subsoil site, in the file of the quarter "
    "of the scene. Each detection was tested in the load against its licence's contour in force on the "
    "detection date (the earliest snapshot when it predates them all); a point on the contour's "
    "edge counts as inside.",
    check_description="Great Expectations suite `subsoil_detections`: known activity types and "
    "satellites, confidence 0..1, a readable point, a licence number that a published site has, "
    "unique detection ids per file.",
    required=("detection_id", "licence_number", "detection_date", "activity_type", "geometry_wkt"),
    accepted_values={"activity_type": ACTIVITY_TYPES},
)
# In load order: detections are tested against the contours of published sites.
LAND_FEEDS = (LAND_PARCELS, LAND_OBSERVATIONS, LAND_PARCEL_EVENTS, SUBSOIL_SITES, SUBSOIL_DETECTIONS)
FEEDS_BY_NAME = {feed.name: feed for feed in LAND_FEEDS}


def load_land_feed(con, name: str, landing_dir: Path, quarters: list[str], **kwargs) -> LoadReport:
    """Load the given quarters ('2024-Q2') of one land or subsoil feed (see ingest.feeds). A file
    of the feed whose name carries no quarter (land_parcels_2024.csv) is reported as rejected,
    like an unreadable file."""
    return feeds.load_feed(con, FEEDS_BY_NAME[name], landing_dir, quarters, **kwargs)


def landing_quarters(landing_dir: Path) -> set[str]:
    """Quarters that have any land or subsoil file in the landing folder."""
    return {
        q for feed in LAND_FEEDS for path in feed.landing_files(landing_dir) if (q := land.file_quarter(path))
    }
