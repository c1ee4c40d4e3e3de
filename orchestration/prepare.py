"""Prepare what Dagster needs before the definitions are imported: the dbt manifest and the
Dagster home. `python -m orchestration.prepare`"""

import os

from ingest.privacy import stop_if_paths_hold_an_iin
from ingest.settings import WarehousePaths
from orchestration.build import prepare_dagster_home, prepare_dbt_manifest

if __name__ == "__main__":
    paths = WarehousePaths.from_env()
    stop_if_paths_hold_an_iin(paths)  # before Dagster records the project's folder
    os.environ.update(paths.export_env())
    prepare_dbt_manifest()
    print(f"dbt manifest ready; Dagster home: {prepare_dagster_home()}")
