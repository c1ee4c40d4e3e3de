"""Prepare what Dagster needs before the definitions are imported: the dbt manifest and the
Dagster home. `python -m orchestration.prepare`"""

import os

from ingest.settings import WarehousePaths
from orchestration.build import prepare_dagster_home, prepare_dbt_manifest

if __name__ == "__main__":
    os.environ.update(WarehousePaths.from_env().export_env())
    prepare_dbt_manifest()
    print(f"dbt manifest ready; Dagster home: {prepare_dagster_home()}")
