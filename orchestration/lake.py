"""`python -m orchestration.lake`: export the whole warehouse's raw and reference tables to the
Parquet lake (ingest/lake.py), e.g. for a warehouse built before the lake was enabled."""

import sys

import duckdb

from catalog import FEEDS
from ingest.lake import export_all
from ingest.privacy import stop_if_paths_hold_an_iin
from ingest.settings import WarehousePaths


def main() -> int:
    paths = WarehousePaths.from_env()
    stop_if_paths_hold_an_iin(paths)  # the lake's folders are named in messages and by Spark
    con = duckdb.connect(str(paths.warehouse_db), read_only=True)
    try:
        written = export_all(con, FEEDS, paths.lake)
    finally:
        con.close()
    for name, count in written.items():
        print(f"{name}: {count} folder(s)")
    print(f"lake: {paths.lake}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
