"""Resources: the DuckDB warehouse (paths, memory limit, spill folder) and the dbt CLI."""

import importlib.metadata
import os
import shutil
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import duckdb
from dagster import Backoff, ConfigurableResource, RetryPolicy
from dagster_dbt import DbtCliResource
from packaging import version

from ingest.duck import connect
from ingest.privacy import refuse_paths_holding_an_iin
from ingest.settings import WarehousePaths, dbt_target
from orchestration.defs.project import dbt_project

# DuckDB allows one writer per file: every asset that writes the warehouse runs in this pool,
# whose limit is 1 (dagster.yaml of the Dagster home the build creates).
WRITER_POOL = "duckdb_warehouse_writer"

# Steps that open the warehouse can fail for a moment when another process holds DuckDB's file
# lock (an analyst opened the warehouse instead of the serving copy, a `make warehouse` in another
# shell): they are retried after 5, 10 and 20 s (no jitter: there is one writer to wait for).
# A rejected load is not transient and is never retried (its Failure says allow_retries=False);
# nor are dbt steps, whose failures are failing models or tests.
TRANSIENT_RETRY = RetryPolicy(max_retries=3, delay=5, backoff=Backoff.EXPONENTIAL)


class WarehouseResource(ConfigurableResource):
    """Where the warehouse lives: `root` and `landing` as configured (tests give their temporary
    folders), else WAREHOUSE_DIR / LANDING_DIR read when a run starts (defaults warehouse/ and
    data/landing/ in the repository; `make` and the build command set them, as absolute paths).
    Nothing is written back into the environment: dbt's profile and Great Expectations' Data Docs
    read the same WAREHOUSE_DIR."""

    root: str | None = None
    landing: str | None = None
    # The loads' DuckDB memory limit; None: WAREHOUSE_LOAD_MEMORY_LIMIT or 1GB, read on connect.
    load_memory_limit: str | None = None

    @classmethod
    def from_env(cls) -> "WarehouseResource":
        return cls()  # the paths are read from the environment when a run uses them

    @property
    def paths(self) -> WarehousePaths:
        found = WarehousePaths.from_env()
        paths = WarehousePaths(
            root=Path(self.root) if self.root else found.root,
            landing=Path(self.landing) if self.landing else found.landing,
        )
        # A step (or a sensor's tick) asking for a folder whose path holds an IIN fails, the IIN
        # masked in its message.
        refuse_paths_holding_an_iin(paths)
        return paths

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect(
            self.paths.warehouse_db, temp_dir=self.paths.temp_dir, memory_limit=self.load_memory_limit
        )
        try:
            yield con
        finally:
            con.close()


def dbt_executable() -> str:
    """The dbt installed beside dbt-core's package, whether or not its bin folder is on PATH
    (`dagster dev` starts code servers whose interpreter path may not be the venv's)."""
    import importlib.util

    candidates = [Path(sys.executable).with_name("dbt"), Path(sys.prefix) / "bin" / "dbt"]
    spec = importlib.util.find_spec("dbt")
    if spec and spec.submodule_search_locations:
        site_packages = Path(next(iter(spec.submodule_search_locations))).parent
        candidates.append(site_packages.parents[2] / "bin" / "dbt")  # <venv>/lib/pythonX.Y/site-packages
    found = next((c for c in candidates if c.exists()), None)
    return str(found) if found else (shutil.which("dbt") or "dbt")


class WarehouseDbtCli(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two costs of every command that this project has no
    use for (tests/test_dbt_resource.py fails if dagster-dbt changes what is overridden here):

    - before each command, dagster-dbt builds a dbt adapter in the Dagster process, parsing every
      macro (~2.5 s a command), only to fetch row counts or column metadata, which no asset
      here asks for (with this resource, `fetch_row_counts()` would attach nothing);
    - it runs `dbt --version` (a ~3 s process, once a run) to learn the version of the dbt it
      runs, which is the installed dbt-core (dbt_executable finds the `dbt` beside it; a dbt
      Fusion binary found on PATH instead would need dagster-dbt's own check)."""

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))


