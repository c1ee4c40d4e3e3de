"""Loading the land and subsoil monitoring feeds: a generated set end to end, geometry checked in
the load (flagged, not dropped), idempotence, re-exports, and every kind of bad input (a clear
error naming file, row and column; the bad rows in quarantine.<feed>; published data unchanged).

These run the real DuckDB, shapely and Great Expectations on small files."""

import hashlib
import shutil

import pytest
from land_files import (
    COLUMN_NAMES,
    data_rows,
    detection,
    moved,
    observation,
    observations,
    parcel,
    parcel_corner,
    parcel_event,
    parcels,
    ring_wkt,
    site,
    site_contour,
    square,
    write_csv,
    write_feed,
)

from ingest.duck import connect
from ingest.generate_land import write_bundled_land
from ingest.land import FEEDS, file_quarter, landing_quarters, load_land_feed
from ingest.land_schema import partitions
from ingest.loads import LoadError
from ingest.settings import WarehousePaths

Q = "2024-Q3"  # the quarter of the hand-made files (dates in July and August 2024)
PREVIOUS = "2024-Q2"
FEED_NAMES = [feed.name for feed in FEEDS]


def land(paths):
    return paths.landing / "land"


def load(con, paths, feed, quarters):
    return load_land_feed(con, feed, paths.landing, quarters)


def digest(con, table):
    """A checksum of every value of every row, provenance included: equal only if untouched."""
    rows = con.execute(f"select * from {table} order by all").fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def published(con, feed, *columns):
    return con.execute(f"select {', '.join(columns)} from raw.{feed} order by all").fetchall()


def quarantined(con, feed):
    return con.execute(f"""
        select regexp_extract(source_file, '[^/]+$'), source_row, column_name, check_name, bad_value
        from quarantine.{feed} order by source_row, column_name
    """).fetchall()


def statuses(report):
    return {p.partition_key: p.status for p in report.partitions}


# ------------------------------------------------------------------------------------------------
# A generated set, loaded once for the module: 200 parcels and 20 subsoil sites over 16 quarters.
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generator's files (shared, never modified: tests copy them)."""
    folder = tmp_path_factory.mktemp("generated_land")
    return write_bundled_land(folder, parcels=200, sites=20)


@pytest.fixture(scope="module")
def bundle(generated, tmp_path_factory):
    """A warehouse with the generated set loaded, feed by feed in load order."""
    root = tmp_path_factory.mktemp("bundle")
    paths = WarehousePaths(root=root / "warehouse", landing=root / "landing")
    for path in generated:
        land(paths).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, land(paths) / path.name)
    with pytest.MonkeyPatch.context() as env:
        for name, value in paths.export_env().items():
            env.setenv(name, value)
        paths.root.mkdir(parents=True)
        con = connect(paths.warehouse_db, memory_limit="1GB")
        reports = {name: load(con, paths, name, partitions()) for name in FEED_NAMES}
        yield con, paths, reports
        con.close()


def rows_per_quarter(folder, feed):
    return {file_quarter(p): data_rows(p) for p in sorted(folder.glob(f"{feed}_*"))}


@pytest.mark.parametrize("feed", FEED_NAMES)
def test_every_quarter_of_the_generated_set_is_published(bundle, feed):
    con, paths, reports = bundle
    in_files = rows_per_quarter(land(paths), feed)
    assert set(in_files) == set(partitions())  # 16 files, some of them with a header only
    expected = {q: "published" if n else "empty" for q, n in in_files.items()}
    assert statuses(reports[feed]) == expected
    assert {p.partition_key: p.rows for p in reports[feed].partitions if p.rows} == {
        q: n for q, n in in_files.items() if n}
    in_table = dict(con.execute(
        f"select _partition_quarter, count(*) from raw.{feed} group by 1").fetchall())
    assert in_table == {q: n for q, n in in_files.items() if n}
    assert con.execute(f"select count(*) from quarantine.{feed}").fetchone() == (0,)


