"""Placing subsoil detections against their licence's contour in the load (ingest/land.py,
check_detections): a point outside Kazakhstan (latitude and longitude swapped, as a rule) is left
undecided with the reason, not published as outside the contour thousands of kilometres away; and
of two snapshots of a licence with the same updated_at, the detections are placed against the one
dbt takes (int_subsoil_sites__current: the latest file quarter, then the latest load).

These run the real loaders, DuckDB and Great Expectations on small hand-made files."""

import pytest
from land_files import SITE_CORNER, detection, site, write_feed

from catalog.land import load_land_feed
from ingest.geometry import KZ_BBOX

pytestmark = pytest.mark.slow

Q = "2024-Q3"


def land(paths):
    return paths.landing / "land"


def load(con, paths, feed, quarters):
    return load_land_feed(con, feed, paths.landing, quarters)


def statuses(report):
    return {p.partition_key: p.status for p in report.partitions}


def test_a_detection_outside_kazakhstan_is_undecided_not_outside_its_contour(warehouse, warehouse_paths):
    write_feed(land(warehouse_paths), "subsoil_sites", Q, [site()])
    load(warehouse, warehouse_paths, "subsoil_sites", [Q]).raise_for_errors()
    lon, lat = round(SITE_CORNER[0] + 0.01, 6), round(SITE_CORNER[1] + 0.01, 6)  # inside the contour
    assert not (KZ_BBOX[0] <= lat <= KZ_BBOX[2] and KZ_BBOX[1] <= lon <= KZ_BBOX[3])
    rows = [
        detection(1, lon, lat),
        detection(2, round(lon + 0.05, 6), lat),  # in Kazakhstan, some 3 km east of the contour
        detection(3, lat, lon),  # the first point with latitude and longitude swapped (the Arctic)
        detection(4, 10.0, 10.0),  # far from anywhere near Kazakhstan
    ]
    write_feed(land(warehouse_paths), "subsoil_detections", Q, rows)

    report = load(warehouse, warehouse_paths, "subsoil_detections", [Q])

    assert statuses(report) == {Q: "published"}  # flagged on the row, the quarter kept
    placed = warehouse.execute("""
        select detection_id, licence_known, point_lon, point_lat, inside_contour, on_contour_edge,
            distance_outside_m, contour_issue
        from raw.subsoil_detections order by 1
    """).fetchall()
    assert placed[0] == ("DET-0000001", True, lon, lat, True, False, 0.0, None)
    assert placed[1][:6] == ("DET-0000002", True, round(lon + 0.05, 6), lat, False, False)
    assert 2500 < placed[1][6] < 3500 and placed[1][7] is None
    for row, (x, y) in zip(placed[2:], [(lat, lon), (10.0, 10.0)], strict=True):
        # readable, kept where it was said to be, but not placed against the contour
        assert row[1:7] == (True, x, y, None, None, None)
        assert "outside Kazakhstan" in row[7] and "swapped" in row[7]
    # only the one in Kazakhstan counts as outside the licensed contour
    assert warehouse.execute(
        "select count(*) filter (where not inside_contour) from raw.subsoil_detections"
    ).fetchone() == (1,)


@pytest.mark.parametrize("order", [("2024-Q2", "2024-Q3"), ("2024-Q3", "2024-Q2")])
def test_snapshots_with_the_same_updated_at_place_detections_as_dbt_does(warehouse, warehouse_paths, order):
    """Licence 1234-ML is re-sent in 2024-Q3's file with a corrected contour (B, 0.5 degrees east of
    A) but the same updated_at: dbt's current snapshot is the 2024-Q3 one, whichever file was loaded
    first, and the detections are placed against B."""
    a = SITE_CORNER
    b = (SITE_CORNER[0] + 0.5, SITE_CORNER[1])
    stamp = "2024-06-01T00:00:00"
    write_feed(land(warehouse_paths), "subsoil_sites", "2024-Q2", [site(corner=a, updated_at=stamp)])
    write_feed(land(warehouse_paths), "subsoil_sites", "2024-Q3", [site(corner=b, updated_at=stamp)])
    for quarter in order:
        load(warehouse, warehouse_paths, "subsoil_sites", [quarter]).raise_for_errors()
    rows = [
        detection(1, b[0] + 0.01, b[1] + 0.01),  # inside B
        detection(2, a[0] + 0.01, a[1] + 0.01),  # inside A
        # dated before both snapshots: placed against the earliest, of which the tie is B too
        detection(3, b[0] + 0.01, b[1] + 0.01, detection_date="2024-05-01"),
        detection(4, a[0] + 0.01, a[1] + 0.01, detection_date="2024-05-01"),
    ]
    write_feed(land(warehouse_paths), "subsoil_detections", Q, rows)

    load(warehouse, warehouse_paths, "subsoil_detections", [Q]).raise_for_errors()

    placed = warehouse.execute(
        "select detection_id, inside_contour from raw.subsoil_detections order by 1"
    ).fetchall()
    assert placed == [
        ("DET-0000001", True),
        ("DET-0000002", False),
        ("DET-0000003", True),
        ("DET-0000004", False),
    ]
