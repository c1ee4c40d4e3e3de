"""Loading the land and subsoil monitoring feeds: a generated set end to end, geometry checked in
the load (flagged, not dropped), idempotence, re-exports, and every kind of bad input (a clear
error naming file, row and column; the bad rows in quarantine.<feed>; published data unchanged).

These run the real DuckDB, shapely and Great Expectations on small files."""

import csv
import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import TEST_HASH_KEY
from land_files import (
    COLUMN_NAMES,
    SITE_CORNER,
    bow_tie,
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

from catalog.land import LAND_FEEDS as FEEDS
from catalog.land import LAND_PARCELS, SUBSOIL_SITES, landing_quarters, load_land_feed
from demo.land import write_bundled_land
from ingest import feeds
from ingest.duck import connect
from ingest.land import file_quarter
from ingest.land_schema import partitions
from ingest.loads import LoadError
from ingest.privacy import find_iin_values, iin_token
from ingest.settings import WarehousePaths

# Loads through DuckDB and Great Expectations, seconds each: not in `make test-fast`.
pytestmark = pytest.mark.slow

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
        env.setenv("APPEALS_HASH_KEY", TEST_HASH_KEY)  # parcels' and sites' values are redacted with it
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
    # A header-only file says "nothing this quarter": published, with no rows, and recorded.
    expected = dict.fromkeys(in_files, "published")
    assert statuses(reports[feed]) == expected
    assert {p.partition_key: p.rows for p in reports[feed].partitions if p.rows} == {
        q: n for q, n in in_files.items() if n
    }
    in_table = dict(con.execute(f"select _partition_quarter, count(*) from raw.{feed} group by 1").fetchall())
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
    issues = [
        i
        for (i,) in con.execute(
            "select geometry_issue from raw.land_parcels where not geometry_is_valid"
        ).fetchall()
    ]
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
    placed = dict(
        (row[0], row[1:])
        for row in con.execute("""
        select case when not inside_contour then 'outside' when on_contour_edge then 'edge'
                else 'inside' end as place,
            count(*), min(distance_outside_m), max(distance_outside_m)
        from raw.subsoil_detections group by 1
    """).fetchall()
    )
    assert set(placed) == {"inside", "edge", "outside"}
    assert placed["inside"][1:] == placed["edge"][1:] == (0.0, 0.0)
    count, nearest, farthest = placed["outside"]
    assert count >= 5
    assert nearest >= 100 and farthest <= 3100  # the generator puts them 100 m to 3 km out
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
            q: "unchanged" if s == "published" else s for q, s in statuses(first[name]).items()
        }, name
        assert report.validations == []  # nothing staged, nothing validated
    assert {t: digest(con, t) for t in tables} == before


def test_geometry_computed_in_small_batches_is_the_same(
    bundle, generated, warehouse, warehouse_paths, monkeypatch
):
    """The geometry step works batch by batch (bounded memory): 7-row batches give exactly the
    columns one batch gives."""
    import ingest.land

    monkeypatch.setattr(ingest.land, "GEOMETRY_BATCH_ROWS", 7)
    for path in generated:
        if path.name.startswith(("land_parcels_", "subsoil_sites_", "subsoil_detections_")):
            land(warehouse_paths).mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, land(warehouse_paths) / path.name)
    for name in ("land_parcels", "subsoil_sites", "subsoil_detections"):
        load(warehouse, warehouse_paths, name, partitions()).raise_for_errors()
    con, _, _ = bundle
    for table, columns in {
        "land_parcels": "geometry_is_valid, geometry_issue, geometry_area_ha, centroid_lon, area_mismatch",
        "subsoil_detections": "licence_known, inside_contour, on_contour_edge, distance_outside_m",
    }.items():
        query = (
            f"select regexp_extract(_source_file, '[^/]+$'), _source_row, {columns} "
            f"from raw.{table} order by 1, 2"
        )
        assert warehouse.execute(query).fetchall() == con.execute(query).fetchall(), table


