"""The dbt project, in a module of its own so that its manifest can be prepared (`dbt parse`)
before the dbt assets are imported."""

from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"

# The manifest is prepared explicitly (`python -m orchestration.prepare`, run by `make ui`,
# `make warehouse` and the tests), not by prepare_if_dev(): under `dagster dev` that runs a `dbt`
# found on PATH, which a virtual environment that is not activated does not have.
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
