"""Small hand-made land and subsoil monitoring files for tests: a few valid rows of each feed in
real KATO districts, with small polygons in Kazakhstan that are easy to break on purpose.

Areas are measured here as geodesics on the WGS 84 ellipsoid (pyproj.Geod), independently of the
equal-area projection the loader uses; for parcels of a square kilometre the two agree to far
better than the 5 % the loader tolerates."""

import csv
import json
from pathlib import Path

from pyproj import Geod

from ingest.land_schema import COLUMNS, FEEDS, file_name

GEOD = Geod(ellps="WGS84")
COLUMN_NAMES = {feed: [name for name, _ in columns] for feed, columns in COLUMNS.items()}
# Two level-2 KATO districts that exist: (region, district digits of the cadastral number, the
# corner the parcels are drawn from (lon, lat)).
DISTRICTS = {
    "104000000": ("10", "040", (80.90, 50.70)),  # Borodulikha district, Abai region
    "113200000": ("11", "032", (70.90, 51.95)),  # Akkol district, Akmola region
}
SIZE = 0.01  # degrees: a parcel is about 0.7 km x 1.1 km, some 75-80 ha


def _fmt(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


def ring_wkt(points: list[tuple[float, float]]) -> str:
    """POLYGON WKT of a closed ring of (lon, lat) points (the first point is repeated at the end)."""
    ring = [*points, points[0]]
    return "POLYGON ((" + ", ".join(f"{_fmt(x)} {_fmt(y)}" for x, y in ring) + "))"


def square(lon: float, lat: float, size: float = SIZE) -> list[tuple[float, float]]:
    """The corners of a lon/lat square, counter-clockwise from its south-west corner."""
    return [(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size)]


def bow_tie(lon: float, lat: float, size: float = SIZE) -> list[tuple[float, float]]:
    """The same corners in an order that crosses itself (a figure of eight)."""
    a, b, c, d = square(lon, lat, size)
    return [a, b, d, c]


def geodesic_area_ha(points: list[tuple[float, float]]) -> float:
    lons, lats = zip(*points, strict=True)
    area, _ = GEOD.polygon_area_perimeter(lons, lats)
    return abs(area) / 10_000


def point_wkt(lon: float, lat: float) -> str:
    return f"POINT ({_fmt(lon)} {_fmt(lat)})"


def moved(lon: float, lat: float, azimuth: float, metres: float) -> tuple[float, float]:
    """The point `metres` away along a geodesic leaving (lon, lat) at `azimuth` degrees."""
    lon2, lat2, _ = GEOD.fwd(lon, lat, azimuth, metres)
    return lon2, lat2


def parcel_corner(number: int, kato: str = "104000000") -> tuple[float, float]:
    """Parcels of a district sit on a grid, 10 to a row, apart from each other."""
    lon, lat = DISTRICTS[kato][2]
    return lon + (number % 10) * 2 * SIZE, lat + (number // 10) * 2 * SIZE


def cadastral_number(number: int, kato: str = "104000000") -> str:
    region, district, _ = DISTRICTS[kato]
    return f"{region}-{district}-001-{number:04d}"


def parcel(number: int, kato: str = "104000000", **changes) -> dict:
    """A valid arable parcel on lease whose stated area is its drawn area."""
    corners = square(*parcel_corner(number, kato))
    row = {
        "cadastral_number": cadastral_number(number, kato),
        "kato_code": kato,
        "land_category": "ARABLE",
        "area_ha": round(geodesic_area_ha(corners), 2),
        "holder_type": "PEASANT_FARM",
        "holder_id": f"H{number:08d}",
        "tenure_type": "LEASE",
        "lease_start": "2015-03-01",
        "lease_end": "2064-03-01",
        "geometry_wkt": ring_wkt(corners),
        "updated_at": "2024-07-15T10:00:00",
    }
    row.update(changes)
    return row


def parcels(count: int, start: int = 0) -> list[dict]:
    """`count` valid parcels, alternately in the two districts."""
    kato = list(DISTRICTS)
    return [parcel(n, kato[n % 2]) for n in range(start, start + count)]


def observation(
    number: int, cadastral: str, season: str = "2024-SUMMER", date: str = "2024-07-20", **changes
) -> dict:
    row = {
        "observation_id": f"OBS-{number:08d}-{season}",
        "cadastral_number": cadastral,
        "season": season,
        "observation_date": date,
        "usage_class": "USED",
        "ndvi": 0.55,
        "used_share": 0.9,
        "cloud_share": 0.02,
        "satellite": "SENTINEL_2A",
    }
    row.update(changes)
    return row


def observations(count: int) -> list[dict]:
    """One summer observation for each of `count` parcels of parcels(count)."""
    return [observation(n, p["cadastral_number"]) for n, p in enumerate(parcels(count))]


def parcel_event(number: int, cadastral: str, **changes) -> dict:
    row = {
        "event_id": f"EV-{number:07d}",
        "cadastral_number": cadastral,
        "event_type": "NOTICE_ISSUED",
        "event_date": "2024-08-01",
        "area_ha": 75.0,
        "reason": "UNUSED",
        "channel": None,
        "new_holder_type": None,
        "recorded_at": "2024-08-05T09:30:00",
    }
    row.update(changes)
    return row


SITE_CORNER = (74.50, 48.80)  # a licensed contour in Karaganda region
SITE_SIZE = 0.02


def site_contour(corner: tuple[float, float] = SITE_CORNER) -> list[tuple[float, float]]:
    return square(*corner, SITE_SIZE)


def site(licence: str = "1234-ML", corner: tuple[float, float] = SITE_CORNER, **changes) -> dict:
    contour = site_contour(corner)
    row = {
        "licence_number": licence,
        "licence_type": "MINING",
        "holder_name": "Test Mining LLP",
        "mineral": "COPPER",
        "kato_code": "351010000",
        "licence_start": "2019-05-01",
        "licence_end": "2044-05-01",
        "area_ha": round(geodesic_area_ha(contour), 2),
        "geometry_wkt": ring_wkt(contour),
        "updated_at": "2024-07-01T12:00:00",
    }
    row.update(changes)
    return row


def detection(number: int, lon: float, lat: float, licence: str = "1234-ML", **changes) -> dict:
    row = {
        "detection_id": f"DET-{number:07d}",
        "licence_number": licence,
        "detection_date": "2024-08-10",
        "activity_type": "EXCAVATION",
        "disturbed_area_ha": 1.5,
        "confidence": 0.9,
        "satellite": "KAZEOSAT_1",
        "geometry_wkt": point_wkt(lon, lat),
    }
    row.update(changes)
    return row


def write_csv(path: Path, rows: list[dict], columns: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return path


def write_feed(
    folder: Path, feed: str, quarter: str, rows: list[dict], columns: list[str] | None = None
) -> Path:
    """The quarter's file of a feed under its contract name (CSV or JSON Lines)."""
    path = folder / file_name(feed, quarter)
    if FEEDS[feed].endswith(".csv"):
        return write_csv(path, rows, columns or COLUMN_NAMES[feed])
    return write_jsonl(path, rows)


def data_rows(path: Path) -> int:
    """Rows a landing file holds (CSV: lines after the header; JSON Lines: non-empty lines)."""
    if path.suffix == ".csv":
        with path.open(newline="") as handle:
            return sum(1 for _ in csv.reader(handle)) - 1
    return sum(1 for line in path.read_text().splitlines() if line.strip())
