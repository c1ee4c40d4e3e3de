"""The reference data the generators place and calibrate their records with, read from
`data/reference/` (the files the warehouse loads, declared in `ingest.reference`): nothing of it is
copied into the generators."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ingest.reference import KATO_FILE, LAND_REFERENCE_FILE, LAND_REFERENCE_UNITS, REGIONS_FILE

__all__ = [
    "KATO_FILE",
    "LAND_REFERENCE_FILE",
    "REGIONS_FILE",
    "kato_units",
    "national_land_figures",
    "regions",
]


def kato_units(kato_file: Path = KATO_FILE) -> pd.DataFrame:
    """The KATO classifier (2022-10-17) as in its file: id, parent_id, code, name (all text)."""
    return pd.read_csv(kato_file, sep=";", encoding="utf-8-sig", dtype=str)


def regions(regions_file: Path = REGIONS_FILE) -> pd.DataFrame:
    """The 20 regions in the file's order (all text), `kato_2digit` with its leading zero."""
    frame = pd.read_csv(regions_file, dtype=str, keep_default_na=False)
    frame["kato_2digit"] = frame["kato_2digit"].str.zfill(2)
    return frame


def national_land_figures(measure: str, path: Path = LAND_REFERENCE_FILE) -> dict[str, float]:
    """A published national land figure by period, in base units (hectares or counts)."""
    frame = pd.read_csv(path, dtype={"period": str, "scope": str, "measure": str, "unit": str})
    rows = frame[(frame["measure"] == measure) & (frame["scope"] == "Kazakhstan")]
    return {
        period: float(value) * LAND_REFERENCE_UNITS[unit]
        for period, value, unit in zip(rows["period"], rows["value"], rows["unit"], strict=True)
    }
