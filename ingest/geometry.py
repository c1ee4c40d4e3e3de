"""Vectorised geometry checks for the land and subsoil monitoring feeds (`ingest.land_schema`).

Every function takes whole columns (numpy arrays, pandas Series, pyarrow arrays or lists) of WKT
text in EPSG:4326, lon/lat axis order, and returns a pandas DataFrame with one row per input row,
in input order (RangeIndex), so that a loader can attach it to its staged rows and write it back
into DuckDB in bulk (`con.register('checks', df)` or `pyarrow.Table.from_pandas(df)`). The work is
done by shapely 2 ufuncs (GEOS, in C) and pyproj on arrays; there is no Python loop per row except
over rows whose WKT cannot be parsed at all (to quote the parser's message; rare by nature).

One bad row never raises: unparsable text, an empty or missing geometry, a wrong geometry type
or a self-intersecting ring is reported as `is_valid = False` with an `invalid_reason`. The parser's
message quotes the text it could not read: an IIN in it is masked (`iin:redacted`, ingest.privacy).

Projection. Areas are computed in an Albers equal-area conic projection on the WGS 84 ellipsoid
centred on Kazakhstan (`KZ_EQUAL_AREA`: central meridian 67 E, latitude of origin 48 N, standard
parallels 43 N and 53 N, i.e. the one-sixth rule over the country's 40.5-55.5 N). Albers is
equal-area everywhere, so any parameters give correct areas; centring them on the country keeps
shapes (and hence the straight-edge approximation and distances) close to true: the linear scale
stays within about +/-1.5 % between 40 N and 56 N. Straight edges in lon/lat are treated as straight
in the projection, which is immaterial for parcel-sized edges (kilometres). Distances outside a
contour are not taken from the projection: the nearest pair of points is found there and its
length measured as a geodesic on the WGS 84 ellipsoid (`pyproj.Geod`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Geod, Transformer

from ingest.privacy import redact_text

KZ_EQUAL_AREA = CRS.from_proj4(
    "+proj=aea +lat_0=48 +lon_0=67 +lat_1=43 +lat_2=53 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
)
WGS84 = CRS.from_epsg(4326)
GEOD = Geod(ellps="WGS84")
SQUARE_METRES_PER_HECTARE = 10_000.0
# Kazakhstan's bounding box (lon_min, lat_min, lon_max, lat_max), with a margin; a geometry outside
# it is usually one with latitude and longitude swapped.
KZ_BBOX = (46.0, 40.0, 88.0, 56.0)
POLYGONAL = ("Polygon", "MultiPolygon")
VALID = "Valid Geometry"  # what shapely.is_valid_reason says of a valid geometry


@cache
def _forward() -> Transformer:
    return Transformer.from_crs(WGS84, KZ_EQUAL_AREA, always_xy=True)


@cache
def _inverse() -> Transformer:
    return Transformer.from_crs(KZ_EQUAL_AREA, WGS84, always_xy=True)


def _project(coords: np.ndarray) -> np.ndarray:
    x, y = _forward().transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def _unproject_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _inverse().transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def to_equal_area(geoms: np.ndarray) -> np.ndarray:
    """Shapely geometries in lon/lat -> the same in KZ_EQUAL_AREA metres (None stays None)."""
    return shapely.transform(geoms, _project)


def _none(a: np.ndarray) -> np.ndarray:
    """Elementwise `is None` over an object array."""
    return np.equal(a, None)


def _as_object_array(values: Any) -> np.ndarray:
    """A 1-d object array of str or None from a list, numpy array, pandas Series or pyarrow array."""
    if hasattr(values, "to_numpy") and not isinstance(values, (np.ndarray, pd.Series, pd.Index)):
        values = values.to_numpy(zero_copy_only=False)  # pyarrow Array / ChunkedArray
    arr = np.asarray(values, dtype=object).reshape(-1)
    missing = pd.isna(arr)
    if missing.any():
        arr = arr.copy()
        arr[missing] = None
    return arr


def parse_wkt(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """WKT text -> (geometries, parse_error). A row that is missing or cannot be parsed has geometry
    None and a reason ('missing geometry' or 'unparsable WKT: <parser message>'); others None."""
    text = _as_object_array(values)
    try:
        geoms = shapely.from_wkt(text, on_invalid="ignore")
    except TypeError:  # some values are not text: parse their str()
        text = np.array(
            [v if v is None or isinstance(v, str | bytes) else str(v) for v in text], dtype=object
        )
        geoms = shapely.from_wkt(text, on_invalid="ignore")
    errors = np.full(len(text), None, dtype=object)
    failed = shapely.is_missing(geoms)
    errors[failed & _none(text)] = "missing geometry"
    for i in np.flatnonzero(failed & ~_none(text)):  # only the unparsable rows
        if not str(text[i]).strip():
            errors[i] = "missing geometry"
            continue
        try:
            shapely.from_wkt(text[i], on_invalid="raise")
            errors[i] = "unparsable WKT"
        except Exception as exc:  # GEOSException, and anything else the parser says
            # The message quotes the text (`Unknown type: 'IIN900315300123'`): an IIN in it is
            # masked before the message is cut (a cut could leave part of one in clear).
            errors[i] = f"unparsable WKT: {redact_text(str(exc).strip(), masked=True)[:200]}"
    return geoms, errors


def geometry_checks(
    values: Any, allowed_types: Sequence[str] | None = POLYGONAL, repair_invalid: bool = True
) -> pd.DataFrame:
    """Validity, area and centroid of each WKT polygon.

    Columns: is_valid (bool), invalid_reason (None when valid; shapely's is_valid_reason, e.g.
    'Self-intersection[68.1 51.2]', or a parse/type/empty reason), geom_type, area_ha (in the
    equal-area projection; for an invalid but parsed polygon the area of shapely.make_valid of it
    when repair_invalid, else None), area_from_repair (bool), centroid_lon, centroid_lat (of the
    area-weighted centroid in the projection, back in lon/lat), in_kz_bbox (bool).
    """
    geoms, errors = parse_wkt(values)
    n = len(geoms)
    parsed = _none(errors)
    geom_type = np.full(n, None, dtype=object)
    type_ids = shapely.get_type_id(geoms)
    names = np.array(
        [
            "Point",
            "LineString",
            "LinearRing",
            "Polygon",
            "MultiPoint",
            "MultiLineString",
            "MultiPolygon",
            "GeometryCollection",
        ],
        dtype=object,
    )
    geom_type[parsed] = names[type_ids[parsed]]

    reason = errors.copy()
    empty = parsed & shapely.is_empty(geoms)
    reason[empty] = "empty geometry"
    if allowed_types is not None:
        wrong = parsed & ~empty & ~np.isin(geom_type, list(allowed_types))
        reason[wrong] = np.char.add("wrong geometry type: ", geom_type[wrong].astype(str)).astype(object)
    todo = _none(reason)
    why = shapely.is_valid_reason(geoms[todo])
    sub = reason[todo]
    sub[why != VALID] = why[why != VALID]
    reason[todo] = sub
    is_valid = _none(reason)
    # coordinates out of range make invalid geometries for our purpose, with their own reason
    bounds = shapely.bounds(geoms)  # NaN for None/empty
    with np.errstate(invalid="ignore"):
        out_of_range = (np.abs(bounds[:, [0, 2]]) > 180).any(axis=1) | (np.abs(bounds[:, [1, 3]]) > 90).any(
            axis=1
        )
    reason[is_valid & out_of_range] = "coordinates out of range for EPSG:4326 lon/lat"
    is_valid &= ~out_of_range

    measurable = is_valid.copy()
    use = geoms.copy()
    repaired = np.zeros(n, dtype=bool)
    if repair_invalid:
        fixable = parsed & ~empty & ~is_valid & ~out_of_range & np.isin(geom_type, list(POLYGONAL))
        if fixable.any():
            use[fixable] = shapely.make_valid(geoms[fixable])
            repaired = fixable
            measurable |= fixable
    area_ha = np.full(n, np.nan)
    c_lon = np.full(n, np.nan)
    c_lat = np.full(n, np.nan)
    if measurable.any():
        projected = to_equal_area(use[measurable])
        area_ha[measurable] = shapely.area(projected) / SQUARE_METRES_PER_HECTARE
        cent = shapely.centroid(projected)
        lon, lat = _unproject_xy(shapely.get_x(cent), shapely.get_y(cent))
        c_lon[measurable], c_lat[measurable] = lon, lat
    with np.errstate(invalid="ignore"):
        in_bbox = (
            (bounds[:, 0] >= KZ_BBOX[0])
            & (bounds[:, 1] >= KZ_BBOX[1])
            & (bounds[:, 2] <= KZ_BBOX[2])
            & (bounds[:, 3] <= KZ_BBOX[3])
        )
    return pd.DataFrame(
        {
            "is_valid": is_valid,
            "invalid_reason": reason,
            "geom_type": geom_type,
            "area_ha": area_ha,
            "area_from_repair": repaired,
            "centroid_lon": c_lon,
            "centroid_lat": c_lat,
            "in_kz_bbox": in_bbox,
        }
    )


def area_disagreement(
    stated_ha: Any, geometry_ha: Any, tolerance: float = 0.05, abs_tolerance_ha: float = 0.0
) -> pd.DataFrame:
    """Compare a stated area with the geometry's area (both hectares).

    area_diff_ha = geometry - stated; area_diff_ratio = |diff| / stated; area_mismatch is True when
    |diff| > max(tolerance * stated, abs_tolerance_ha) (a stated area of 0 or less with any
    geometry area beyond abs_tolerance_ha counts), and None (unknown) when either area is missing.
    A mismatching parcel is flagged, not dropped.
    """
    stated = pd.to_numeric(
        pd.Series(np.asarray(stated_ha, dtype=object).reshape(-1)), errors="coerce"
    ).to_numpy(dtype=float)
    geom = pd.to_numeric(
        pd.Series(np.asarray(geometry_ha, dtype=object).reshape(-1)), errors="coerce"
    ).to_numpy(dtype=float)
    if len(stated) != len(geom):
        raise ValueError(f"stated_ha has {len(stated)} values, geometry_ha {len(geom)}")
    if tolerance < 0 or abs_tolerance_ha < 0:
        raise ValueError("tolerances are non-negative")
    diff = geom - stated
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(stated > 0, np.abs(diff) / stated, np.where(np.abs(diff) > 0, np.inf, 0.0))
    ratio[np.isnan(diff)] = np.nan
    limit = np.maximum(tolerance * np.maximum(stated, 0.0), abs_tolerance_ha)
    known = ~np.isnan(diff)
    flag = pd.array(np.abs(diff) > limit, dtype="boolean")
    flag[~known] = pd.NA
    return pd.DataFrame({"area_diff_ha": diff, "area_diff_ratio": ratio, "area_mismatch": flag})


def points_in_contours(points_wkt: Any, contours_wkt: Any) -> pd.DataFrame:
    """Row-wise: is point i inside contour i (a detection against its licence's contour)?

    A point exactly on the contour's edge counts as inside (shapely.covers, not contains); it is
    also reported as on_boundary. Columns: point_ok, contour_ok (parsed, of the right type),
    contour_valid (an invalid contour is tested after shapely.make_valid), inside (bool, None when
    either side is unusable), on_boundary, distance_outside_m (0 inside; geodesic metres from the
    point to the nearest point of the contour otherwise; None when unusable), reason.
    """
    pts, p_err = parse_wkt(points_wkt)
    polys, c_err = parse_wkt(contours_wkt)
    if len(pts) != len(polys):
        raise ValueError(f"{len(pts)} points but {len(polys)} contours")
    n = len(pts)
    reason = np.full(n, None, dtype=object)
    p_type, c_type = shapely.get_type_id(pts), shapely.get_type_id(polys)
    point_ok = _none(p_err) & (p_type == 0) & ~shapely.is_empty(pts)
    contour_ok = _none(c_err) & np.isin(c_type, [3, 6]) & ~shapely.is_empty(polys)
    reason[_none(p_err) & ~point_ok] = "point: not a non-empty POINT"
    reason[~_none(p_err)] = np.char.add("point: ", p_err[~_none(p_err)].astype(str))
    c_bad = ~contour_ok & _none(reason)
    reason[c_bad & _none(c_err)] = "contour: not a non-empty (MULTI)POLYGON"
    c_msg = c_bad & ~_none(c_err)
    reason[c_msg] = np.char.add("contour: ", c_err[c_msg].astype(str)).astype(object)
    usable = point_ok & contour_ok

    contour_valid = np.zeros(n, dtype=bool)
    contour_valid[contour_ok] = shapely.is_valid(polys[contour_ok])
    fix = contour_ok & ~contour_valid
    if fix.any():
        polys = polys.copy()
        polys[fix] = shapely.make_valid(polys[fix])

    inside = np.zeros(n, dtype=bool)
    on_edge = np.zeros(n, dtype=bool)
    inside[usable] = shapely.covers(polys[usable], pts[usable])
    on_edge[usable] = inside[usable] & ~shapely.contains(polys[usable], pts[usable])
    dist = np.full(n, np.nan)
    dist[usable & inside] = 0.0
    out = usable & ~inside
    if out.any():
        # nearest points found in the equal-area projection, measured as a geodesic
        line = shapely.shortest_line(to_equal_area(polys[out]), to_equal_area(pts[out]))
        start, end = shapely.get_point(line, 0), shapely.get_point(line, -1)
        lon1, lat1 = _unproject_xy(shapely.get_x(start), shapely.get_y(start))
        lon2, lat2 = _unproject_xy(shapely.get_x(end), shapely.get_y(end))
        _, _, meters = GEOD.inv(lon1, lat1, lon2, lat2)
        dist[out] = meters
    inside_col = pd.array(inside, dtype="boolean")
    inside_col[~usable] = pd.NA
    edge_col = pd.array(on_edge, dtype="boolean")
    edge_col[~usable] = pd.NA
    return pd.DataFrame(
        {
            "point_ok": point_ok,
            "contour_ok": contour_ok,
            "contour_valid": contour_valid,
            "inside": inside_col,
            "on_boundary": edge_col,
            "distance_outside_m": dist,
            "reason": reason,
        }
    )
