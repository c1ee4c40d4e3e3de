"""The Spark engine test's dbt runs, in one Python process: dbt-spark's method session starts Spark
(a JVM) in the process that runs dbt, and the lake's tables are declared again by each run's
on-run-start hook, ~50 s together on two shared cores; in one process the second run reuses both
the session and the JVM's warmed-up code.

    python tests/spark_session_runs.py SPEC.json

SPEC.json (written by tests/test_spark_engine.py): `common` (the dbt arguments of every run),
`build` (the first run's), `snapshot` ([tables folder, copy]: the tables as the build left them,
for the equality test), `lost_partition` (a lake folder removed after the build), `windowed`
(the second run's arguments) and `window_env` (its environment). Exit status: 0 when both runs
succeeded, 3 when the build failed (nothing else is done), 4 when the windowed run failed
(1: an error of this script).
"""

import json
import os
import shutil
import sys
from pathlib import Path

BUILD_FAILED, WINDOWED_RUN_FAILED = 3, 4


def main(spec_path: str) -> int:
    from dbt.cli.main import dbtRunner  # (the test module imports the exit statuses only)

    spec = json.loads(Path(spec_path).read_text())
    runner = dbtRunner()
    if not runner.invoke([*spec["build"], *spec["common"]]).success:
        return BUILD_FAILED
    tables, copy = spec["snapshot"]
    shutil.copytree(tables, copy)
    shutil.rmtree(spec["lost_partition"])
    os.environ.update(spec["window_env"])
    if not runner.invoke([*spec["windowed"], *spec["common"]]).success:
        return WINDOWED_RUN_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
