"""Prepare what Dagster needs before the definitions are imported: the dbt manifest and the
Dagster home. `python -m orchestration.prepare`"""

import os

from ingest.settings import WarehousePaths
from orchestration.build import prepare_dagster_home, prepare_dbt_manifest

if __name__ == "__main__":
    try:
        paths = WarehousePaths.from_env()  # refuses a folder whose path holds an IIN
    except ValueError as refused:
        raise SystemExit(str(refused)) from None
    os.environ.update(paths.export_env())
    prepare_dbt_manifest()
    print(f"dbt manifest ready; Dagster home: {prepare_dagster_home()}")