def test_a_reexported_quarter_replaces_that_quarter_only(generated, warehouse, warehouse_paths):
    land(warehouse_paths).mkdir(parents=True)
    for path in generated:
        if path.name.startswith("land_parcels_"):
            shutil.copy2(path, land(warehouse_paths) / path.name)
    load(warehouse, warehouse_paths, "land_parcels", partitions()).raise_for_errors()
    others = "select * from raw.land_parcels where _partition_quarter <> '2023-Q2' order by all"
    before = warehouse.execute(others).fetchall()
    path = land(warehouse_paths) / "land_parcels_2023-Q2.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 3
    # The re-export drops the quarter's first parcel and corrects the stated area of another.
    rows = rows[1:]
    rows[0]["area_ha"] = "12.5"
    write_csv(path, rows, COLUMN_NAMES["land_parcels"])

    report = load(warehouse, warehouse_paths, "land_parcels", partitions())

    assert {q: s for q, s in statuses(report).items() if s != "unchanged"} == {"2023-Q2": "published"}
    assert warehouse.execute(others).fetchall() == before
    quarter = warehouse.execute("""
        select cadastral_number, area_ha, area_mismatch, regexp_extract(_source_file, '[^/]+$')
        from raw.land_parcels where _partition_quarter = '2023-Q2' order by _source_row
    """).fetchall()
    assert quarter == [(r["cadastral_number"], float(r["area_ha"]), r is rows[0], path.name) for r in rows]


# ------------------------------------------------------------------------------------------------
# Geometry through the loader: flagged and published, unless a quarter is mostly broken.
# ------------------------------------------------------------------------------------------------


def test_bad_geometries_are_flagged_and_published_not_dropped(warehouse, warehouse_paths):
    good = parcels(60)
    odd = [
        parcel(60, geometry_wkt=ring_wkt(bow_tie(*parcel_corner(60)))),
        parcel(61, geometry_wkt=ring_wkt(square(*parcel_corner(61)))[:40]),  # cut short
        parcel(62, geometry_wkt=ring_wkt([(lat, lon) for lon, lat in square(*parcel_corner(62))])),
        parcel(63, area_ha=round(parcel(63)["area_ha"] * 1.3, 2)),  # stated area 30 % too large
    ]
    write_feed(land(warehouse_paths), "land_parcels", Q, good + odd)

    report = load(warehouse, warehouse_paths, "land_parcels", [Q])

    report.raise_for_errors()  # 3 invalid polygons in 64 (4.7 %) do not block the quarter
    rows = {
        r[0]: r[1:]
        for r in warehouse.execute("""
        select cadastral_number, geometry_is_valid, geometry_issue, area_mismatch,
            geometry_area_ha, area_ha
        from raw.land_parcels
    """).fetchall()
    }
    assert len(rows) == 64
    bow, cut, swapped, off = (rows[p["cadastral_number"]] for p in odd)
    assert bow[0] is False and bow[1].startswith("Self-intersection[")
    assert bow[3] == pytest.approx(bow[4] / 2, rel=0.01)  # make_valid: two triangles, half the square
    assert cut[0] is False and cut[1].startswith("unparsable WKT") and cut[2] is None
    assert swapped[0] is False and "swapped" in swapped[1]
    assert off[:3] == (True, None, True)
    assert off[3] == pytest.approx(off[4] / 1.3, rel=0.01)
    flagged = {c for c, r in rows.items() if r[0] is False or r[2] is not False}
    assert flagged == {p["cadastral_number"] for p in odd}
    assert all(abs(r[3] - r[4]) <= 0.01 * r[4] for c, r in rows.items() if c not in flagged)


def reject_reexport(con, paths, feed, good_rows, write_bad, *, quarter=Q):
    """Publish a good quarter of `feed`, land a bad re-export of it (write_bad(folder)) and load
    again: the quarter is rejected, raw.<feed> stays byte-identical and the attempt is recorded.
    Returns the error text and the quarantined rows."""
    write_feed(land(paths), feed, quarter, good_rows)
    load(con, paths, feed, [quarter]).raise_for_errors()
    before = digest(con, f"raw.{feed}")

    write_bad(land(paths))
    report = load(con, paths, feed, [quarter])

    assert statuses(report) == {quarter: "rejected"}
    assert digest(con, f"raw.{feed}") == before, "published data must stay exactly as it was"
    assert con.execute(
        "select status, rows_published, rows_quarantined > 0 from meta.loads "
        "where feed = ? order by finished_at",
        [feed],
    ).fetchall() == [("published", len(good_rows), False), ("rejected", 0, True)]
    with pytest.raises(LoadError) as error:
        report.raise_for_errors()
    return str(error.value), quarantined(con, feed)


