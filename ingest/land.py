"""Space monitoring of agricultural land and subsoil use: five feeds with quarterly partitions.

A file's quarter is in its name (land_parcels_2024-Q2.csv); a newer file for the same quarter
replaces that quarter as a whole, like a day of eOtinish exports. The file contract is in
ingest/land_schema.py.

Geometry is checked in the load itself, between parsing and validation (`Feed.enrich`), with
shapely (ingest/geometry.py): parcels and licensed contours get their validity (with the reason),
area in an equal-area projection, centroid and the disagreement between stated and drawn area;
detections get whether they lie inside their licence's contour (an edge counts as inside) and how
far outside they are. A bad geometry or an area that disagrees is flagged on the row, never dropped:
the parcel's hectares still count. The suites (expectations/land.py) block a quarter only when
such flags are more common than a working cadastre would show.
"""

import re
from pathlib import Path

import duckdb
import pandas as pd

from ingest import feeds, geometry
from ingest.land_schema import (
    COLUMNS,
    DEFAULT_AREA_TOLERANCE,
    NON_NEGATIVE,
    SEASONS,
    quarter_of,
)
from ingest.loads import LoadReport
from ingest.periods import quarter_start

QUARTER_IN_NAME = re.compile(r"_(\d{4}-Q[1-4])\.(jsonl|json|csv)$")
LANDING_SUBDIR = "land"

POLYGON_CHECK_COLUMNS: tuple[tuple[str, str], ...] = (
    ("geometry_is_valid", "BOOLEAN"),
    ("geometry_issue", "VARCHAR"),  # why it is not valid (shapely's reason, parse error, place)
    ("geometry_area_ha", "DOUBLE"),  # equal-area; an invalid polygon is measured after make_valid
    ("centroid_lon", "DOUBLE"),
    ("centroid_lat", "DOUBLE"),
    ("area_diff_ha", "DOUBLE"),  # geometry_area_ha - area_ha
    ("area_mismatch", "BOOLEAN"),  # |diff| > DEFAULT_AREA_TOLERANCE * area_ha; null if unknown
)
DETECTION_CHECK_COLUMNS: tuple[tuple[str, str], ...] = (
    ("licence_known", "BOOLEAN"),  # a published subsoil site has this licence number
    ("point_lon", "DOUBLE"),
    ("point_lat", "DOUBLE"),
    ("inside_contour", "BOOLEAN"),  # covered by the licensed contour (on its edge counts inside)
    ("on_contour_edge", "BOOLEAN"),
    ("distance_outside_m", "DOUBLE"),  # geodesic metres to the contour; 0 inside
    ("contour_issue", "VARCHAR"),  # why containment could not be decided (or the contour repaired)
)


def file_quarter(path: Path) -> str | None:
    """The quarter in a file name: land_parcels_2024-Q2.csv -> '2024-Q2'."""
    match = QUARTER_IN_NAME.search(path.name)
    return match.group(1) if match else None


def _quarter_sql(path: Path) -> str:
    quarter = file_quarter(path)
    return f"'{quarter}'" if quarter else "null::varchar"


def _season_matches_date_sql() -> str:
    """SQL: the observation's date lies in the months of its season, in the season's year."""
    months = " ".join(
        f"when '{name}' then list_contains({list(m)}, month(observation_date))"
        for name, m in SEASONS.items()
    )
    return (
        "try_cast(split_part(season, '-', 1) as integer) = year(observation_date) and "
        f"coalesce(case split_part(season, '-', 2) {months} end, false)"
    )


def _feed(name: str, derived=(), enrich=None, enriched=()) -> feeds.Feed:
    pattern = name  # files are <feed>_<YYYY-Qn>.<ext>
    return feeds.Feed(
        name=name,
        source_columns=COLUMNS[name],
        landing_subdir=LANDING_SUBDIR,
        file_patterns=(f"{pattern}_*.csv", f"{pattern}_*.jsonl"),
        partition_sql=_quarter_sql,
        partition_column=COLUMNS[name][0][0],
        partition_message="the file name carries no quarter (expected NAME_YYYY-Qn.csv)",
        partition_sql_typed="_partition_quarter",  # a file replaces its whole quarter
        validator=f"expectations.land:validate_{name}",
        non_negative=tuple(NON_NEGATIVE.get(name, ())),
        derived_columns=(("_partition_quarter", "VARCHAR", "_partition_key"), *derived),
        enrich=enrich,
        enriched_columns=enriched,
        file_partition=file_quarter,
    )


