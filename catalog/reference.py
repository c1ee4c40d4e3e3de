"""The loads without partitions, each with its suite: the published trade aggregates, the published
land-monitoring figures and the reviewed bilateral files (data/bilateral/*.yaml)."""

from pathlib import Path

import duckdb

from expectations.bilateral import validate_bilateral_table
from expectations.land_reference import validate_land_reference
from expectations.trade_reference import validate_trade_reference
from ingest import bilateral, reference
from ingest.loads import LoadReport
from ingest.settings import BUNDLED_REFERENCE_DIR

TRADE_REFERENCE_FILE = BUNDLED_REFERENCE_DIR / "kz_tj_trade_reference.csv"


def load_trade_reference(
    con: duckdb.DuckDBPyConnection, path: Path = TRADE_REFERENCE_FILE, **kwargs
) -> LoadReport:
    kwargs.setdefault("validator", validate_trade_reference)
    return reference.load_trade_reference(con, path, **kwargs)


def load_land_reference(con: duckdb.DuckDBPyConnection, path: Path = reference.LAND_REFERENCE_FILE) -> int:
    return reference.load_land_reference(con, path, validator=validate_land_reference)


def load_bilateral(
    con: duckdb.DuckDBPyConnection, folder: Path = bilateral.BUNDLED_BILATERAL_DIR
) -> dict[str, int]:
    return bilateral.load_bilateral(con, folder, validator=validate_bilateral_table)


def read_bilateral(folder: Path = bilateral.BUNDLED_BILATERAL_DIR) -> bilateral.BilateralBatch:
    return bilateral.read_bilateral(folder, validator=validate_bilateral_table)