PARCELS_FILE = f"land_parcels_{Q}.csv"


def bad_parcels(count=20, **changes_by_index):
    rows = parcels(count)
    for index, changes in changes_by_index.items():
        rows[int(index.removeprefix("row"))].update(changes)
    return rows


def reject_parcels(con, paths, rows, columns=None):
    return reject_reexport(
        con,
        paths,
        "land_parcels",
        parcels(20),
        lambda folder: write_feed(folder, "land_parcels", Q, rows, columns),
    )


def test_a_quarter_with_too_many_invalid_polygons_is_rejected(warehouse, warehouse_paths):
    rows = parcels(17)
    rows += [parcel(n, geometry_wkt=ring_wkt(bow_tie(*parcel_corner(n)))) for n in (17, 18, 19)]

    message, bad = reject_parcels(warehouse, warehouse_paths, rows)

    # 3 of 20 (15 %) is more than the 5 % a working cadastre shows; CSV row n is line n + 1
    assert f"{PARCELS_FILE}, line 19, column geometry_wkt: invalid geometry" in message
    assert f"{PARCELS_FILE}, line 21, column geometry_wkt" in message
    assert "Self-intersection[" in message
    assert [b[:3] for b in bad] == [(PARCELS_FILE, row, "geometry_wkt") for row in (19, 20, 21)]


def test_two_invalid_polygons_in_a_small_quarter_are_tolerated(warehouse, warehouse_paths):
    rows = parcels(8) + [parcel(n, geometry_wkt=ring_wkt(bow_tie(*parcel_corner(n)))) for n in (8, 9)]
    write_feed(land(warehouse_paths), "land_parcels", Q, rows)

    report = load(warehouse, warehouse_paths, "land_parcels", [Q])

    assert statuses(report) == {Q: "published"}  # 20 %, but only 2: kept and flagged
    assert warehouse.execute(
        "select count(*) filter (where not geometry_is_valid) from raw.land_parcels"
    ).fetchone() == (2,)


def test_one_invalid_polygon_in_twenty_is_still_published(warehouse, warehouse_paths):
    rows = parcels(19) + [parcel(19, geometry_wkt=ring_wkt(bow_tie(*parcel_corner(19))))]
    write_feed(land(warehouse_paths), "land_parcels", Q, rows)

    report = load(warehouse, warehouse_paths, "land_parcels", [Q])

    assert statuses(report) == {Q: "published"}  # exactly 5 % is not more than 5 %
    assert warehouse.execute(
        "select count(*) filter (where not geometry_is_valid) from raw.land_parcels"
    ).fetchone() == (1,)


def test_the_invalid_share_is_judged_per_quarter_whatever_else_is_loaded(warehouse, warehouse_paths):
    """3 of 10 polygons invalid in one quarter, loaded together with a clean quarter of 100: the bad
    quarter is rejected on its own share (30 %), not the batch's (3 %); the clean one publishes."""
    bad = parcels(7) + [parcel(n, geometry_wkt=ring_wkt(bow_tie(*parcel_corner(n)))) for n in (7, 8, 9)]
    write_feed(land(warehouse_paths), "land_parcels", "2024-Q2", bad)
    write_feed(land(warehouse_paths), "land_parcels", Q, parcels(100, start=100))

    report = load(warehouse, warehouse_paths, "land_parcels", ["2024-Q2", Q])

    assert statuses(report) == {"2024-Q2": "rejected", Q: "published"}
    assert {b[:3] for b in quarantined(warehouse, "land_parcels")} == {
        ("land_parcels_2024-Q2.csv", row, "geometry_wkt") for row in (9, 10, 11)
    }


@pytest.fixture
def licensed_site(warehouse, warehouse_paths):
    """A published licence 1234-ML whose contour is a 0.02-degree square."""
    write_feed(land(warehouse_paths), "subsoil_sites", Q, [site()])
    load(warehouse, warehouse_paths, "subsoil_sites", [Q]).raise_for_errors()
    return site_contour()