LAND_PARCELS = _feed(
    "land_parcels", enrich="ingest.land:check_polygons", enriched=POLYGON_CHECK_COLUMNS
)
LAND_OBSERVATIONS = _feed(
    "land_observations",
    derived=(
        ("season_year", "INTEGER", "split_part(season, '-', 1)"),
        ("season_name", "VARCHAR", "split_part(season, '-', 2)"),
        ("season_matches_date", "BOOLEAN", _season_matches_date_sql()),
    ),
)
LAND_PARCEL_EVENTS = _feed("land_parcel_events")
SUBSOIL_SITES = _feed(
    "subsoil_sites", enrich="ingest.land:check_polygons", enriched=POLYGON_CHECK_COLUMNS
)
SUBSOIL_DETECTIONS = _feed(
    "subsoil_detections", enrich="ingest.land:check_detections", enriched=DETECTION_CHECK_COLUMNS
)
# In load order: detections are tested against the contours of published sites.
FEEDS = (LAND_PARCELS, LAND_OBSERVATIONS, LAND_PARCEL_EVENTS, SUBSOIL_SITES, SUBSOIL_DETECTIONS)
FEEDS_BY_NAME = {feed.name: feed for feed in FEEDS}


def load_land_feed(
    con: duckdb.DuckDBPyConnection, name: str, landing_dir: Path, quarters: list[str], **kwargs
) -> LoadReport:
    """Load the given quarters ('2024-Q2') of one land or subsoil feed (see ingest.feeds). A file
    of the feed whose name carries no quarter (land_parcels_2024.csv) is reported as rejected,
    like an unreadable file (ingest.feeds.load_feed)."""
    feed = FEEDS_BY_NAME[name]
    if feed is SUBSOIL_DETECTIONS:
        replace_detections_placed_before_their_sites_changed(con, quarters)
    return feeds.load_feed(con, feed, landing_dir, quarters, **kwargs)


def replace_detections_placed_before_their_sites_changed(
    con: duckdb.DuckDBPyConnection, quarters: list[str]
) -> list[str]:
    """A detection's placement (inside its contour or not) is computed when it is loaded, against
    the licence's snapshots published then. Of the given quarters, those holding a detection whose
    licence has a snapshot published since are reloaded from their (unchanged) files: their
    publication record is dropped, so the load stages, re-places and republishes them like any
    changed quarter, in one transaction. Returns those quarters."""
    feeds.ensure_tables(con, SUBSOIL_SITES)
    feeds.ensure_tables(con, SUBSOIL_DETECTIONS)
    stale = [q for (q,) in con.execute(f"""
        with placed as (
            select _partition_quarter, licence_number, min(_loaded_at) as placed_at
            from {SUBSOIL_DETECTIONS.table}
            where list_contains(?, _partition_quarter)
            group by all
        ),
        sites as (
            select licence_number, max(_loaded_at) as site_loaded_at
            from {SUBSOIL_SITES.table} group by 1
        )
        select distinct _partition_quarter from placed join sites using (licence_number)
        where site_loaded_at > placed_at
        order by 1
    """, [quarters]).fetchall()]
    if stale:
        con.execute(
            "delete from meta.published_slices where feed = ? and list_contains(?, partition_key)",
            [SUBSOIL_DETECTIONS.name, stale],
        )
    return stale


