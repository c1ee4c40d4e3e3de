"""Space monitoring of agricultural land and subsoil use: five feeds with quarterly partitions,
one file per feed and quarter (ingest/land_schema.py). Geometry is checked in the load itself
with shapely (ingest/land.py): bad geometries are flagged on the row, never dropped."""

from pathlib import Path

from expectations import land as suites
from ingest import feeds, land
from ingest.land_schema import COLUMNS, NON_NEGATIVE
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
        derived_columns=(("_partition_quarter", "VARCHAR", "_partition_key"),
                         *land.DERIVED_COLUMNS.get(name, ())),
        enriched_columns=land.ENRICHED_COLUMNS.get(name, ()),
        file_partition=land.file_quarter,
        partitioning="quarterly",
        partition_of_key=land.quarter_of_partition,
        key_of_partition=land.partition_of_quarter,
        group="land",
        summary=land.summarise(name),
        **declared,
    )


LAND_PARCELS = _feed(
    "land_parcels",
    enrich=land.check_polygons,
    deps=(("ref", "kato_units"),),
    description="Cadastral parcels of agricultural land as each quarter's file lists them (a "
    "snapshot per parcel registered or changed), with geometry validity, area, centroid and the "
    "stated-vs-drawn area flag computed with shapely.",
    check_description="Great Expectations suite `land_parcels`: KATO district codes that exist, "
    "known land categories, holder and tenure types, areas positive and below 100,000 ha, lease "
    "end after start, one row per parcel per file, and at most 5% invalid polygons (invalid ones "
    "are kept and flagged).",
)
LAND_OBSERVATIONS = _feed(
    "land_observations",
    deps=(("raw", "land_parcels"),),
    description="Seasonal satellite observations of each parcel: usage class (used, partly used, "
    "unused), vegetation index and used share.",
    check_description="Great Expectations suite `land_observations`: known usage classes and "
    "satellites, the date inside its season, shares and NDVI in range, measures present unless "
    "NO_DATA, one observation per parcel and season per file.",
)
LAND_PARCEL_EVENTS = _feed(
    "land_parcel_events",
    deps=(("raw", "land_parcels"),),
    description="Events of a parcel's history: notice to an idle holder, withdrawal (returned to "
    "the state), redistribution, back in use.",
    check_description="Great Expectations suite `land_parcel_events`: known event types, reasons, "
    "channels and new holders, areas positive, recorded on or after the event, unique event ids "
    "per file.",
)
SUBSOIL_SITES = _feed(
    "subsoil_sites",
    enrich=land.check_polygons,
    deps=(("ref", "kato_units"),),
    description="Subsoil-use licences with their licensed contour (a snapshot per licence issued or "
    "changed in the quarter), with contour validity and area.",
    check_description="Great Expectations suite `subsoil_sites`: KATO codes that exist, known "
    "licence types and minerals, licensed area positive, end after start, at most 5% invalid "
    "contours.",
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
    description="Activity detected from space near licensed subsoil sites, each tested against its "
    "licence's contour in force on the detection date (on the edge counts as inside).",
    check_description="Great Expectations suite `subsoil_detections`: known activity types and "
    "satellites, confidence 0..1, a readable point, a licence number that a published site has, "
    "unique detection ids per file.",
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
    return {q for feed in LAND_FEEDS for path in feed.landing_files(landing_dir)
            if (q := land.file_quarter(path))}