def test_detections_on_the_contour_count_as_inside(warehouse, warehouse_paths, licensed_site):
    (west, south), (east, _), (_, north), _ = licensed_site
    centre = ((west + east) / 2, (south + north) / 2)
    one_km_east = moved(east, centre[1], 90, 1000)
    write_feed(
        land(warehouse_paths),
        "subsoil_detections",
        Q,
        [
            detection(1, *centre),
            detection(2, west, south),  # exactly a vertex of the contour
            detection(3, centre[0], south),  # exactly on its southern edge
            detection(4, *one_km_east),  # 1 km east of the eastern edge
        ],
    )

    load(warehouse, warehouse_paths, "subsoil_detections", [Q]).raise_for_errors()

    rows = warehouse.execute("""
        select detection_id, licence_known, inside_contour, on_contour_edge, distance_outside_m
        from raw.subsoil_detections order by 1
    """).fetchall()
    assert rows[:3] == [
        ("DET-0000001", True, True, False, 0.0),
        ("DET-0000002", True, True, True, 0.0),
        ("DET-0000003", True, True, True, 0.0),
    ]
    assert rows[3][:4] == ("DET-0000004", True, False, False)
    assert rows[3][4] == pytest.approx(1000, abs=5)  # geodesic metres


def test_detections_are_placed_again_when_their_licence_contour_changes(
    warehouse, warehouse_paths, licensed_site
):
    (west, south), (east, _), (_, north), _ = licensed_site
    centre = ((west + east) / 2, (south + north) / 2)
    write_feed(land(warehouse_paths), "subsoil_detections", Q, [detection(1, *centre)])
    load(warehouse, warehouse_paths, "subsoil_detections", [Q]).raise_for_errors()
    assert warehouse.execute("select inside_contour from raw.subsoil_detections").fetchall() == [(True,)]

    # The licence's contour is corrected: it lies 0.05 degrees further east now.
    write_feed(land(warehouse_paths), "subsoil_sites", Q, [site(corner=(west + 0.05, south))])
    load(warehouse, warehouse_paths, "subsoil_sites", [Q]).raise_for_errors()
    report = load(warehouse, warehouse_paths, "subsoil_detections", [Q])

    assert statuses(report) == {Q: "published"}  # the same file, placed again
    ((inside, distance),) = warehouse.execute(
        "select inside_contour, distance_outside_m from raw.subsoil_detections"
    ).fetchall()
    assert inside is False and distance > 2000
    again = load(warehouse, warehouse_paths, "subsoil_detections", [Q])
    assert statuses(again) == {Q: "unchanged"}  # nothing changed since: no more work


def test_a_detection_of_an_unknown_licence_is_rejected(warehouse, warehouse_paths, licensed_site):
    west, south = licensed_site[0]
    good = [detection(n, west + 0.005, south + 0.005 + n * 0.001) for n in range(1, 4)]
    bad = [*good, detection(4, west + 0.01, south + 0.01, licence="9999-EL")]

    message, quarantine = reject_reexport(
        warehouse,
        warehouse_paths,
        "subsoil_detections",
        good,
        lambda folder: write_feed(folder, "subsoil_detections", Q, bad),
    )

    detections_file = f"subsoil_detections_{Q}.csv"
    assert (
        f"{detections_file}, line 5, column licence_number: no published subsoil site has this "
        "licence number (value '9999-EL')"
    ) in message
    assert [q[:3] for q in quarantine] == [(detections_file, 5, "licence_number")]


# ------------------------------------------------------------------------------------------------
# Bad inputs: a clear error naming file, row and column; the rows in quarantine; nothing published
# changes.
# ------------------------------------------------------------------------------------------------


def test_missing_column_in_the_csv_header(warehouse, warehouse_paths):
    columns = [c for c in COLUMN_NAMES["land_parcels"] if c != "land_category"]
    message, bad = reject_parcels(warehouse, warehouse_paths, parcels(20), columns)
    assert f"{PARCELS_FILE}, line 1, column land_category: column missing from the CSV header" in message
    assert [b[1:4] for b in bad] == [(1, "land_category", "missing_column")]


def test_unknown_land_category(warehouse, warehouse_paths):
    message, bad = reject_parcels(warehouse, warehouse_paths, bad_parcels(row3={"land_category": "ORCHARD"}))
    assert f"{PARCELS_FILE}, line 5, column land_category" in message and "'ORCHARD'" in message
    assert [b[1:] for b in bad] == [(5, "land_category", "expect_column_values_to_be_in_set", "ORCHARD")]
    (record,) = warehouse.execute("select record from quarantine.land_parcels").fetchone()
    assert json.loads(record)["cadastral_number"] == parcels(20)[3]["cadastral_number"]  # the whole row


