"""dbt commands on a test's own warehouse, run as the real `dbt` command line."""

import os
import subprocess
import sys
from pathlib import Path

from ingest.settings import WarehousePaths

PROJECT = Path(__file__).resolve().parent.parent / "dbt_project"


class Dbt:
    """dbt commands (run, test, seed...) on the test's warehouse; a failing one raises.

    Every test of the module gives dbt the same target folder and the same path to its warehouse
    (a link to the test's folder): dbt keys its parse state on the profile, which holds that
    path, so only the module's first command parses the whole project (~12 s)."""

    def __init__(self, folder: Path, paths: WarehousePaths):
        link = folder / "warehouse"
        link.unlink(missing_ok=True)
        link.symlink_to(paths.root, target_is_directory=True)
        self.target = folder / "target"
        self.env = WarehousePaths(root=link, landing=paths.landing).export_env()

    def __call__(self, command, *args, **env):
        subprocess.run(
            [
                str(Path(sys.executable).with_name("dbt")),
                command,
                "--quiet",
                "--project-dir",
                str(PROJECT),
                "--profiles-dir",
                str(PROJECT),
                "--target-path",
                str(self.target),
                *args,
            ],
            check=True,
            env={**os.environ, **self.env, **env},
            cwd=PROJECT,
            timeout=600,
        )