def quarter_of_partition(key: str) -> str:
    """Dagster's quarterly keys are the quarter's first day: '2024-04-01' -> '2024-Q2'."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-\d{2}", key)
    if not match:
        raise ValueError(f"not a quarterly partition key: {key!r}")
    return quarter_of(int(match.group(1)), int(match.group(2)))


def partition_of_quarter(quarter: str) -> str:
    """'2024-Q2' -> '2024-04-01' (the Dagster key)."""
    return quarter_start(quarter).isoformat()


def landing_quarters(landing_dir: Path) -> set[str]:
    """Quarters that have any land or subsoil file in the landing folder."""
    return {q for feed in FEEDS for path in feed.landing_files(landing_dir) if (q := file_quarter(path))}


# ------------------------------------------------------------------------------------------------
# Enrichment steps (Feed.enrich): columns computed with shapely, batch by batch (memory is bounded
# by a batch of geometries, not by the load), written back in one join.
# ------------------------------------------------------------------------------------------------

GEOMETRY_BATCH_ROWS = 250_000


def _batches(con: duckdb.DuckDBPyConnection, sql: str):
    """The result of `sql` as Arrow record batches of at most GEOMETRY_BATCH_ROWS rows."""
    yield from con.sql(sql).to_arrow_reader(GEOMETRY_BATCH_ROWS)


def check_polygons(con: duckdb.DuckDBPyConnection, feed: feeds.Feed) -> None:
    """Validity, area, centroid and stated-vs-drawn area of each parcel or licensed contour."""
    frames = [
        _polygon_checks(batch)
        for batch in _batches(con, "select _source_file, _source_row, geometry_wkt, area_ha from feed_typed")
    ]
    _attach(con, frames, POLYGON_CHECK_COLUMNS)


def _polygon_checks(rows) -> pd.DataFrame:
    checks = geometry.geometry_checks(rows["geometry_wkt"])
    # A valid polygon far outside Kazakhstan has its latitude and longitude swapped, as a rule.
    misplaced = checks["is_valid"] & ~checks["in_kz_bbox"]
    checks.loc[misplaced, "is_valid"] = False
    checks.loc[misplaced, "invalid_reason"] = "outside Kazakhstan (latitude and longitude swapped?)"
    stated = rows["area_ha"].to_numpy(zero_copy_only=False)
    area = geometry.area_disagreement(stated, checks["area_ha"], DEFAULT_AREA_TOLERANCE)
    return _frame(rows, {
        "geometry_is_valid": checks["is_valid"],
        "geometry_issue": checks["invalid_reason"],
        "geometry_area_ha": checks["area_ha"],
        "centroid_lon": checks["centroid_lon"],
        "centroid_lat": checks["centroid_lat"],
        "area_diff_ha": area["area_diff_ha"],
        "area_mismatch": area["area_mismatch"],
    })


def check_detections(con: duckdb.DuckDBPyConnection, feed: feeds.Feed) -> None:
    """Each detection against its licence's contour as published: the snapshot of the site in
    force on the detection's date (the earliest one if the detection predates them all)."""
    feeds.ensure_tables(con, SUBSOIL_SITES)
    sql = f"""
        with sites as (
            select licence_number, geometry_wkt, updated_at from {SUBSOIL_SITES.table}
        ),
        first_snapshot as (
            select licence_number, arg_min(geometry_wkt, updated_at) as geometry_wkt
            from sites group by 1
        )
        select d._source_file, d._source_row, d.geometry_wkt as point_wkt,
            coalesce(s.geometry_wkt, f.geometry_wkt) as contour_wkt,
            f.licence_number is not null as licence_known
        from feed_typed as d
        asof left join sites as s
            on d.licence_number = s.licence_number and d.detection_date::timestamp >= s.updated_at
        left join first_snapshot as f on f.licence_number = d.licence_number
    """
    _attach(con, [_detection_checks(batch) for batch in _batches(con, sql)], DETECTION_CHECK_COLUMNS)


def _detection_checks(rows) -> pd.DataFrame:
    located = geometry.points_in_contours(rows["point_wkt"], rows["contour_wkt"])
    points, _ = geometry.parse_wkt(rows["point_wkt"])
    is_point = located["point_ok"].to_numpy()
    lon = pd.Series(float("nan"), index=located.index)
    lat = lon.copy()
    lon[is_point] = geometry.shapely.get_x(points[is_point])
    lat[is_point] = geometry.shapely.get_y(points[is_point])
    issue = located["reason"].copy()
    repaired = located["contour_ok"] & ~located["contour_valid"]
    issue[repaired & issue.isna()] = "contour invalid: tested against shapely.make_valid of it"
    known = rows["licence_known"].to_numpy(zero_copy_only=False)
    issue[~known] = "no published subsoil site has this licence number"
    return _frame(rows, {
        "licence_known": known,
        "point_lon": lon,
        "point_lat": lat,
        "inside_contour": located["inside"],
        "on_contour_edge": located["on_boundary"],
        "distance_outside_m": located["distance_outside_m"],
        "contour_issue": issue,
    })


def _frame(rows, columns: dict) -> pd.DataFrame:
    """Computed columns beside the row's (_source_file, _source_row)."""
    return pd.DataFrame({
        "_source_file": rows["_source_file"].to_numpy(zero_copy_only=False),
        "_source_row": rows["_source_row"].to_numpy(zero_copy_only=False),
        **{name: pd.Series(values).reset_index(drop=True) for name, values in columns.items()},
    })


def _attach(con, frames: list[pd.DataFrame], declared: tuple[tuple[str, str], ...]) -> None:
    """Add computed columns to feed_typed, matched on (_source_file, _source_row)."""
    names = ["_source_file", "_source_row", *(name for name, _ in declared)]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=names)
    con.register("enrichment", frame)
    try:
        selected = ", ".join(f'e."{name}"::{dtype} as "{name}"' for name, dtype in declared)
        con.execute(f"""
            create or replace temp table feed_typed as
            select t.*, {selected}
            from feed_typed as t
            left join enrichment as e
                on e._source_file = t._source_file and e._source_row = t._source_row
        """)
    finally:
        con.unregister("enrichment")
