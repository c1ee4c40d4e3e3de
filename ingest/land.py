"""Space monitoring of agricultural land and subsoil use: five feeds with quarterly partitions.

A file's quarter is in its name (land_parcels_2024-Q2.csv); a newer file for the same quarter
replaces that quarter as a whole, like a day of eOtinish exports. The file contract is in
ingest/land_schema.py.

Geometry is checked in the load itself, between parsing and validation (`Feed.enrich`), with
shapely (ingest/geometry.py): parcels and licensed contours get their validity (with the reason),
area in an equal-area projection, centroid and the disagreement between stated and drawn area;
detections get whether they lie inside their licence's contour (an edge counts as inside) and how
far outside they are (a point outside Kazakhstan, latitude and longitude swapped as a rule, is left
undecided, with the reason). A bad geometry or an area that disagrees is flagged on the row, never dropped:
the parcel's hectares still count. The suites (expectations/land.py) block a quarter only when
such flags are more common than a working cadastre would show.
"""

import re
from pathlib import Path

import duckdb
import pandas as pd

from ingest import feeds, geometry
from ingest.land_schema import COLUMNS, DEFAULT_AREA_TOLERANCE, SEASONS, quarter_of
from ingest.landing import name_without_gz
from ingest.loads import LoadReport
from ingest.periods import quarter_start

QUARTER_IN_NAME = re.compile(r"_(\d{4}-q[1-4])\.(jsonl|json|csv)$")  # in name_without_gz (lower case)
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
    """The quarter in a file name: land_parcels_2024-Q2.csv (or .csv.gz) -> '2024-Q2'."""
    match = QUARTER_IN_NAME.search(name_without_gz(path))
    return match.group(1).upper() if match else None


def quarter_sql(path: Path) -> str:
    quarter = file_quarter(path)
    return f"'{quarter}'" if quarter else "null::varchar"


def season_matches_date_sql() -> str:
    """SQL: the observation's date lies in the months of its season, in the season's year."""
    months = " ".join(
        f"when '{name}' then list_contains({list(m)}, month(observation_date))" for name, m in SEASONS.items()
    )
    return (
        "try_cast(split_part(season, '-', 1) as integer) = year(observation_date) and "
        f"coalesce(case split_part(season, '-', 2) {months} end, false)"
    )


# Columns a feed's table has beside its file's: computed in SQL when staging (name, type, SQL),
# and the checks the enrichment steps below compute with shapely.
DERIVED_COLUMNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "land_observations": (
        ("season_year", "INTEGER", "split_part(season, '-', 1)"),
        ("season_name", "VARCHAR", "split_part(season, '-', 2)"),
        ("season_matches_date", "BOOLEAN", season_matches_date_sql()),
    ),
}
ENRICHED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "land_parcels": POLYGON_CHECK_COLUMNS,
    "subsoil_sites": POLYGON_CHECK_COLUMNS,
    "subsoil_detections": DETECTION_CHECK_COLUMNS,
}


def published_column_names(feed_name: str) -> list[str]:
    """The columns of raw.<feed> a suite can expect, provenance aside."""
    return [
        *(name for name, _ in COLUMNS[feed_name]),
        *(name for name, _, _ in DERIVED_COLUMNS.get(feed_name, ())),
        *(name for name, _ in ENRICHED_COLUMNS.get(feed_name, ())),
    ]