def test_generated_parcels_get_their_geometry_checked(bundle):
    con, _, _ = bundle
    (total, measured, close, invalid, in_kz) = con.execute("""
        select count(*), count(geometry_area_ha),
            count(*) filter (where abs(geometry_area_ha - area_ha) <= 0.05 * area_ha),
            count(*) filter (where not geometry_is_valid),
            count(*) filter (where centroid_lon between 46 and 88 and centroid_lat between 40 and 56)
        from raw.land_parcels
    """).fetchone()
    assert total > 200  # redistributed parcels come again with their new holder
    assert measured == total - 1  # only the truncated WKT has no area
    assert close >= 0.9 * total
    assert in_kz == measured
    issues = [i for (i,) in con.execute(
        "select geometry_issue from raw.land_parcels where not geometry_is_valid").fetchall()]
    assert len(issues) == invalid >= 3  # the generator plants two bow-ties and a truncated WKT
    assert sum(i.startswith("Self-intersection") for i in issues) >= 2
    assert sum(i.startswith("unparsable WKT") for i in issues) == 1
    assert con.execute("""
        select count(*) from raw.land_parcels
        where geometry_is_valid is null or area_diff_ha is null and geometry_area_ha is not null
    """).fetchone() == (0,)
    sites = con.execute("""
        select count(*), count(*) filter (where geometry_is_valid),
            count(*) filter (where abs(geometry_area_ha - area_ha) <= 0.05 * area_ha)
        from raw.subsoil_sites
    """).fetchone()
    assert sites == (20, 20, 20)


def test_generated_detections_are_placed_against_their_contours(bundle):
    con, _, _ = bundle
    placed = dict((row[0], row[1:]) for row in con.execute("""
        select case when not inside_contour then 'outside' when on_contour_edge then 'edge'
                else 'inside' end as place,
            count(*), min(distance_outside_m), max(distance_outside_m)
        from raw.subsoil_detections group by 1
    """).fetchall())
    assert set(placed) == {"inside", "edge", "outside"}
    assert placed["inside"][1:] == placed["edge"][1:] == (0.0, 0.0)
    count, nearest, farthest = placed["outside"]
    assert count >= 5
    assert 100 <= nearest and farthest <= 3100  # the generator puts them 100 m to 3 km out
    assert con.execute("""
        select count(*) from raw.subsoil_detections
        where not licence_known or point_lon is null or inside_contour is null
            or on_contour_edge is null or contour_issue is not null
    """).fetchone() == (0,)


def test_reloading_the_generated_set_changes_nothing(bundle):
    con, paths, first = bundle
    tables = [f"raw.{f}" for f in FEED_NAMES] + ["meta.loads", "meta.published_slices"]
    before = {t: digest(con, t) for t in tables}

    again = {name: load(con, paths, name, partitions()) for name in FEED_NAMES}

    for name, report in again.items():
        assert statuses(report) == {
            q: "unchanged" if s == "published" else s for q, s in statuses(first[name]).items()}, name
        assert report.validations == []  # nothing staged, nothing validated
    assert {t: digest(con, t) for t in tables} == before


def test_a_reexported_quarter_replaces_that_quarter_only(generated, warehouse_paths):
    for path in generated:
        if path.name.startswith("land_parcels_"):
            land(warehouse_paths).mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, land(warehouse_paths) / path.name)
    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB")
    load(con, warehouse_paths, "land_parcels", partitions()).raise_for_errors()
    others = "select * from raw.land_parcels where _partition_quarter <> '2023-Q2' order by all"
    before = con.execute(others).fetchall()
    old = con.execute(
        "select cadastral_number, area_ha from raw.land_parcels where _partition_quarter = '2023-Q2'"
    ).fetchall()
    assert len(old) >= 3
    # The re-export drops the quarter's first parcel and corrects another's area (and drawing).
    rows = [parcel(900 + n, area_ha=50.0 + n) for n in range(len(old) - 1)]
    rows[0] = parcel(900, area_ha=12.5, geometry_wkt=ring_wkt(square(*parcel_corner(900), 0.004)))
    write_feed(land(warehouse_paths), "land_parcels", "2023-Q2", rows)

    report = load(con, warehouse_paths, "land_parcels", partitions())

    assert {q for q, s in statuses(report).items() if s != "unchanged"} == {"2023-Q2", "2024-Q1"}
    assert statuses(report)["2023-Q2"] == "published"  # 2024-Q1 has no parcels: 'empty'
    assert con.execute(others).fetchall() == before
    new = con.execute("""
        select cadastral_number, area_ha, regexp_extract(_source_file, '[^/]+$')
        from raw.land_parcels where _partition_quarter = '2023-Q2' order by 1
    """).fetchall()
    assert new == [(r["cadastral_number"], r["area_ha"], "land_parcels_2023-Q2.csv") for r in rows]
    con.close()