def test_non_numeric_area(warehouse, warehouse_paths):
    message, bad = reject_parcels(warehouse, warehouse_paths, bad_parcels(row0={"area_ha": "75,3 ha"}))
    assert f"{PARCELS_FILE}, line 2, column area_ha: not a valid double (value '75,3 ha')" in message
    assert [b[1:] for b in bad] == [(2, "area_ha", "not_double", "75,3 ha")]


def test_negative_area(warehouse, warehouse_paths):
    message, bad = reject_parcels(warehouse, warehouse_paths, bad_parcels(row7={"area_ha": -75.0}))
    assert f"{PARCELS_FILE}, line 9, column area_ha: value is negative (value '-75.0')" in message
    assert [b[1:] for b in bad] == [(9, "area_ha", "negative_value", "-75.0")]


def test_kato_code_that_does_not_exist(warehouse, warehouse_paths):
    message, bad = reject_parcels(warehouse, warehouse_paths, bad_parcels(row1={"kato_code": "104099999"}))
    assert (
        f"{PARCELS_FILE}, line 3, column kato_code: KATO code does not exist (value '104099999')"
    ) in message
    assert [b[1:3] for b in bad] == [(3, "kato_code")]


def test_duplicate_cadastral_number_in_a_file(warehouse, warehouse_paths):
    rows = parcels(20)
    rows.append(parcel(20, cadastral_number=rows[4]["cadastral_number"]))
    message, bad = reject_parcels(warehouse, warehouse_paths, rows)
    assert f"{PARCELS_FILE}, line 6, column cadastral_number" in message
    assert f"{PARCELS_FILE}, line 22, column cadastral_number" in message
    assert {b[1] for b in bad} == {6, 22}  # both copies, by their line numbers
    assert all(b[2].startswith("cadastral_number") for b in bad)


OBSERVATIONS_FILE = f"land_observations_{Q}.jsonl"


def reject_observations(con, paths, rows):
    return reject_reexport(
        con,
        paths,
        "land_observations",
        observations(10),
        lambda folder: write_feed(folder, "land_observations", Q, rows),
    )


def bad_observations(**changes_by_index):
    rows = observations(10)
    for index, changes in changes_by_index.items():
        rows[int(index.removeprefix("row"))].update(changes)
    return rows


def test_unknown_usage_class(warehouse, warehouse_paths):
    rows = bad_observations(row2={"usage_class": "FARMED"})
    message, bad = reject_observations(warehouse, warehouse_paths, rows)
    # JSON Lines: row n is the file's line n
    assert f"{OBSERVATIONS_FILE}, line 3, column usage_class" in message and "'FARMED'" in message
    assert [b[1:] for b in bad] == [(3, "usage_class", "expect_column_values_to_be_in_set", "FARMED")]


def test_used_share_above_one(warehouse, warehouse_paths):
    message, bad = reject_observations(warehouse, warehouse_paths, bad_observations(row5={"used_share": 1.5}))
    assert f"{OBSERVATIONS_FILE}, line 6, column used_share" in message and "1.5" in message
    assert [b[1:3] for b in bad] == [(6, "used_share")]


def test_two_observations_of_a_parcel_in_one_season(warehouse, warehouse_paths):
    rows = observations(10)
    rows.append(observation(99, rows[7]["cadastral_number"], date="2024-08-25"))
    message, bad = reject_observations(warehouse, warehouse_paths, rows)
    assert f"{OBSERVATIONS_FILE}, line 8, column cadastral_number,season" in message
    assert f"{OBSERVATIONS_FILE}, line 11, column cadastral_number,season" in message
    assert {b[1] for b in bad} == {8, 11}


def test_observation_dated_outside_its_season(warehouse, warehouse_paths):
    # 2024-09-12 is in the third quarter (the file's) but in AUTUMN, not SUMMER
    message, bad = reject_observations(
        warehouse, warehouse_paths, bad_observations(row4={"observation_date": "2024-09-12"})
    )
    assert (
        f"{OBSERVATIONS_FILE}, line 5, column observation_date: the date is not in the named season "
        "(value '2024-09-12"
    ) in message  # shown as a timestamp: '2024-09-12 00:00:00'
    assert [b[1:3] for b in bad] == [(5, "observation_date")]