def replace_detections_placed_before_their_sites_changed(
    con: duckdb.DuckDBPyConnection, quarters: list[str]
) -> list[str]:
    """A detection's placement (inside its contour or not) is computed when it is loaded, against
    the licence's snapshots published then. Of the given quarters, those holding a detection whose
    licence has a snapshot published since are reloaded from their (unchanged) files: their
    publication record is marked stale, so the load stages, re-places and republishes them like any
    changed quarter, in one transaction. Returns those quarters."""
    if not _tables_exist(con, "raw.subsoil_sites", "raw.subsoil_detections"):
        return []  # a first load: nothing was placed before
    stale = [
        q
        for (q,) in con.execute(
            """
        with placed as (
            select _partition_quarter, licence_number, min(_loaded_at) as placed_at
            from raw.subsoil_detections
            where list_contains(?, _partition_quarter)
            group by all
        ),
        sites as (
            select licence_number, max(_loaded_at) as site_loaded_at
            from raw.subsoil_sites group by 1
        )
        select distinct _partition_quarter from placed join sites using (licence_number)
        where site_loaded_at > placed_at
        order by 1
    """,
            [quarters],
        ).fetchall()
    ]
    if stale:
        # Their files no longer count as published (the load sees a changed version) while the
        # record stays, so that publishing still deletes the rows placed before.
        con.execute(
            "update meta.published_slices set sha256 = 'to be placed again' "
            "where feed = ? and list_contains(?, partition_key)",
            ["subsoil_detections", stale],
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


def _tables_exist(con: duckdb.DuckDBPyConnection, *tables: str) -> bool:
    (found,) = con.execute(
        "select count(*) from duckdb_tables() where list_contains(?, schema_name || '.' || table_name)",
        [list(tables)],
    ).fetchone()
    return found == len(tables)


# Figures for the UI after a load: SQL over the loaded quarters of each feed's table.
SUMMARIES = {
    "land_parcels": """
        select count(*) as parcels, round(sum(area_ha), 1) as stated_hectares,
            count(*) filter (where not geometry_is_valid) as invalid_geometries,
            count(*) filter (where area_mismatch) as area_mismatches""",
    "land_observations": """
        select count(*) as observations,
            count(*) filter (where usage_class = 'UNUSED') as unused,
            round(avg(used_share), 4) as mean_used_share""",
    "land_parcel_events": """
        select count(*) as events,
            round(sum(area_ha) filter (where event_type = 'WITHDRAWN'), 1) as hectares_withdrawn,
            round(sum(area_ha) filter (where event_type = 'REDISTRIBUTED'), 1) as hectares_redistributed""",
    "subsoil_sites": """
        select count(*) as licences, count(*) filter (where not geometry_is_valid) as invalid_contours""",
    "subsoil_detections": """
        select count(*) as detections,
            count(*) filter (where not inside_contour) as outside_licensed_contour,
            round(sum(disturbed_area_ha) filter (where not inside_contour), 2)
                as disturbed_hectares_outside""",
}


def summarise(feed_name: str):
    """The summary of one land feed's loaded quarters: (connection, report, quarters) -> figures."""
    select = SUMMARIES[feed_name]

    def summary(con: duckdb.DuckDBPyConnection, report: LoadReport, quarters: list[str]) -> dict:
        cursor = con.execute(
            f"{select} from raw.{feed_name} where list_contains(?, _partition_quarter)", [quarters]
        )
        names = [d[0] for d in cursor.description]
        return {
            name: value for name, value in zip(names, cursor.fetchone(), strict=True) if value is not None
        }

    return summary


# ------------------------------------------------------------------------------------------------
# Enrichment steps (Feed.enrich): columns computed with shapely, batch by batch (memory is bounded
# by a batch of geometries, not by the load), written back in one join.
# ------------------------------------------------------------------------------------------------

GEOMETRY_BATCH_ROWS = 250_000


def _enrich(con: duckdb.DuckDBPyConnection, sql: str, compute, declared: tuple[tuple[str, str], ...]) -> None:
    """Run `compute` (Arrow rows -> frame of checks) over `sql` in ranges of GEOMETRY_BATCH_ROWS
    rows of feed_typed (`sql` reads them as `batch_rows`), append each range's checks to a temp
    table, then join them onto feed_typed: Python holds one range at a time, whatever the load."""
    columns = ", ".join(f'"{name}" {dtype}' for name, dtype in declared)
    con.execute(
        f"create or replace temp table enrichment (_source_file varchar, _source_row bigint, {columns})"
    )
    (last,) = con.execute("select coalesce(max(rowid), -1) from feed_typed").fetchone()
    for start in range(0, last + 1, GEOMETRY_BATCH_ROWS):
        con.execute(f"""
            create or replace temp view batch_rows as
            select * from feed_typed where rowid >= {start} and rowid < {start + GEOMETRY_BATCH_ROWS}
        """)
        frames = [compute(batch) for batch in con.sql(sql).to_arrow_reader(GEOMETRY_BATCH_ROWS)]
        for frame in frames:
            con.register("batch_checks", frame)
            try:
                casts = ", ".join(f'"{name}"::{dtype}' for name, dtype in declared)
                con.execute(
                    f"insert into enrichment select _source_file, _source_row, {casts} from batch_checks"
                )
            finally:
                con.unregister("batch_checks")
    con.execute("drop view if exists batch_rows")
    selected = ", ".join(f'e."{name}"' for name, _ in declared)
    con.execute(f"""
        create or replace temp table feed_typed as
        select t.*, {selected}
        from feed_typed as t
        left join enrichment as e
            on e._source_file = t._source_file and e._source_row = t._source_row
    """)
    con.execute("drop table enrichment")


def check_polygons(con: duckdb.DuckDBPyConnection, feed: feeds.Feed) -> None:
    """Validity, area, centroid and stated-vs-drawn area of each parcel or licensed contour."""
    _enrich(
        con,
        "select _source_file, _source_row, geometry_wkt, area_ha from batch_rows",
        _polygon_checks,
        POLYGON_CHECK_COLUMNS,
    )


def _polygon_checks(rows) -> pd.DataFrame:
    checks = geometry.geometry_checks(rows["geometry_wkt"])
    # A valid polygon far outside Kazakhstan has its latitude and longitude swapped, as a rule.
    misplaced = checks["is_valid"] & ~checks["in_kz_bbox"]
    checks.loc[misplaced, "is_valid"] = False
    checks.loc[misplaced, "invalid_reason"] = "outside Kazakhstan (latitude and longitude swapped?)"
    stated = rows["area_ha"].to_numpy(zero_copy_only=False)
    area = geometry.area_disagreement(stated, checks["area_ha"], DEFAULT_AREA_TOLERANCE)
    return _frame(
        rows,
        {
            "geometry_is_valid": checks["is_valid"],
            "geometry_issue": checks["invalid_reason"],
            "geometry_area_ha": checks["area_ha"],
            "centroid_lon": checks["centroid_lon"],
            "centroid_lat": checks["centroid_lat"],
            "area_diff_ha": area["area_diff_ha"],
            "area_mismatch": area["area_mismatch"],
        },
    )


def check_detections(con: duckdb.DuckDBPyConnection, feed: feeds.Feed) -> None:
    """Each detection against its licence's contour as published: the snapshot of the site in
    force on the detection's date (the earliest one if the detection predates them all). Of
    snapshots with the same updated_at, the one of the latest file quarter, then load, file and row
    counts, as in dbt's int_subsoil_sites__current (the asof join alone would take either)."""
    sql = """
        with sites as (
            select licence_number, geometry_wkt, updated_at from raw.subsoil_sites
            qualify row_number() over (
                partition by licence_number, updated_at
                order by _partition_quarter desc, _loaded_at desc, _source_file desc, _source_row desc
            ) = 1
        ),
        first_snapshot as (
            select licence_number, arg_min(geometry_wkt, updated_at) as geometry_wkt
            from sites group by 1
        )
        select d._source_file, d._source_row, d.geometry_wkt as point_wkt,
            coalesce(s.geometry_wkt, f.geometry_wkt) as contour_wkt,
            f.licence_number is not null as licence_known
        from batch_rows as d
        asof left join sites as s
            on d.licence_number = s.licence_number and d.detection_date::timestamp >= s.updated_at
        left join first_snapshot as f on f.licence_number = d.licence_number
    """
    _enrich(con, sql, _detection_checks, DETECTION_CHECK_COLUMNS)


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
    # A point far outside Kazakhstan has its latitude and longitude swapped, as a rule (a parcel or
    # contour there is flagged invalid): where it would lie against the contour is not known.
    west, south, east, north = geometry.KZ_BBOX
    misplaced = is_point & ~(lon.between(west, east) & lat.between(south, north)).to_numpy()
    inside = located["inside"].copy()
    on_edge = located["on_boundary"].copy()
    distance = located["distance_outside_m"].copy()
    inside[misplaced] = pd.NA
    on_edge[misplaced] = pd.NA
    distance[misplaced] = float("nan")
    issue[misplaced] = "point outside Kazakhstan (latitude and longitude swapped?): not placed"
    known = rows["licence_known"].to_numpy(zero_copy_only=False)
    issue[~known] = "no published subsoil site has this licence number"
    return _frame(
        rows,
        {
            "licence_known": known,
            "point_lon": lon,
            "point_lat": lat,
            "inside_contour": inside,
            "on_contour_edge": on_edge,
            "distance_outside_m": distance,
            "contour_issue": issue,
        },
    )


def _frame(rows, columns: dict) -> pd.DataFrame:
    """Computed columns beside the row's (_source_file, _source_row)."""
    return pd.DataFrame(
        {
            "_source_file": rows["_source_file"].to_numpy(zero_copy_only=False),
            "_source_row": rows["_source_row"].to_numpy(zero_copy_only=False),
            **{name: pd.Series(values).reset_index(drop=True) for name, values in columns.items()},
        }
    )
