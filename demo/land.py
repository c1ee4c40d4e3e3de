"""Deterministic synthetic files of Kazakhstan's space monitoring of agricultural land and subsoil
use, in the layout of `ingest.land_schema` (five files per quarter, 2022-Q1..2025-Q4).

* Parcels: real level-2 KATO districts (from data/reference/kato_2022-10-17_ru.csv) in all 20
  regions, weighted roughly by agricultural land; land category, holder, tenure and a lognormal
  area per category; a jittered, rotated rectangle of that area built in the equal-area projection
  of `ingest.geometry` and written as WKT lon/lat. Locations are scattered around approximate
  region centres (`REGIONS`), not clipped to real boundaries, and parcels may overlap. About
  88 % of parcels are in the registry from the start (2022-Q1 file), the rest are registered in
  later quarters; a redistributed parcel appears again (new holder) in the quarter of its
  redistribution. Planted defects: ~0.6 % self-intersecting (bow-tie) polygons, ~0.1 % truncated
  (unparsable) WKT, ~2 % parcels whose stated area is off by 25-100 %.
* Events: per year 2022..2025 parcels are withdrawn (returned to the state) until the year's
  withdrawn hectares reach the published national figure (5.4, 4.6, 2.2, 2.1 million ha) divided by
  the run's scale factor: `scale_factor(n) = DEMO_SCALE_FACTOR * BUNDLED_PARCELS / n`, i.e. 100 for
  the bundled 3,000 parcels (a demo hectare stands for 100 real ones). Pastures go first (12.5 of
  the 14.3 million ha returned were pastures). A withdrawal follows a NOTICE_ISSUED; ~60 % of whole
  withdrawals are REDISTRIBUTED (tender or common grazing) later; ~3 % of other parcels get a
  notice and come BACK_IN_USE. Events are filed in the quarter they were recorded (a few days to
  weeks late).
* Observations: per parcel, year and growing season (SPRING, SUMMER, AUTUMN; scale mode: chosen
  seasons) one scene: UNUSED while the parcel is unused (from a year before its notice until it is
  redistributed or back in use), mostly USED otherwise; NO_DATA under cloud.
* Subsoil sites: licences with a star-shaped hexagonal contour (~1 % self-intersecting) in mining
  regions, and detections of activity near them: ~85 % strictly inside, ~3 % exactly on a contour
  vertex (inside under `covers`), ~12 % 100 m-3 km outside. Outside detections in 2023 times the
  scale factor are of the order of the 2,503 illegal mining cases published for 2023.

Every attribute is a counter-based hash of the row's index and the seed (vectorised numpy), so the
output is byte-deterministic for (seed, parcels, sites, chunk). Scale mode processes parcels in
chunks with bounded memory (withdrawal targets are met per chunk).

CLI::

    python -m demo.land bundled OUT_DIR [--parcels 3000] [--sites 150] [--seed 2022]
    python -m demo.land scale OUT_DIR --parcels N [--sites M] [--seasons SUMMER]
                                     [--chunk 200000] [--seed 7] [--no-progress]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import shapely

from demo import counters
from demo.refdata import KATO_FILE, kato_units, national_land_figures
from ingest.geometry import _forward, _inverse
from ingest.land_schema import (
    ACTIVITY_TYPES,
    COLUMNS,
    DEMO_SCALE_FACTOR,
    FEEDS,
    HOLDER_TYPES,
    LAND_CATEGORIES,
    LICENCE_TYPES,
    MINERALS,
    SATELLITES,
    SEASONS,
    TENURE_TYPES,
    USAGE_CLASSES,
    file_name,
    partitions,
)
from ingest.periods import quarter_start
from ingest.privacy import record_demo_files

BUNDLED_PARCELS = 3000
BUNDLED_SITES = 150
PARTITIONS = partitions()  # 2022-Q1 .. 2025-Q4
YEARS = [2022, 2023, 2024, 2025]
START = np.datetime64("2022-01-01")
END = np.datetime64("2025-12-31")
# Published hectares of agricultural land returned to the state per year (data/reference/
# kz_land_reference.csv): the withdrawals are calibrated to them.
RETURNED_HA = {int(year): ha for year, ha in national_land_figures("agri_land_returned_to_state").items()}
if sorted(RETURNED_HA) != YEARS:
    raise ValueError(
        f"kz_land_reference.csv: hectares returned to the state for {sorted(RETURNED_HA)}, not {YEARS}"
    )

# KATO 2-digit region: (centre lon, centre lat, spread in degrees, weight of parcels, weight of
# subsoil sites). Centres are approximate (the 2022 borders); weights roughly follow agricultural
# land and mining activity.
REGIONS: dict[str, tuple[float, float, float, float, float]] = {
    "10": (79.5, 48.8, 1.8, 6, 8),  # Abai
    "11": (70.5, 51.6, 1.8, 10, 4),  # Akmola
    "15": (58.0, 48.5, 2.2, 8, 6),  # Aktobe
    "19": (77.0, 44.3, 1.4, 4, 3),  # Almaty Region
    "23": (52.5, 47.0, 1.6, 3, 1),  # Atyrau
    "27": (51.5, 50.0, 1.8, 6, 2),  # West Kazakhstan
    "31": (72.5, 44.2, 1.6, 4, 3),  # Zhambyl
    "33": (79.0, 45.3, 1.4, 4, 3),  # Zhetisu
    "35": (74.5, 48.8, 1.8, 6, 10),  # Karaganda
    "39": (63.5, 51.5, 2.0, 10, 6),  # Kostanay
    "43": (64.0, 45.0, 2.0, 3, 2),  # Kyzylorda
    "47": (53.5, 44.0, 1.5, 2, 2),  # Mangystau
    "55": (76.5, 52.0, 1.6, 6, 5),  # Pavlodar
    "59": (69.5, 54.0, 1.3, 7, 1),  # North Kazakhstan
    "61": (68.5, 42.8, 1.3, 5, 3),  # Turkistan
    "62": (67.0, 47.8, 2.0, 3, 7),  # Ulytau
    "63": (84.0, 49.5, 1.5, 4, 8),  # East Kazakhstan
    "71": (71.45, 51.15, 0.07, 0.4, 0.2),  # Astana
    "75": (76.9, 43.25, 0.07, 0.3, 0.2),  # Almaty
    "79": (69.6, 42.32, 0.07, 0.4, 0.3),  # Shymkent
}
REGION_CODES = list(REGIONS)

# Land category: (weight, median area ha, lognormal sigma)
CATEGORY_PARAMS = {
    "ARABLE": (0.45, 300.0, 0.9),
    "PASTURE": (0.38, 700.0, 1.0),
    "HAYFIELD": (0.10, 60.0, 0.8),
    "PERENNIAL_PLANTING": (0.02, 15.0, 0.7),
    "FALLOW": (0.05, 150.0, 0.8),
}
HOLDER_WEIGHTS = [0.55, 0.25, 0.05, 0.10, 0.05]  # HOLDER_TYPES order
TENURE_WEIGHTS = [0.80, 0.15, 0.05]  # TENURE_TYPES order
SATELLITE_WEIGHTS = [0.2, 0.2, 0.22, 0.23, 0.07, 0.08]
MINERAL_WEIGHTS = [8, 6, 8, 5, 2, 2, 4, 2, 1, 10, 5, 4]
ACTIVITY_WEIGHTS = [0.45, 0.25, 0.15, 0.05, 0.10]
LICENCE_SUFFIX = {"EXPLORATION": "EL", "MINING": "ML", "COMMON_MINERALS": "CML"}

SHARE_BOW_TIE = 0.006
SHARE_UNPARSABLE = 0.001
SHARE_AREA_OFF = 0.02
SHARE_BACK_IN_USE = 0.03
SHARE_REDISTRIBUTED = 0.6
SHARE_PARTIAL = 0.15
SHARE_CLOUD = 0.05
SHARE_CONTOUR_BOW_TIE = 0.01
SHARE_OUTSIDE = 0.12
SHARE_ON_VERTEX = 0.03
DETECTIONS_PER_SITE_YEAR = 1.4


def scale_factor(n_parcels: int) -> float:
    """Real hectares (and cases) one generated hectare (case) stands for: 100 for the bundled set."""
    return DEMO_SCALE_FACTOR * BUNDLED_PARCELS / n_parcels


# --- counter-based randomness (demo.counters) -------------------------------------------------------
STREAMS = 4096  # counter streams per key


def _uniform(key: np.ndarray, stream: int, seed: int) -> np.ndarray:
    """U[0, 1) per key, independent across streams and seeds."""
    return counters.uniform(key, stream, seed, streams=STREAMS)


def _normal(key: np.ndarray, stream: int, seed: int) -> np.ndarray:
    u1 = np.maximum(_uniform(key, stream, seed), 1e-300)
    u2 = _uniform(key, stream + 1, seed)
    return np.sqrt(-2 * np.log(u1)) * np.cos(2 * np.pi * u2)


_choice = counters.choice


def _days(d: np.ndarray) -> np.ndarray:
    return d.astype("datetime64[D]")


def _quarter_index(d: np.ndarray) -> np.ndarray:
    """Index into PARTITIONS of each date (dates outside 2022..2025 are clamped)."""
    m = d.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    q = (m - (2022 - 1970) * 12) // 3
    return np.clip(q, 0, len(PARTITIONS) - 1)


# --- reference: districts --------------------------------------------------------------------------
@dataclass(frozen=True)
class Districts:
    codes: np.ndarray  # 9-digit KATO codes, grouped by region in REGION_CODES order
    start: np.ndarray  # per region: first index into codes
    count: np.ndarray  # per region: number of districts


@cache
def districts(kato_file: Path = KATO_FILE) -> Districts:
    """The level-2 units (districts and cities of regional status) of each of the 20 regions."""
    kato = kato_units(kato_file)
    top = kato[kato["parent_id"] == "0"]
    level2 = kato[kato["parent_id"].isin(top["id"])].sort_values("code")
    by_region = {r: level2.loc[level2["code"].str[:2] == r, "code"].to_numpy() for r in REGION_CODES}
    missing = [r for r, c in by_region.items() if len(c) == 0]
    if missing:
        raise ValueError(f"no level-2 KATO units for regions {missing} in {kato_file}")
    counts = np.array([len(by_region[r]) for r in REGION_CODES])
    return Districts(
        codes=np.concatenate([by_region[r] for r in REGION_CODES]).astype(object),
        start=np.concatenate([[0], np.cumsum(counts)[:-1]]),
        count=counts,
    )


def _place(
    region: np.ndarray, district: np.ndarray, key: np.ndarray, stream: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A lon/lat near the district's (hashed) centre within its region's spread."""
    params = np.array([REGIONS[r][:3] for r in REGION_CODES])
    lon0, lat0, spread = params[region, 0], params[region, 1], params[region, 2]
    d_key = district.astype(np.int64)
    dx = (_uniform(d_key, 1, 99) - 0.5) * 1.4 * spread
    dy = (_uniform(d_key, 2, 99) - 0.5) * 0.8 * spread
    px = (_uniform(key, stream, seed) - 0.5) * 0.6 * spread
    py = (_uniform(key, stream + 1, seed) - 0.5) * 0.35 * spread
    return np.clip(lon0 + dx + px, 46.6, 87.2), np.clip(lat0 + dy + py, 40.7, 55.3)


