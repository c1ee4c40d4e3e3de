"""Tests of ingest.geometry: validity, equal-area hectares, area disagreement, point in contour."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from ingest.geometry import area_disagreement, geometry_checks, points_in_contours

SQUARE = "POLYGON ((68 51, 68.01 51, 68.01 51.01, 68 51.01, 68 51))"
BOW_TIE = "POLYGON ((68 51, 68.01 51.01, 68.01 51, 68 51.01, 68 51))"
UNIT = "POLYGON ((70 50, 70.1 50, 70.1 50.1, 70 50.1, 70 50))"


def _cell_area_ha(lon0: float, lat0: float, dlon: float, dlat: float) -> float:
    """By hand: a small lon/lat cell on the WGS 84 ellipsoid is M * dphi by N * cos(phi) * dlambda
    (meridional and prime-vertical radii of curvature at the cell's middle latitude)."""
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    phi = math.radians(lat0 + dlat / 2)
    w = 1 - e2 * math.sin(phi) ** 2
    m = a * (1 - e2) / w**1.5
    n = a / math.sqrt(w)
    return m * math.radians(dlat) * n * math.cos(phi) * math.radians(dlon) / 10_000


def test_valid_square_area_matches_hand_computation() -> None:
    df = geometry_checks([SQUARE, UNIT])
    assert df["is_valid"].tolist() == [True, True]
    assert df["invalid_reason"].isna().all()
    expected = [_cell_area_ha(68, 51, 0.01, 0.01), _cell_area_ha(70, 50, 0.1, 0.1)]
    assert expected[0] == pytest.approx(78.1, abs=0.5)  # ~1.11 km by ~0.70 km
    for got, want in zip(df["area_ha"], expected, strict=True):
        assert got == pytest.approx(want, rel=0.005)
    assert df.loc[0, "centroid_lon"] == pytest.approx(68.005, abs=1e-6)
    assert df.loc[0, "centroid_lat"] == pytest.approx(51.005, abs=1e-4)
    assert df["in_kz_bbox"].all()
    assert not df["area_from_repair"].any()


def test_bow_tie_is_invalid_with_reason() -> None:
    df = geometry_checks([BOW_TIE])
    row = df.iloc[0]
    assert not row["is_valid"]
    assert row["invalid_reason"].startswith("Self-intersection")
    # the area of the repaired shape (two triangles), marked as such
    assert row["area_from_repair"]
    assert row["area_ha"] == pytest.approx(_cell_area_ha(68, 51, 0.01, 0.01) / 2, rel=0.01)


def test_unparsable_missing_empty_and_wrong_type_never_raise() -> None:
    rows = [
        "POLYGON ((68 51, 68.01",
        "not wkt at all",
        "",
        None,
        float("nan"),
        "POLYGON EMPTY",
        "POINT (68 51)",
        "POLYGON ((251 51, 252 51, 252 52, 251 51))",
        SQUARE,
    ]
    df = geometry_checks(np.array(rows, dtype=object))
    assert len(df) == len(rows)
    assert df["is_valid"].tolist() == [False] * 8 + [True]
    reasons = df["invalid_reason"].tolist()
    assert reasons[0].startswith("unparsable WKT") and reasons[1].startswith("unparsable WKT")
    assert reasons[2] == reasons[3] == reasons[4] == "missing geometry"
    assert reasons[5] == "empty geometry"
    assert reasons[6] == "wrong geometry type: Point"
    assert "out of range" in reasons[7]
    assert df["area_ha"][:8].isna().all()


def test_accepts_pandas_and_pyarrow_columns() -> None:
    a = geometry_checks(pd.Series([SQUARE, None]))
    b = geometry_checks(pa.chunked_array([[SQUARE], [None]]))
    pd.testing.assert_frame_equal(a, b)
    assert len(geometry_checks([])) == 0


def test_area_mismatch_flag_with_tolerance() -> None:
    geom_ha = geometry_checks([SQUARE] * 5)["area_ha"]
    true = geom_ha[0]
    stated = [true, true * 1.04, true * 1.10, None, 0.0]
    df = area_disagreement(stated, geom_ha, tolerance=0.05)
    assert df["area_mismatch"].tolist()[:3] == [False, False, True]
    assert pd.isna(df["area_mismatch"][3])
    assert df["area_mismatch"][4]
    assert df["area_diff_ratio"][2] == pytest.approx(0.1 / 1.1)
    assert area_disagreement(stated[:3], geom_ha[:3], tolerance=0.2)["area_mismatch"].sum() == 0
    # an absolute floor keeps tiny parcels from being flagged for rounding
    small = area_disagreement([0.5], [0.6], tolerance=0.05, abs_tolerance_ha=0.2)
    assert not small["area_mismatch"][0]


CONTOUR = "POLYGON ((68 51, 68.01 51, 68.01 51.01, 68 51.01, 68 51))"


def test_point_inside_outside_and_on_edge() -> None:
    points = [
        "POINT (68.005 51.005)",  # inside
        "POINT (68.01 51.005)",  # exactly on the east edge: counts as inside
        "POINT (68 51)",  # a vertex: inside too
        "POINT (68.02 51.005)",  # 0.01 deg east of the edge: outside
        "POINT (68.005 51.02)",
    ]  # 0.01 deg north of the edge: outside
    df = points_in_contours(points, [CONTOUR] * len(points))
    assert df["inside"].tolist() == [True, True, True, False, False]
    assert df["on_boundary"].tolist() == [False, True, True, False, False]
    assert df["distance_outside_m"][:3].tolist() == [0.0, 0.0, 0.0]
    east = 0.01 * 111_320 * math.cos(math.radians(51.005))
    assert df["distance_outside_m"][3] == pytest.approx(east, rel=0.01)  # ~700 m
    assert df["distance_outside_m"][4] == pytest.approx(1_112, rel=0.01)  # 0.01 deg of latitude


def test_bad_points_and_contours_are_reported_not_raised() -> None:
    df = points_in_contours(
        ["POINT (68 5", "POINT (68.005 51.005)", "POLYGON EMPTY", None, "POINT (68.008 51.005)"],
        [CONTOUR, "LINESTRING (68 51, 69 52)", CONTOUR, CONTOUR, BOW_TIE],
    )
    assert df["inside"].isna().tolist() == [True, True, True, True, False]
    assert df["reason"][0].startswith("point: unparsable WKT")
    assert df["reason"][1].startswith("contour:")
    assert df["reason"][3] == "point: missing geometry"
    # an invalid contour is tested after make_valid (two triangles): a point in the east one
    assert not df["contour_valid"][4]
    assert df["inside"][4]