def test_broken_csv_line(warehouse, warehouse_paths):
    def write_bad(folder):
        path = write_feed(folder, "land_parcels", Q, parcels(20))
        lines = path.read_text().splitlines()
        lines[3] = lines[3] + ',"surplus field'  # an extra, unterminated field on line 4
        path.write_text("\n".join(lines) + "\n")

    message, bad = reject_reexport(warehouse, warehouse_paths, "land_parcels", parcels(20), write_bad)
    assert f"{PARCELS_FILE}, line 4" in message
    assert any(b[1] == 4 and b[3].startswith("broken_csv") for b in bad), bad


def cut_json_line(path, line):
    lines = path.read_text().splitlines()
    lines[line - 1] = lines[line - 1][:60]
    path.write_text("\n".join(lines) + "\n")


def test_broken_json_lines_line(warehouse, warehouse_paths):
    path = write_feed(land(warehouse_paths), "land_observations", Q, observations(10))
    load(warehouse, warehouse_paths, "land_observations", [Q]).raise_for_errors()
    before = digest(warehouse, "raw.land_observations")
    cut_json_line(path, 7)

    report = load(warehouse, warehouse_paths, "land_observations", [Q])

    # The file cannot be read at all; its name gives its quarter, which is rejected naming the
    # broken line (DuckDB's own message said "line 8"), and keeps what was published from the
    # previous version of the file.
    assert statuses(report) == {Q: "rejected"}
    assert digest(warehouse, "raw.land_observations") == before
    with pytest.raises(LoadError) as error:
        report.raise_for_errors()
    assert f"{OBSERVATIONS_FILE}, line 7: malformed JSON (" in str(error.value)
    assert "line 8" not in str(error.value)

    write_feed(land(warehouse_paths), "land_observations", Q, bad_observations(row0={"ndvi": 0.61}))
    fixed = load(warehouse, warehouse_paths, "land_observations", [Q])
    assert statuses(fixed) == {Q: "published"}
    assert published(warehouse, "land_observations", "ndvi")[-1] == (0.61,)


def test_an_unreadable_file_is_quarantined_and_recorded(warehouse, warehouse_paths):
    path = write_feed(land(warehouse_paths), "land_observations", Q, observations(10))
    load(warehouse, warehouse_paths, "land_observations", [Q]).raise_for_errors()
    cut_json_line(path, 7)

    load(warehouse, warehouse_paths, "land_observations", [Q])

    assert [q[0] for q in quarantined(warehouse, "land_observations")] == [OBSERVATIONS_FILE]
    assert warehouse.execute("select status from meta.loads order by finished_at").fetchall() == [
        ("published",),
        ("rejected",),
    ]


def test_a_file_name_without_a_quarter_is_reported_not_loaded(warehouse, warehouse_paths):
    write_feed(land(warehouse_paths), "land_parcels", Q, parcels(20))
    load(warehouse, warehouse_paths, "land_parcels", [Q]).raise_for_errors()
    before = digest(warehouse, "raw.land_parcels")
    # The feed's pattern (land_parcels_*.csv) matches it, but no quarter can be read from it.
    write_csv(
        land(warehouse_paths) / "land_parcels_2024.csv", parcels(5, start=40), COLUMN_NAMES["land_parcels"]
    )
    assert landing_quarters(warehouse_paths.landing) == {Q}

    report = load(warehouse, warehouse_paths, "land_parcels", [Q, "2024-Q4"])

    assert statuses(report) == {Q: "unchanged", "2024-Q4": "empty", "(unassigned)": "rejected"}
    assert digest(warehouse, "raw.land_parcels") == before
    with pytest.raises(LoadError) as error:
        report.raise_for_errors()
    assert "land_parcels_2024.csv: the file name carries no quarter (expected NAME_YYYY-Qn.csv)" in str(
        error.value
    )

    (land(warehouse_paths) / "land_parcels_2024.csv").rename(
        land(warehouse_paths) / "land_parcels_2024-Q4.csv"
    )
    renamed = load(warehouse, warehouse_paths, "land_parcels", [Q, "2024-Q4"])
    assert statuses(renamed) == {Q: "unchanged", "2024-Q4": "published"}
    assert renamed.rows_published == 5