def dbt_resource() -> WarehouseDbtCli:
    return WarehouseDbtCli(
        project_dir=dbt_project,
        profiles_dir=str(dbt_project.profiles_dir),
        dbt_executable=dbt_executable(),
        target=dbt_target(),
        global_config_flags=dbt_file_log_flags(),
    )


def dbt_file_log_flags() -> list[str]:
    """No dbt log file in the commands' folders (dbt_runs/*/dbt.log). At dbt's default level,
    debug, it held every SQL statement (~9 MB for dbt_foundation; writing it ~1-1.5 s of that
    command's ~15 s). Kept at warnings and errors, it still cost ~1 s of dbt_foundation: dbt
    builds every event's JSON line for each log before the log's level discards it. What it would
    hold is elsewhere: every line at info and above (each node's outcome, warnings, errors) is on
    dbt's output, which dagster-dbt passes to the step's output (make warehouse's log file, the
    UI's compute logs) and whose errors it puts in the step's failure; each node's SQL is in the
    folder's compiled/ and run/.

    A DBT_LOG_LEVEL_FILE (e.g. debug) or a true DBT_DEBUG in the environment when the resource is
    made is left to dbt, which then writes the file (dbt checks `none` before DBT_DEBUG: with the
    flag, DBT_DEBUG would give no file). DBT_LOG_LEVEL alone does not reach the file."""
    debug = os.environ.get("DBT_DEBUG", "").strip().lower() in TRUE_WORDS
    return [] if os.environ.get("DBT_LOG_LEVEL_FILE") or debug else ["--log-level-file", "none"]


# What dbt (click) reads as true in a boolean environment variable such as DBT_DEBUG.
TRUE_WORDS = {"1", "true", "t", "yes", "y", "on"}


PARSE_STATE = "partial_parse.msgpack"
# dbt command folders kept under WarehousePaths.dbt_runs (~6 MB each); older ones are removed.
KEPT_DBT_RUNS = 20


@contextmanager
def dbt_run_folder(paths: WarehousePaths, name: str, folder: Path | None = None) -> Iterator[Path]:
    """The target folder of one dbt command on this warehouse (a new one under paths.dbt_runs, or
    `folder`), holding the warehouse's parse state, which the command replaces by its own when it
    ends. dbt parses the whole project again (~12 s) when the profile differs from its parse
    state's, and the profile holds the warehouse's path: the project's own state (`dbt parse`
    before a build) fits one warehouse only, dagster-dbt copies no other, and each command writes
    its state to a folder of its own."""
    paths.dbt_runs.mkdir(parents=True, exist_ok=True)
    state = paths.dbt_runs / PARSE_STATE
    # (absolute: dagster-dbt reads a relative target path from the dbt project's folder)
    folder = (folder or paths.dbt_runs / f"{name}-{uuid.uuid4().hex[:8]}").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    start = state if state.exists() else dbt_project.manifest_path.with_name(PARSE_STATE)
    if start.exists():
        shutil.copyfile(start, folder / PARSE_STATE)
    try:
        yield folder
    finally:  # (a failed build's parse state is as good)
        _keep_parse_state(folder / PARSE_STATE, state)
    runs = sorted((p for p in paths.dbt_runs.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in runs[:-KEPT_DBT_RUNS]:
        shutil.rmtree(old, ignore_errors=True)


def _keep_parse_state(written: Path, state: Path) -> None:
    """Replace the warehouse's parse state by the one a command wrote. Only a cache: a failure here
    (two Dagster instances on one warehouse replacing it at once) costs the next command a full
    parse, never the step."""
    if not written.exists():
        return
    staged = state.with_name(f"{PARSE_STATE}.{uuid.uuid4().hex}.tmp")
    try:
        shutil.copyfile(written, staged)
        os.replace(staged, state)
    except OSError:
        staged.unlink(missing_ok=True)
