"""A one-step job in the warehouse writer pool, for the run-monitoring tests: its step writes a
marker file (POOL_HOLDER_MARKER) once it holds the pool's slot, then sleeps POOL_HOLDER_SECONDS.

    python tests/pool_holder.py     executes it in-process, as `make warehouse` runs its jobs
    dagster-daemon run -m pool_holder   loads it as the daemon's code location
"""

import os
import sys
import time
from pathlib import Path

from dagster import Definitions, asset, define_asset_job

POOL = "duckdb_warehouse_writer"  # orchestration.defs.resources.WRITER_POOL (the test checks)


@asset(pool=POOL)
def holds_the_writer_pool() -> None:
    Path(os.environ["POOL_HOLDER_MARKER"]).write_text(str(os.getpid()))
    time.sleep(float(os.environ.get("POOL_HOLDER_SECONDS", "0")))


hold_job = define_asset_job("hold_the_writer_pool", selection=[holds_the_writer_pool])
defs = Definitions(assets=[holds_the_writer_pool], jobs=[hold_job])


if __name__ == "__main__":
    from dagster import DagsterInstance

    from orchestration.run_monitoring import process_tags

    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def("hold_the_writer_pool").execute_in_process(
            instance=instance,
            raise_on_error=False,
            # Tagged as the build command tags its runs, unless POOL_HOLDER_TAGS=0 (then only
            # Dagster's own "Executing steps in process (pid: ...)" event names the process).
            tags=process_tags() if os.environ.get("POOL_HOLDER_TAGS") != "0" else {},
        )
    print(result.run_id, flush=True)
    sys.exit(0 if result.success else 1)