def test_a_file_renamed_to_another_quarter_is_loaded_into_it(warehouse, warehouse_paths):
    path = write_feed(land(warehouse_paths), "land_parcels", Q, parcels(5))
    load(warehouse, warehouse_paths, "land_parcels", [Q]).raise_for_errors()

    path.rename(land(warehouse_paths) / "land_parcels_2024-Q4.csv")  # it was Q4's export
    report = load(warehouse, warehouse_paths, "land_parcels", ["2024-Q4"])

    assert statuses(report) == {"2024-Q4": "published"}


def test_an_unknown_event_type(warehouse, warehouse_paths):
    events = [parcel_event(n, p["cadastral_number"]) for n, p in enumerate(parcels(5))]
    bad = [dict(e) for e in events]
    bad[2]["event_type"] = "SEIZED"
    events_file = f"land_parcel_events_{Q}.csv"

    message, quarantine = reject_reexport(
        warehouse,
        warehouse_paths,
        "land_parcel_events",
        events,
        lambda folder: write_feed(folder, "land_parcel_events", Q, bad),
    )

    assert f"{events_file}, line 4, column event_type" in message and "'SEIZED'" in message
    assert [q[:3] for q in quarantine] == [(events_file, 4, "event_type")]


# ------------------------------------------------------------------------------------------------
# Quarters are published independently; a fixed file is published on the next run.
# ------------------------------------------------------------------------------------------------


def test_a_bad_quarter_does_not_hold_back_good_quarters(warehouse, warehouse_paths):
    write_feed(land(warehouse_paths), "land_parcels", PREVIOUS, parcels(10))
    write_feed(land(warehouse_paths), "land_parcels", Q, bad_parcels(10, row1={"land_category": "ORCHARD"}))
    write_feed(land(warehouse_paths), "land_parcels", "2024-Q4", parcels(10, start=20))

    report = load(warehouse, warehouse_paths, "land_parcels", [PREVIOUS, Q, "2024-Q4"])

    assert statuses(report) == {PREVIOUS: "published", Q: "rejected", "2024-Q4": "published"}
    counts = warehouse.execute(
        "select _partition_quarter, count(*) from raw.land_parcels group by 1 order by 1"
    ).fetchall()
    assert counts == [(PREVIOUS, 10), ("2024-Q4", 10)]
    assert [q[1:3] for q in quarantined(warehouse, "land_parcels")] == [(3, "land_category")]


def test_fixing_the_file_and_rerunning_publishes_it(warehouse, warehouse_paths):
    path = write_feed(land(warehouse_paths), "land_parcels", Q, bad_parcels(row2={"area_ha": "n/a"}))
    first = load(warehouse, warehouse_paths, "land_parcels", [Q])
    assert statuses(first) == {Q: "rejected"}
    assert warehouse.execute("select count(*) from raw.land_parcels").fetchone() == (0,)

    write_feed(land(warehouse_paths), "land_parcels", Q, parcels(20))
    second = load(warehouse, warehouse_paths, "land_parcels", [Q])

    assert statuses(second) == {Q: "published"}
    assert warehouse.execute("select count(*) from raw.land_parcels").fetchone() == (20,)
    loads = warehouse.execute(
        """
        select status, rows_published, rows_quarantined, files[1] = ?, message
        from meta.loads where feed = 'land_parcels' order by finished_at
    """,
        [str(path)],
    ).fetchall()
    assert [row[:4] for row in loads] == [("rejected", 0, 1, True), ("published", 20, 0, True)]
    assert f"{PARCELS_FILE}, line 4, column area_ha: not a valid double" in loads[0][4]
    assert loads[1][4] is None


def test_a_compressed_export_is_named_by_its_quarter():
    """The landing folder takes `.gz` copies of every pattern: the quarter is read without it."""
    assert file_quarter(Path("land_parcels_2024-Q2.csv.gz")) == "2024-Q2"
    assert file_quarter(Path("subsoil_detections_2024-Q3.jsonl.gz")) == "2024-Q3"
    assert file_quarter(Path("land_parcels_2024-Q2.csv.zip")) is None


IIN = "900315300123"
OTHER_Q = "2023-Q1"