# --- geometry building -----------------------------------------------------------------------------
def _to_lonlat(xy: np.ndarray) -> np.ndarray:
    lon, lat = _inverse().transform(xy[..., 0].ravel(), xy[..., 1].ravel())
    out = np.stack([np.asarray(lon), np.asarray(lat)], axis=-1).reshape(xy.shape)
    return np.round(out, 6)


def _centre_xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = _forward().transform(lon, lat)
    return np.asarray(x), np.asarray(y)


def _wkt(rings: np.ndarray) -> np.ndarray:
    """(n, k, 2) closed rings in lon/lat -> POLYGON WKT (object array), in C."""
    return shapely.to_wkt(shapely.polygons(rings), rounding_precision=6, trim=True)


def _rectangles(
    lon: np.ndarray, lat: np.ndarray, area_ha: np.ndarray, key: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Rotated, slightly jittered rectangles of about area_ha around (lon, lat): (n, 5, 2) rings
    in lon/lat, and their true area in hectares (measured in the equal-area projection)."""
    x0, y0 = _centre_xy(lon, lat)
    aspect = 1 + 2 * _uniform(key, 20, seed)
    w = np.sqrt(area_ha * 1e4 * aspect)
    h = area_ha * 1e4 / w
    theta = _uniform(key, 21, seed) * np.pi
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    local = corners[None, :, :] * np.stack([w, h], axis=-1)[:, None, :]
    jitter = np.stack([_uniform(key, 22 + j, seed) for j in range(8)], axis=-1).reshape(-1, 4, 2)
    local = local * (1 + 0.02 * (jitter - 0.5))
    c, s = np.cos(theta)[:, None], np.sin(theta)[:, None]
    xy = np.stack(
        [
            x0[:, None] + c * local[..., 0] - s * local[..., 1],
            y0[:, None] + s * local[..., 0] + c * local[..., 1],
        ],
        axis=-1,
    )
    xy = np.concatenate([xy, xy[:, :1]], axis=1)
    true_ha = shapely.area(shapely.polygons(xy)) / 1e4
    return _to_lonlat(xy), true_ha


# --- writers ---------------------------------------------------------------------------------------
_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "DOUBLE": pa.float64(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("s"),
}


def arrow_schema(feed: str) -> pa.Schema:
    return pa.schema([(n, _ARROW_TYPES[t]) for n, t in COLUMNS[feed]])


class _Writers:
    """One open file per feed and partition; every file exists (CSV with its header) even if empty."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.csv: dict[tuple[str, str], pacsv.CSVWriter] = {}
        self.jsonl: dict[tuple[str, str], IO[str]] = {}
        self.paths: list[Path] = []
        for feed, pattern in FEEDS.items():
            for part in PARTITIONS:
                path = out_dir / file_name(feed, part)
                self.paths.append(path)
                if pattern.endswith(".csv"):
                    self.csv[feed, part] = pacsv.CSVWriter(str(path), arrow_schema(feed))
                else:
                    self.jsonl[feed, part] = path.open("w", encoding="utf-8", newline="\n")

    def write(self, feed: str, columns: dict[str, np.ndarray], quarter: np.ndarray) -> int:
        """Rows of one feed (a dict of equal-length arrays in any column order) by partition."""
        schema = arrow_schema(feed)
        table = pa.table({f.name: _arrow(columns[f.name], f.type) for f in schema}, schema=schema)
        order = np.argsort(quarter, kind="stable")
        table, quarter = table.take(order), quarter[order]
        bounds = np.searchsorted(quarter, np.arange(len(PARTITIONS) + 1))
        for q, part in enumerate(PARTITIONS):
            lo, hi = bounds[q], bounds[q + 1]
            if hi == lo:
                continue
            piece = table.slice(lo, hi - lo)
            if (feed, part) in self.csv:
                self.csv[feed, part].write_table(piece)
            else:
                self._write_jsonl(self.jsonl[feed, part], piece)
        return table.num_rows

    @staticmethod
    def _write_jsonl(handle: IO[str], piece: pa.Table) -> None:
        cols = {}
        for f in piece.schema:
            col = piece.column(f.name)
            if pa.types.is_date(f.type) or pa.types.is_timestamp(f.type):
                fmt = "%Y-%m-%d" if pa.types.is_date(f.type) else "%Y-%m-%dT%H:%M:%S"
                col = pc.strftime(col, format=fmt)
            cols[f.name] = col
        text = (
            pa.table(cols)
            .to_pandas()
            .to_json(orient="records", lines=True, force_ascii=False, double_precision=6)
        )
        handle.write(text if text.endswith("\n") else text + "\n")

    def close(self) -> None:
        for w in self.csv.values():
            w.close()
        for h in self.jsonl.values():
            h.close()


def _arrow(values: np.ndarray, typ: pa.DataType) -> pa.Array:
    if pa.types.is_date(typ):
        return pa.array(np.asarray(values, dtype="datetime64[D]"), type=typ, from_pandas=True)
    if pa.types.is_timestamp(typ):
        return pa.array(np.asarray(values, dtype="datetime64[s]"), type=typ, from_pandas=True)
    if pa.types.is_floating(typ):
        return pa.array(np.asarray(values, dtype=float), type=typ, from_pandas=True)
    return pa.array(values, type=typ, from_pandas=True)


def _str(values: np.ndarray, width: int = 0) -> pa.Array:
    arr = pc.cast(pa.array(np.asarray(values)), pa.string())
    return pc.utf8_lpad(arr, width, "0") if width else arr


def _join(*parts: object) -> np.ndarray:
    """Element-wise string concatenation of arrays and literals (pyarrow, in C)."""
    arrays = [p if isinstance(p, pa.Array) else pa.scalar(p, pa.string()) for p in parts]
    return pc.binary_join_element_wise(*arrays, "").to_numpy(zero_copy_only=False)


def _pick(values: Sequence[str], idx: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=object)[idx]


def _add_years(day: np.ndarray, years: np.ndarray) -> np.ndarray:
    """day + whole years (29 February -> 1 March in a common year)."""
    day = _days(day)
    month = day.astype("datetime64[M]")
    return (month + (np.asarray(years) * 12).astype("timedelta64[M]")).astype("datetime64[D]") + (
        day - month.astype("datetime64[D]")
    )


def _at(day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    return _days(day).astype("datetime64[s]") + seconds.astype("timedelta64[s]")


# --- parcels, events, observations -----------------------------------------------------------------
def _parcels(idx: np.ndarray, n_total: int, seed: int, first_chunk: bool) -> dict[str, np.ndarray]:
    dist = districts()
    n = len(idx)
    region = _choice(_uniform(idx, 1, seed), [REGIONS[r][3] for r in REGION_CODES])
    if first_chunk:  # every region has parcels, however small the set
        k = min(n, len(REGION_CODES))
        region[:k] = np.arange(k)
    district = dist.start[region] + np.minimum(
        (_uniform(idx, 2, seed) * dist.count[region]).astype(np.int64), dist.count[region] - 1
    )
    kato = dist.codes[district]
    cats = LAND_CATEGORIES  # CATEGORY_PARAMS holds each of them
    cat = _choice(_uniform(idx, 3, seed), [CATEGORY_PARAMS[c][0] for c in cats])
    median = np.array([CATEGORY_PARAMS[c][1] for c in cats])[cat]
    sigma = np.array([CATEGORY_PARAMS[c][2] for c in cats])[cat]
    city = np.isin(region, [REGION_CODES.index(r) for r in ("71", "75", "79")])
    nominal = np.clip(median * np.exp(sigma * _normal(idx, 4, seed)), 0.5, 40_000.0)
    nominal = np.where(city, np.minimum(nominal, 30.0), nominal)
    lon, lat = _place(region, kato.astype(np.int64), idx, 6, seed)
    rings, true_ha = _rectangles(lon, lat, nominal, idx, seed)

    bow = _uniform(idx, 40, seed) < SHARE_BOW_TIE
    rings[bow] = rings[bow][:, [0, 1, 3, 2, 0]]
    wkt = _wkt(rings)
    broken = _uniform(idx, 41, seed) < SHARE_UNPARSABLE
    if first_chunk and n > 100:  # the demo set always holds a few of each defect
        bow[[7, 77]] = True
        rings[[7, 77]] = rings[[7, 77]][:, [0, 1, 3, 2, 0]]
        wkt[[7, 77]] = _wkt(rings[[7, 77]])
        broken[[13]] = True
    if broken.any():
        cut = np.array([len(s) // 2 for s in wkt[broken]])  # only the broken rows
        wkt[broken] = np.array([s[:c] for s, c in zip(wkt[broken], cut, strict=True)], dtype=object)
    off = _uniform(idx, 42, seed) < SHARE_AREA_OFF
    u = _uniform(idx, 43, seed)
    factor = np.where(u < 0.5, 0.5 + 0.6 * u, 1.25 + 1.5 * (u - 0.5))
    stated = np.round(np.where(off, true_ha * factor, true_ha), 2)

    holder = _choice(_uniform(idx, 44, seed), HOLDER_WEIGHTS)
    holder_id = _join("H", _str((_uniform(idx, 45, seed) * max(n_total // 3, 1)).astype(np.int64) + 1, 8))
    tenure = _choice(_uniform(idx, 46, seed), TENURE_WEIGHTS)
    tenure = np.where(holder == HOLDER_TYPES.index("STATE_ENTERPRISE"), 2, tenure)
    new = _uniform(idx, 47, seed) >= 0.88
    reg_q = np.where(new, 1 + (_uniform(idx, 48, seed) * (len(PARTITIONS) - 1)).astype(np.int64), 0)
    q_start = np.array([np.datetime64(quarter_start(p)) for p in PARTITIONS])
    reg_day = q_start[reg_q] + (_uniform(idx, 49, seed) * 89).astype("timedelta64[D]")
    lease_start = np.where(
        new, reg_day, np.datetime64("1995-01-01") + (_uniform(idx, 50, seed) * 9800).astype("timedelta64[D]")
    )
    term_years = np.array([10, 25, 49])[_choice(_uniform(idx, 51, seed), [0.2, 0.3, 0.5])]
    lease_end = _add_years(lease_start, term_years)
    is_lease = tenure == 0
    nat = np.datetime64("NaT")
    rr = _str(np.array([int(k[:2]) for k in REGION_CODES])[region], 2)
    ddd = _str(kato.astype(np.int64) // 100_000 % 100, 3)  # KATO digits 3-4: the district
    cadastral = _join(rr, "-", ddd, "-", _str(1 + idx // 10_000 % 999, 3), "-", _str(idx % 10_000, 4))
    return {
        "cadastral_number": cadastral,
        "kato_code": kato,
        "land_category": _pick(cats, cat),
        "area_ha": stated,
        "true_ha": true_ha,
        "pasture": cat == cats.index("PASTURE"),
        "holder_type": _pick(HOLDER_TYPES, holder),
        "holder_id": holder_id,
        "tenure_type": _pick(TENURE_TYPES, tenure),
        "lease_start": np.where(tenure == 1, nat, lease_start).astype("datetime64[D]"),
        "lease_end": np.where(is_lease, lease_end, nat).astype("datetime64[D]"),
        "geometry_wkt": wkt,
        "reg_day": reg_day,
        "reg_q": reg_q,
        "bow_tie": bow,
        "unparsable": broken,
        "area_off": off,
        "updated_at": _at(reg_day, 8 * 3600 + (_uniform(idx, 52, seed) * 36_000).astype(np.int64)),
    }


@dataclass
class _Story:
    notice: np.ndarray  # datetime64[D], NaT when none
    withdrawn: np.ndarray
    withdrawn_ha: np.ndarray
    reason: np.ndarray
    redistributed: np.ndarray
    channel: np.ndarray
    new_holder: np.ndarray
    back_in_use: np.ndarray


def _stories(idx: np.ndarray, p: dict[str, np.ndarray], n_total: int, seed: int) -> _Story:
    n = len(idx)
    nat = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    withdrawn, notice, redist, back = nat.copy(), nat.copy(), nat.copy(), nat.copy()
    withdrawn_ha = np.full(n, np.nan)
    partial = _uniform(idx, 60, seed) < SHARE_PARTIAL
    share = np.where(partial, 0.3 + 0.6 * _uniform(idx, 61, seed), 1.0)
    taken = np.zeros(n, dtype=bool)
    for y in YEARS:
        target = RETURNED_HA[y] / scale_factor(n_total) * n / n_total
        # in the registry before the year (the 2022-Q1 file holds those registered before 2022)
        eligible = ~taken & ((p["reg_q"] == 0) | (p["reg_day"] < np.datetime64(f"{y}-01-01")))
        cand = np.flatnonzero(eligible)
        prio = _uniform(idx[cand], 62 + y, seed) - 0.5 * p["pasture"][cand]
        cand = cand[np.argsort(prio, kind="stable")]
        # greedy in priority order, a few passes taking every parcel that still fits the gap
        pick = np.zeros(len(cand), dtype=bool)
        gap = target
        for _ in range(4):
            ha = np.where(pick, np.inf, p["area_ha"][cand] * share[cand])
            fits = np.cumsum(np.where(ha <= gap, ha, 0.0)) <= gap
            new = fits & (ha <= gap)
            pick |= new
            gap -= ha[new].sum()
        chosen = cand[pick]
        taken[chosen] = True
        day = np.datetime64(f"{y}-01-10") + (_uniform(idx[chosen], 70, seed) * 340).astype("timedelta64[D]")
        withdrawn[chosen] = day
        withdrawn_ha[chosen] = np.round(p["area_ha"][chosen] * share[chosen], 2)
        notice[chosen] = day - (60 + _uniform(idx[chosen], 71, seed) * 180).astype("timedelta64[D]")
    re = taken & ~partial & (_uniform(idx, 72, seed) < SHARE_REDISTRIBUTED)
    redist[re] = withdrawn[re] + (60 + _uniform(idx[re], 73, seed) * 480).astype("timedelta64[D]")
    redist[redist > END] = np.datetime64("NaT")
    channel = np.where(_uniform(idx, 74, seed) < 0.35, "COMMON_GRAZING", "TENDER").astype(object)
    new_holder = np.where(
        channel == "COMMON_GRAZING",
        "COOPERATIVE",
        _pick(HOLDER_TYPES[:2], _choice(_uniform(idx, 75, seed), [0.7, 0.3])),
    )
    bu = ~taken & (_uniform(idx, 76, seed) < SHARE_BACK_IN_USE) & (p["reg_day"] < np.datetime64("2025-01-01"))
    notice[bu] = np.maximum(p["reg_day"][bu], np.datetime64("2022-02-01")) + (
        _uniform(idx[bu], 77, seed) * 600
    ).astype("timedelta64[D]")
    back[bu] = notice[bu] + (30 + _uniform(idx[bu], 78, seed) * 170).astype("timedelta64[D]")
    back[back > END] = np.datetime64("NaT")
    reason = _pick(
        ["UNUSED", "ILLEGALLY_GRANTED", "VOLUNTARY_REFUSAL", "MISUSE"],
        _choice(_uniform(idx, 79, seed), [0.75, 0.12, 0.08, 0.05]),
    )
    return _Story(notice, withdrawn, withdrawn_ha, reason, redist, channel, new_holder, back)


def _events(idx: np.ndarray, p: dict[str, np.ndarray], s: _Story, seed: int) -> tuple[dict, np.ndarray]:
    kinds = [
        ("NOTICE_ISSUED", s.notice, 1),
        ("WITHDRAWN", s.withdrawn, 2),
        ("REDISTRIBUTED", s.redistributed, 3),
        ("BACK_IN_USE", s.back_in_use, 4),
    ]
    cols: dict[str, list[np.ndarray]] = {c: [] for c, _ in COLUMNS["land_parcel_events"]}
    for name, day, code in kinds:
        rows = np.flatnonzero(~np.isnat(day) & (day <= END))
        if len(rows) == 0:
            continue
        d = day[rows]
        k = idx[rows]
        lag = (_uniform(k, 80 + code, seed) ** 3 * 40).astype(np.int64)
        # recorded a little late; notices from before 2022 were recorded when the feed began
        recorded = np.clip(d + lag.astype("timedelta64[D]"), START, END)
        cols["event_id"].append(_join("EV-", _str(k, 8), "-", str(code)))
        cols["cadastral_number"].append(p["cadastral_number"][rows])
        cols["event_type"].append(np.full(len(rows), name, dtype=object))
        cols["event_date"].append(d)
        ha = s.withdrawn_ha[rows] if name == "WITHDRAWN" else p["area_ha"][rows]
        cols["area_ha"].append(ha)
        with_reason = name in ("NOTICE_ISSUED", "WITHDRAWN")
        cols["reason"].append(np.where(with_reason, s.reason[rows], None))
        cols["channel"].append(s.channel[rows] if name == "REDISTRIBUTED" else np.full(len(rows), None))
        cols["new_holder_type"].append(
            s.new_holder[rows] if name == "REDISTRIBUTED" else np.full(len(rows), None)
        )
        cols["recorded_at"].append(
            _at(recorded, 9 * 3600 + (_uniform(k, 90 + code, seed) * 30_000).astype(np.int64))
        )
    if not cols["event_id"]:
        return {c: np.array([], dtype=object) for c in cols}, np.array([], dtype=np.int64)
    out = {c: np.concatenate(v) for c, v in cols.items()}
    return out, _quarter_index(_days(out["recorded_at"]))


def _observations(
    idx: np.ndarray, p: dict[str, np.ndarray], s: _Story, seasons: Sequence[str], seed: int
) -> tuple[dict, np.ndarray]:
    cols: dict[str, list[np.ndarray]] = {c: [] for c, _ in COLUMNS["land_observations"]}
    # unused from a year before the notice until redistribution / back in use
    unused_from = np.where(
        np.isnat(s.notice), np.datetime64("2100-01-01"), s.notice - np.timedelta64(365, "D")
    )
    used_again = np.where(
        ~np.isnat(s.redistributed),
        s.redistributed,
        np.where(~np.isnat(s.back_in_use), s.back_in_use, np.datetime64("2100-01-01")),
    )
    for y in YEARS:
        for season in seasons:
            si = list(SEASONS).index(season)
            months = SEASONS[season]
            first = np.datetime64(f"{y}-{months[0]:02d}-01")
            last = (np.datetime64(f"{y}-{months[-1]:02d}") + np.timedelta64(1, "M")).astype("datetime64[D]")
            span = int((last - first).astype(np.int64))
            key = idx * 16 + (y - 2022) * 4 + si
            day = first + (_uniform(key, 100, seed) * span).astype("timedelta64[D]")
            rows = np.flatnonzero(p["reg_day"] <= day)
            if len(rows) == 0:
                continue
            k, d = key[rows], day[rows]
            unused = (d >= unused_from[rows]) & (d < used_again[rows])
            u = _uniform(k, 101, seed)
            cls = np.where(unused, np.where(u < 0.85, 2, 1), np.where(u < 0.88, 0, np.where(u < 0.97, 1, 2)))
            cloud = np.round(_uniform(k, 102, seed) ** 3, 3)
            no_data = _uniform(k, 103, seed) < SHARE_CLOUD
            cloud = np.where(no_data, np.round(0.8 + 0.2 * _uniform(k, 104, seed), 3), cloud * 0.6)
            cls = np.where(no_data, USAGE_CLASSES.index("NO_DATA"), cls)
            lo = np.array([0.45, 0.25, 0.03, 0.0])[cls]
            hi = np.array([0.85, 0.45, 0.25, 0.0])[cls]
            scale = np.where(p["pasture"][rows], 0.75, 1.0) * (1.0 if season == "SUMMER" else 0.8)
            ndvi = np.round((lo + (hi - lo) * _uniform(k, 105, seed)) * scale, 4)
            s_lo = np.array([0.8, 0.3, 0.0, 0.0])[cls]
            s_hi = np.array([1.0, 0.8, 0.3, 0.0])[cls]
            used_share = np.round(s_lo + (s_hi - s_lo) * _uniform(k, 106, seed), 3)
            ndvi = np.where(no_data, np.nan, ndvi)
            used_share = np.where(no_data, np.nan, used_share)
            cols["observation_id"].append(_join("OBS-", _str(idx[rows], 8), f"-{y}-{season[:2]}"))
            cols["cadastral_number"].append(p["cadastral_number"][rows])
            cols["season"].append(np.full(len(rows), f"{y}-{season}", dtype=object))
            cols["observation_date"].append(d)
            cols["usage_class"].append(_pick(USAGE_CLASSES, cls))
            cols["ndvi"].append(ndvi)
            cols["used_share"].append(used_share)
            cols["cloud_share"].append(cloud)
            cols["satellite"].append(_pick(SATELLITES, _choice(_uniform(k, 107, seed), SATELLITE_WEIGHTS)))
    if not cols["observation_id"]:
        return {c: np.array([], dtype=object) for c in cols}, np.array([], dtype=np.int64)
    out = {c: np.concatenate(v) for c, v in cols.items()}
    return out, _quarter_index(out["observation_date"])


def _redistributed_snapshots(
    idx: np.ndarray, p: dict[str, np.ndarray], s: _Story, n_total: int, seed: int
) -> tuple[dict, np.ndarray]:
    rows = np.flatnonzero(~np.isnat(s.redistributed))
    day = s.redistributed[rows]
    k = idx[rows]
    snap = {c: p[c][rows] for c, _ in COLUMNS["land_parcels"]}
    snap["holder_type"] = s.new_holder[rows]
    snap["holder_id"] = _join("H", _str(n_total // 3 + 1 + k, 8))
    snap["tenure_type"] = np.full(len(rows), "LEASE", dtype=object)
    snap["lease_start"] = day
    years = np.where(s.channel[rows] == "COMMON_GRAZING", 10, 25)
    snap["lease_end"] = _add_years(day, years)
    snap["updated_at"] = _at(day, 10 * 3600 + (_uniform(k, 110, seed) * 20_000).astype(np.int64))
    return snap, _quarter_index(day)


def _one_snapshot_per_quarter(
    p: dict[str, np.ndarray], s: _Story, snap: dict, snap_q: np.ndarray
) -> tuple[dict, tuple[dict, np.ndarray]]:
    """A cadastre export lists a parcel once per quarter, in its latest state: a parcel registered
    and redistributed in the same quarter appears once, as redistributed."""
    rows = np.flatnonzero(~np.isnat(s.redistributed))
    same = snap_q == p["reg_q"][rows]
    registry = {c: p[c] for c, _ in COLUMNS["land_parcels"]}
    if same.any():
        for c in registry:
            registry[c] = registry[c].copy()
            registry[c][rows[same]] = snap[c][same]
        snap = {c: v[~same] for c, v in snap.items()}
        snap_q = snap_q[~same]
    return registry, (snap, snap_q)


# --- subsoil sites and detections ------------------------------------------------------------------
def _sites(n_sites: int, seed: int) -> tuple[dict, np.ndarray, dict, np.ndarray]:
    dist = districts()
    sid = np.arange(n_sites, dtype=np.int64)
    key = sid + 50_000_000
    region = _choice(_uniform(key, 1, seed), [REGIONS[r][4] for r in REGION_CODES])
    district = dist.start[region] + np.minimum(
        (_uniform(key, 2, seed) * dist.count[region]).astype(np.int64), dist.count[region] - 1
    )
    kato = dist.codes[district]
    lon, lat = _place(region, kato.astype(np.int64), key, 6, seed)
    ltype = _choice(_uniform(key, 3, seed), [0.35, 0.35, 0.30])
    mineral = _choice(_uniform(key, 4, seed), MINERAL_WEIGHTS)
    common = np.isin(mineral, [MINERALS.index(m) for m in ("SAND_GRAVEL", "LIMESTONE", "CLAY")])
    ltype = np.where(common, 2, np.where(ltype == 2, 1, ltype))
    area = np.where(
        common,
        5 + 95 * _uniform(key, 5, seed),
        np.exp(np.log(300) + 1.2 * _normal(key, 6, seed)).clip(20, 50_000),
    )
    # hexagon with radial jitter: star-shaped around its centre, all vertices within radius r_max
    x0, y0 = _centre_xy(lon, lat)
    r_max = np.sqrt(area * 1e4 / (3 * np.sqrt(3) / 2))
    ang = (np.arange(6) * np.pi / 3)[None, :] + _uniform(key, 7, seed)[:, None]
    rad = r_max[:, None] * (0.8 + 0.2 * np.stack([_uniform(key, 8 + j, seed) for j in range(6)], axis=-1))
    xy = np.stack([x0[:, None] + rad * np.cos(ang), y0[:, None] + rad * np.sin(ang)], axis=-1)
    xy = np.concatenate([xy, xy[:, :1]], axis=1)
    true_ha = shapely.area(shapely.polygons(xy)) / 1e4
    ring = _to_lonlat(xy)
    bow = _uniform(key, 20, seed) < SHARE_CONTOUR_BOW_TIE
    if n_sites > 50:
        bow[[3]] = True
    draw = ring.copy()
    draw[bow] = ring[bow][:, [0, 1, 3, 2, 4, 5, 0]]
    start = np.datetime64("2010-01-01") + (_uniform(key, 21, seed) * 5800).astype("timedelta64[D]")
    years = np.where(ltype == 0, 6, 25)
    suffix = _pick([LICENCE_SUFFIX[t] for t in LICENCE_TYPES], ltype)
    licence = _join(
        _str(1000 + sid * 7 + (_uniform(key, 22, seed) * 7).astype(np.int64)),
        "-",
        pa.array(suffix, pa.string()),
    )
    sites = {
        "licence_number": licence,
        "licence_type": _pick(LICENCE_TYPES, ltype),
        "holder_name": _join("Subsoil Company ", _str(1 + sid // 2, 4), " LLP"),
        "mineral": _pick(MINERALS, mineral),
        "kato_code": kato,
        "licence_start": start,
        "licence_end": _add_years(start, years),
        "area_ha": np.round(true_ha, 2),
        "geometry_wkt": _wkt(draw),
        "updated_at": _at(
            np.maximum(start, START), 9 * 3600 + (_uniform(key, 23, seed) * 30_000).astype(np.int64)
        ),
    }
    site_q = _quarter_index(np.maximum(start, START))

    # detections: ~DETECTIONS_PER_SITE_YEAR per site and year, after the licence starts
    n_det = int(round(n_sites * DETECTIONS_PER_SITE_YEAR * len(YEARS)))
    did = np.arange(n_det, dtype=np.int64)
    dkey = did + 90_000_000
    site = (_uniform(dkey, 1, seed) * n_sites).astype(np.int64)
    day = START + (_uniform(dkey, 2, seed) * int((END - START).astype(np.int64) + 1)).astype("timedelta64[D]")
    day = np.maximum(day, np.minimum(start[site], END))
    u = _uniform(dkey, 3, seed)
    where = np.where(u < SHARE_ON_VERTEX, 2, np.where(u < SHARE_ON_VERTEX + SHARE_OUTSIDE, 1, 0))
    tri = (_uniform(dkey, 4, seed) * 6).astype(np.int64)
    a, b = _uniform(dkey, 5, seed), _uniform(dkey, 6, seed)
    flip = a + b > 1
    a, b = np.where(flip, 1 - a, a) * 0.9, np.where(flip, 1 - b, b) * 0.9
    v1 = xy[site, tri]
    v2 = xy[site, tri + 1]
    centre = np.stack([x0[site], y0[site]], axis=-1)
    inside_xy = centre + a[:, None] * (v1 - centre) + b[:, None] * (v2 - centre)
    theta = _uniform(dkey, 7, seed) * 2 * np.pi
    dist_out = r_max[site] + 100 + 2900 * _uniform(dkey, 8, seed)  # projected metres
    outside_xy = centre + np.stack([np.cos(theta), np.sin(theta)], axis=-1) * dist_out[:, None]
    pts = _to_lonlat(np.where((where == 1)[:, None], outside_xy, inside_xy))
    pts = np.where((where == 2)[:, None], ring[site, tri], pts)  # exactly a vertex of the contour
    point_wkt = shapely.to_wkt(shapely.points(pts), rounding_precision=6, trim=True)
    det = {
        "detection_id": _join("DET-", _str(did, 7)),
        "licence_number": licence[site],
        "detection_date": day,
        "activity_type": _pick(ACTIVITY_TYPES, _choice(_uniform(dkey, 9, seed), ACTIVITY_WEIGHTS)),
        "disturbed_area_ha": np.round(0.2 + 15 * _uniform(dkey, 10, seed) ** 2, 2),
        "confidence": np.round(0.55 + 0.45 * _uniform(dkey, 11, seed), 3),
        "satellite": _pick(SATELLITES, _choice(_uniform(dkey, 12, seed), SATELLITE_WEIGHTS)),
        "geometry_wkt": point_wkt,
        "placement": _pick(["INSIDE", "OUTSIDE", "ON_VERTEX"], where),
    }
    return sites, site_q, det, _quarter_index(day)


# --- entry points ----------------------------------------------------------------------------------
def generate_land(
    out_dir: Path,
    parcels: int,
    sites: int,
    seed: int,
    seasons: Sequence[str] = tuple(SEASONS),
    chunk: int | None = None,
    progress: bool = False,
) -> list[Path]:
    """Write the five feeds for 2022-Q1..2025-Q4 into out_dir; returns the 80 file paths."""
    from tqdm import tqdm

    if parcels < 1 or sites < 0:
        raise ValueError("parcels >= 1 and sites >= 0")
    bad = [s for s in seasons if s not in SEASONS]
    if bad:
        raise ValueError(f"unknown seasons {bad}; use {list(SEASONS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    chunk = chunk or parcels
    writers = _Writers(out_dir)
    try:
        with tqdm(total=parcels, unit="parcel", disable=not progress, desc="land parcels") as bar:
            for lo in range(0, parcels, chunk):
                idx = np.arange(lo, min(lo + chunk, parcels), dtype=np.int64)
                p = _parcels(idx, parcels, seed, first_chunk=lo == 0)
                story = _stories(idx, p, parcels, seed)
                registry, later = _one_snapshot_per_quarter(
                    p, story, *_redistributed_snapshots(idx, p, story, parcels, seed)
                )
                writers.write("land_parcels", registry, p["reg_q"])
                writers.write("land_parcels", *later)
                writers.write("land_parcel_events", *_events(idx, p, story, seed))
                writers.write("land_observations", *_observations(idx, p, story, seasons, seed))
                bar.update(len(idx))
        if sites:
            site_cols, site_q, det, det_q = _sites(sites, seed)
            writers.write("subsoil_sites", site_cols, site_q)
            writers.write("subsoil_detections", det, det_q)
    finally:
        writers.close()
    return writers.paths


def write_bundled_land(
    out_dir: Path, parcels: int = BUNDLED_PARCELS, sites: int = BUNDLED_SITES, seed: int = 2022
) -> list[Path]:
    """The demo set: 3,000 parcels with three seasons a year and 150 subsoil sites (~10 MB). The
    parcel and subsoil site files' SHA-256 are recorded in `.demo_checksums.json` beside them: the
    load redacts those files' values with a keyed hash (catalog.land), and the public demo key may
    hash these files and no others (ingest.privacy)."""
    paths = generate_land(out_dir, parcels, sites, seed)
    record_demo_files([p for p in paths if p.name.startswith(("land_parcels_", "subsoil_sites_"))])
    return paths


def write_scale_land(
    out_dir: Path,
    parcels: int,
    sites: int | None = None,
    seasons: Sequence[str] = ("SUMMER",),
    chunk: int = 200_000,
    seed: int = 7,
    progress: bool = True,
) -> list[Path]:
    """Any number of parcels for benchmarks, chunk by chunk (memory bounded by the chunk)."""
    if sites is None:
        sites = max(parcels // 20, 1)
    return generate_land(out_dir, parcels, sites, seed, seasons=seasons, chunk=chunk, progress=progress)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo.land",
        description="Generate deterministic synthetic land and subsoil monitoring files.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bundled", help="demo set: 3,000 parcels, 150 subsoil sites, 2022-Q1..2025-Q4")
    b.add_argument("out_dir", type=Path)
    b.add_argument("--parcels", type=int, default=BUNDLED_PARCELS)
    b.add_argument("--sites", type=int, default=BUNDLED_SITES)
    b.add_argument("--seed", type=int, default=2022)
    s = sub.add_parser("scale", help="N parcels (vectorised, chunked), for benchmarks")
    s.add_argument("out_dir", type=Path)
    s.add_argument("--parcels", type=int, required=True)
    s.add_argument("--sites", type=int, default=None, help="default: parcels // 20")
    s.add_argument("--seasons", nargs="+", default=["SUMMER"], choices=list(SEASONS))
    s.add_argument("--chunk", type=int, default=200_000)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    if args.command == "bundled":
        paths = write_bundled_land(args.out_dir, parcels=args.parcels, sites=args.sites, seed=args.seed)
    else:
        paths = write_scale_land(
            args.out_dir,
            parcels=args.parcels,
            sites=args.sites,
            seasons=args.seasons,
            chunk=args.chunk,
            seed=args.seed,
            progress=not args.no_progress,
        )
    dt = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in paths)
    print(
        f"wrote {len(paths)} files, {size / 1e6:.1f} MB, in {dt:.1f}s "
        f"({args.parcels / max(dt, 1e-9):,.0f} parcels/s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