def test_an_iin_in_a_parcel_is_kept_only_as_its_keyed_token(warehouse, warehouse_paths):
    """A parcel held by a person is registered under the holder's IIN: it is published as its
    keyed token (the same as in the eOtinish exports), and a re-export with an IIN where it is
    rejected (a KATO code) leaves none in the quarantine, the load's records or the message."""
    message, bad = reject_parcels(warehouse, warehouse_paths, bad_parcels(row5={"kato_code": f"x{IIN}"}))
    assert f"{PARCELS_FILE}, line 7, column kato_code" in message
    assert IIN not in message and IIN not in repr(bad)

    rows = parcels(20, start=100)
    rows[3].update(holder_type="INDIVIDUAL", holder_id=IIN)
    write_feed(land(warehouse_paths), "land_parcels", OTHER_Q, rows)
    load(warehouse, warehouse_paths, "land_parcels", [OTHER_Q]).raise_for_errors()
    (holder,) = warehouse.execute(
        "select holder_id from raw.land_parcels where cadastral_number = ?", [rows[3]["cadastral_number"]]
    ).fetchone()
    assert holder == iin_token(IIN, TEST_HASH_KEY.encode())
    assert find_iin_values(warehouse) == []


def test_parcels_published_in_clear_before_the_redaction_are_redacted_at_the_first_load_with_a_key(
    warehouse, warehouse_paths
):
    """Parcels published and set aside in clear, as the load did before land parcels were redacted
    (2026-12-05): the first load with a key redacts the published values, the quarantine and the
    load messages in place, with the token a reload would give."""
    in_clear = dataclasses.replace(LAND_PARCELS, redacted=frozenset())
    rows = parcels(20)
    rows[3].update(holder_type="INDIVIDUAL", holder_id=IIN)
    write_feed(land(warehouse_paths), "land_parcels", Q, rows)
    feeds.load_feed(warehouse, in_clear, warehouse_paths.landing, [Q]).raise_for_errors()
    bad = parcels(20, start=100)
    bad[5].update(kato_code=f"x{IIN}")
    write_feed(land(warehouse_paths), "land_parcels", OTHER_Q, bad)
    assert feeds.load_feed(warehouse, in_clear, warehouse_paths.landing, [OTHER_Q]).rejected
    assert {table for table, _, _ in find_iin_values(warehouse)} >= {
        "raw.land_parcels",
        "quarantine.land_parcels",
    }

    write_feed(land(warehouse_paths), "land_parcels", "2023-Q2", parcels(5, start=200))
    load(warehouse, warehouse_paths, "land_parcels", ["2023-Q2"]).raise_for_errors()
    assert find_iin_values(warehouse) == []
    (holder,) = warehouse.execute(
        "select holder_id from raw.land_parcels where cadastral_number = ?", [rows[3]["cadastral_number"]]
    ).fetchone()
    assert holder == iin_token(IIN, TEST_HASH_KEY.encode())


def test_a_licensee_published_in_clear_before_the_redaction_is_redacted_at_the_first_load_with_a_key(
    warehouse, warehouse_paths
):
    """A subsoil licence held by an individual entrepreneur under their IIN (holder_name),
    published in clear as the load did before subsoil sites were redacted (2026-12-06): the first
    load with a key redacts it in place, with the token a reload would give; a new licence's IIN
    is redacted in the read, whatever surrounds it."""
    in_clear = dataclasses.replace(SUBSOIL_SITES, redacted=frozenset())
    first = [site(), site("5678-ML", (SITE_CORNER[0] + 0.1, SITE_CORNER[1]), holder_name=f"IP {IIN}")]
    write_feed(land(warehouse_paths), "subsoil_sites", Q, first)
    feeds.load_feed(warehouse, in_clear, warehouse_paths.landing, [Q]).raise_for_errors()
    assert {table for table, _, _ in find_iin_values(warehouse)} == {"raw.subsoil_sites"}

    later = site("9012-ML", (SITE_CORNER[0] + 0.2, SITE_CORNER[1]), holder_name=f"IP u-{IIN}")
    write_feed(land(warehouse_paths), "subsoil_sites", OTHER_Q, [later])
    load(warehouse, warehouse_paths, "subsoil_sites", [OTHER_Q]).raise_for_errors()
    assert find_iin_values(warehouse) == []
    token = iin_token(IIN, TEST_HASH_KEY.encode())
    holders = warehouse.execute("select licence_number, holder_name from raw.subsoil_sites").fetchall()
    expected = {"1234-ML": "Test Mining LLP", "5678-ML": f"IP {token}", "9012-ML": f"IP u-{token}"}
    assert dict(holders) == expected
