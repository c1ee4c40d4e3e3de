"""Build the whole warehouse on the bundled data, through Dagster, and say what was built.

    python -m orchestration.build            (what `make warehouse` runs)

Steps: parse the dbt project (`dbt parse`, in a process of its own) while another process puts
the bundled eOtinish, Digital Family Map, land-monitoring and Comtrade files in the landing folder
if it has none and this one creates the Dagster home; load each group of feeds over the
partitions its files hold (`load_daily`, `load_land`, `load_monthly`, one run each, as soon as its
files are written, while dbt may still be parsing), then run `build_warehouse` over Comtrade's
months (its loads, dbt, the serving copy, the docs, the report), each as one run (single-run
backfill); print a summary.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.feeds import Feed
from ingest.privacy import stop_if_paths_hold_an_iin
from ingest.settings import REPO_ROOT, WarehousePaths, dbt_target

DAGSTER_YAML = """\
# Created by `python -m orchestration.build` (rewritten by it while this first line stays).
# DuckDB allows one writer per file: every asset that writes the warehouse is in the pool
# `duckdb_warehouse_writer`, limited to one step at a time. And one run at a time (the queue of
# `make ui`'s daemon: sensors, schedules, the UI): two runs' steps interleaved would let one run's
# serving copy publish another's facts before its marts were built.
concurrency:
  pools:
    default_limit: 1
  runs:
    max_concurrent_runs: 1
# Dagster's SQLite storage, in the same files, keeping a SQLAlchemy engine per file instead of
# making one per query (orchestration/dagster_storage.py).
storage:
  custom:
    module: orchestration.dagster_storage
    class: WarehouseSqliteStorage
    config:
      base_dir:
        env: DAGSTER_HOME
# A run whose process dies (kill -9, out of memory) must not keep its pool slot for ever: the
# monitoring daemon (`make ui`) checks every 5 s whether each started run's process is alive
# (LocalRunLauncher: the stock launcher plus that check), marks a dead run failed without trying
# to resume it, and frees the slots of runs that ended more than 5 s ago.
run_launcher:
  module: orchestration.run_monitoring
  class: LocalRunLauncher
run_monitoring:
  enabled: true
  poll_interval_seconds: 5
  max_resume_run_attempts: 0
  free_slots_after_run_end_seconds: 5
telemetry:
  enabled: false
# No "join the community" dialog over the UI.
nux:
  enabled: false
"""
GENERATED_MARK = DAGSTER_YAML.splitlines()[0].split(" (")[0]


def prepare_dagster_home() -> Path:
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(REPO_ROOT / ".dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    # A dagster.yaml this command wrote is brought up to date; one edited by hand (first line
    # changed) is left as it is.
    if not config.exists() or (
        config.read_text().startswith(GENERATED_MARK) and config.read_text() != DAGSTER_YAML
    ):
        config.write_text(DAGSTER_YAML)
    # Create the run, event and schedule storage here, in one process: the daemon and the webserver
    # (or a run) starting together on an empty home race to stamp the same SQLite schema.
    from dagster import DagsterInstance

    with DagsterInstance.get():
        pass
    return home


def prepare_dbt_manifest() -> None:
    """`@dbt_assets` reads target/manifest.json at import time: parse the project first, for the
    target the runs use (so that the first dbt command on a warehouse with no parse state of its
    own parses partially, from this parse's state; orchestration.defs.resources.dbt_run_folder)."""
    wait_for_manifest(start_dbt_parse())


def start_dbt_parse(niceness: int = 0) -> subprocess.Popen:
    """`dbt parse` in its own process (~13 s on a fresh clone, a few seconds when it parses
    partially): the caller does other work meanwhile and then waits for it (wait_for_manifest).
    With a niceness, the parse gives way to the caller's work on a busy machine."""
    project = REPO_ROOT / "dbt_project"
    dbt = Path(sys.executable).with_name("dbt")
    parse = subprocess.Popen(
        [str(dbt), "parse", "--quiet", "--target", dbt_target()]
        + ["--project-dir", str(project), "--profiles-dir", str(project)]
    )
    if niceness:
        # Relative to this process's own (it inherits that); only a privileged user could lower
        # it again. Set before the new process has started a thread: its threads inherit it.
        with contextlib.suppress(OSError):  # (the process has ended already; a platform without)
            os.setpriority(os.PRIO_PROCESS, parse.pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + niceness))
    return parse


def wait_for_manifest(parse: subprocess.Popen) -> None:
    if parse.wait() != 0:
        raise SystemExit(f"dbt parse failed (exit code {parse.returncode}): see its messages above.")


def bundled_data_in_place(paths: WarehousePaths) -> bool:
    """Whether every feed has its landing files (and the eOtinish and land folders their demo
    manifests): then ensure_bundled_data has nothing to do."""
    from catalog.appeals import APPEALS, landing_days
    from catalog.family import landing_months
    from catalog.land import landing_quarters
    from catalog.trade import landing_files
    from ingest import land
    from ingest.privacy import DEMO_MANIFEST

    manifest = paths.landing / APPEALS.landing_subdir / DEMO_MANIFEST
    return all(
        (
            landing_files(paths.landing),
            landing_days(paths.landing) and manifest.exists(),
            landing_quarters(paths.landing)
            and not land_manifest_outdated(paths.landing / land.LANDING_SUBDIR),
            landing_months(paths.landing),
        )
    )


def start_bundled_data(written: int) -> subprocess.Popen:
    """ensure_bundled_data in a process of its own (from the repository root, where `demo` is),
    for the landing folder the environment names; it writes the name of each set's landing
    subfolder, once the set is written, as a line to the file descriptor `written` (a pipe)."""
    code = (
        "import os, sys; from ingest.settings import WarehousePaths; "
        "from orchestration.build import ensure_bundled_data; "
        "written = os.fdopen(int(sys.argv[1]), 'w', buffering=1); "
        "ensure_bundled_data(WarehousePaths.from_env(), done=lambda name: print(name, file=written))"
    )
    return subprocess.Popen([sys.executable, "-c", code, str(written)], cwd=REPO_ROOT, pass_fds=[written])


def ensure_bundled_data(paths: WarehousePaths, done: Callable[[str], object] | None = None) -> None:
    """Write the deterministic demo files into an empty landing folder (appeals, family, land,
    trade: the order in which `make warehouse` loads them). After each set, written or already
    there, `done` (if given) is called with its landing subfolder's name: the loads of a set may
    start while the next one is written."""
    # The generators live in the top-level `demo` package, which a production install does not
    # include: building on bundled data is a demo concern, so `demo` is imported here, lazily,
    # and only when run from the repository (`make warehouse` runs `python -m orchestration.build`
    # from the repository root, which puts it on sys.path). No production module imports `demo`
    # at module level.
    from catalog.appeals import APPEALS, landing_days
    from catalog.family import landing_months as family_months
    from catalog.land import landing_quarters
    from catalog.trade import landing_files
    from demo.appeals import write_bundled_appeals
    from demo.family import write_bundled_family
    from demo.land import write_bundled_land
    from demo.trade import write_bundled_dataset
    from ingest import family, land
    from ingest.privacy import DEMO_MANIFEST

    def writing(what: str, folder: Path) -> None:
        if done is None:  # (with `done`, in BundledWriter's process: it says so, once)
            print(f"Writing the bundled {what} to {folder} ...", flush=True)

    def written(folder: Path) -> None:
        if done:
            done(folder.name)

    folder = paths.landing / APPEALS.landing_subdir
    if not landing_days(paths.landing):
        writing("eOtinish exports", folder)
        write_whole_set(folder, write_bundled_appeals)
    elif not (folder / DEMO_MANIFEST).exists():
        recognise_bundled_files(folder, write_bundled_appeals, "eOtinish")
    written(folder)
    folder = paths.landing / family.LANDING_SUBDIR
    if not family_months(paths.landing):
        writing("Digital Family Map extracts", folder)
        write_whole_set(folder, write_bundled_family)
    written(folder)
    folder = paths.landing / land.LANDING_SUBDIR
    if not landing_quarters(paths.landing):
        writing("land and subsoil monitoring files", folder)
        write_whole_set(folder, write_bundled_land)
    elif land_manifest_outdated(folder):
        recognise_bundled_files(folder, write_bundled_land, "land")
    written(folder)
    if not landing_files(paths.landing):
        writing("Comtrade files", paths.trade_landing)
        write_whole_set(paths.trade_landing, write_bundled_dataset)
    written(paths.trade_landing)


class BundledWriter:
    """The process writing the bundled files (start_bundled_data), if a feed has no files:
    `wait_for(subfolders)` returns once those landing subfolders are written (or the writer has
    ended), so a run loads its files while the writer goes on with the next set."""

    def __init__(self, paths: WarehousePaths):
        self.process = self._written = None
        self._done: set[str] = set()
        if not bundled_data_in_place(paths):
            print(
                f"Writing the bundled demo files to {paths.landing} (each group of feeds is loaded "
                "once its own files are written) ...",
                flush=True,
            )
            read, write = os.pipe()
            try:
                self.process = start_bundled_data(write)
            finally:
                os.close(write)  # (the writer's copy stays open until it ends)
            self._written = os.fdopen(read)

    def wait_for(self, subfolders: set[str] | None = None) -> None:
        """Until the writer has written these landing subfolders (None: until it ends)."""
        if not self.process:
            return
        while subfolders is None or not subfolders <= self._done:
            line = self._written.readline()
            if not line:  # the writer has ended
                break
            self._done.add(line.strip())
        else:
            return
        if self.process.wait() != 0:
            code = self.process.returncode
            raise SystemExit(f"writing the bundled data failed (exit code {code}): see above.")

    def close(self) -> None:
        """Waits for the writer to end (seconds: a feed's files are written only into an empty
        folder, so it is left to finish)."""
        if self.process:
            self.process.wait()
            self._written.close()


def write_whole_set(folder: Path, write: Callable[[Path], object]) -> None:
    """`write(scratch)` into a hidden folder beside `folder`, then its files moved into `folder`:
    a writer interrupted (Ctrl-C, a kill) while it writes, which takes seconds, leaves no part of
    a set in the landing folder, where it would count as the feed's files and never be completed.
    The moves take milliseconds; the list of demo checksums goes last, into the folder's own list
    if it has one (an interruption before it is the case `recognise_bundled_files` mends)."""
    from ingest.privacy import DEMO_MANIFEST, record_demo_files, recorded_demo_files

    for leftover in folder.parent.glob(f".{folder.name}.*.writing"):  # of a killed writer
        shutil.rmtree(leftover, ignore_errors=True)
    scratch = folder.with_name(f".{folder.name}.{os.getpid()}.writing")
    write(scratch)
    if not folder.exists():
        scratch.rename(folder)
        return
    for path in sorted(scratch.iterdir(), key=lambda p: (p.name == DEMO_MANIFEST, p.name)):
        target = folder / path.name
        if path.name == DEMO_MANIFEST and target.exists():
            record_demo_files([folder / name for name in recorded_demo_files(path)])
            path.unlink()
        else:
            path.replace(target)
    scratch.rmdir()


def land_manifest_outdated(folder: Path) -> bool:
    """Whether the land landing folder has no demo manifest, or one from before the generator
    recorded the subsoil sites files too (2026-12-06, when their values began to be redacted)
    while the folder has some: its bundled files are then recognised again."""
    from ingest.privacy import DEMO_MANIFEST, recorded_demo_files

    if not (folder / DEMO_MANIFEST).exists():
        return True
    recorded = recorded_demo_files(folder / DEMO_MANIFEST)
    return not any(n.startswith("subsoil_sites_") for n in recorded) and any(folder.glob("subsoil_sites_*"))


def recognise_bundled_files(folder: Path, write: Callable[[Path], object], what: str) -> None:
    """A landing folder whose bundled files were written before the generator recorded their
    checksums (eOtinish before 2026-12-02, land before 2026-12-05, its subsoil sites before
    2026-12-06): generate the bundled set again with `write` (deterministic) and record the files
    of the folder the generator recorded that are byte for byte the same, so that the demo key may
    hash them (and only them)."""
    from ingest.privacy import DEMO_MANIFEST, file_sha256, record_demo_files, recorded_demo_files

    with tempfile.TemporaryDirectory() as scratch:
        write(Path(scratch))
        generated = {
            name: file_sha256(Path(scratch) / name)
            for name in recorded_demo_files(Path(scratch) / DEMO_MANIFEST)
        }
    same = [p for p in sorted(folder.iterdir()) if p.is_file() and generated.get(p.name) == file_sha256(p)]
    if same:
        print(f"Recorded {len(same)} bundled {what} files in {folder} as demo files.", flush=True)
        record_demo_files(same)


Window = tuple[str, str]


@dataclass
class Run:
    job: str
    window: Window
    unit: str  # what the window counts: days, quarters, months
    feeds: list[Feed] | None = None  # the loads of the run (None: the job's whole selection)


def load_groups() -> list[tuple[str, list[Feed]]]:
    """The feeds whose files name their partition (all but Comtrade's, whose months are in the
    rows), by (partitioning, group), in that order: each group's loads are one run."""
    from catalog import FEEDS

    groups: dict[tuple[str, str], list[Feed]] = {}
    for feed in FEEDS:
        if feed.file_partition:
            groups.setdefault((feed.partitioning, feed.group), []).append(feed)
    return [(partitioning, feeds) for (partitioning, _), feeds in sorted(groups.items())]


def files_window(paths: WarehousePaths, partitioning: str, feeds: list[Feed]) -> Window | None:
    """The window of Dagster partition keys the feeds' landing files hold (None: no file)."""
    from orchestration.defs.partitions import PARTITIONS

    valid = set(PARTITIONS[partitioning].get_partition_keys())
    keys = {
        feed.key_of_partition(k)
        for feed in feeds
        for p in feed.landing_files(paths.landing)
        if (k := feed.file_key(p))
    } & valid
    return (min(keys), max(keys)) if keys else None


def trade_months(paths: WarehousePaths) -> Window:
    from catalog.trade import files_partitions, landing_files
    from ingest.privacy import redact_text
    from orchestration.defs.partitions import monthly_partitions

    valid = set(monthly_partitions.get_partition_keys())
    months = set().union(*files_partitions(landing_files(paths.landing)).values()) & valid
    if not months:
        shown = redact_text(str(paths.trade_landing), masked=True)
        raise SystemExit(f"No loadable Comtrade files in {shown}")
    return min(months), max(months)


# The load-only job of each partitioning (orchestration/defs/loads.py) and what its window counts.
LOAD_JOB_OF = {
    "daily": ("load_daily", "days"),
    "quarterly": ("load_land", "quarters"),
    "monthly": ("load_monthly", "months"),
}


def plan_runs(paths: WarehousePaths, bundled: BundledWriter | None = None) -> Iterator[Run]:
    """The loads first, one run per group of feeds over the partitions its files hold (a run over
    a window materializes every partition in it: one run of the daily feeds from the family
    events of 2023 to the appeals of 2024 wrote 455 empty partitions per feed to Dagster's event
    log), then build_warehouse over Comtrade's months: its loads, every dbt model and data test, the
    serving copy, the docs and the report. Each run is planned once its files are written
    (`bundled`), while the writer may still be writing those of the next runs."""
    for partitioning, feeds in load_groups():
        if bundled:
            bundled.wait_for({feed.landing_subdir for feed in feeds})
        window = files_window(paths, partitioning, feeds)
        if window:
            yield Run(LOAD_JOB_OF[partitioning][0], window, LOAD_JOB_OF[partitioning][1], feeds)
    if bundled:
        bundled.wait_for(None)
    yield Run("build_warehouse", trade_months(paths), "months")


def job_for(defs, run: Run, preloaded: list[Feed]):
    """The run's job, subset: a load run to its feeds, their suites and their freshness checks
    (orchestration/defs/loads.py); build_warehouse without the monthly loads that ran on their
    own, and without their suites."""
    from dagster import AssetCheckKey

    from orchestration.defs.assets.feeds import check_name, raw_key
    from orchestration.defs.loads import feed_loads

    job = defs.resolve_job_def(run.job)
    graph = defs.resolve_asset_graph()
    if run.feeds is not None:
        loads = feed_loads(run.feeds)
        return job.get_subset(
            asset_selection=loads.resolve(graph), asset_check_selection=loads.resolve_checks(graph)
        )
    monthly = [f for f in preloaded if f.partitioning == "monthly"]
    if not monthly:
        return job
    from orchestration.defs.jobs import AFTER_DAILY_AND_QUARTERLY_LOADS  # (dbt's assets: the manifest)

    suites = {AssetCheckKey(raw_key(f), check_name(f)) for f in monthly}
    return job.get_subset(
        asset_selection=AFTER_DAILY_AND_QUARTERLY_LOADS.resolve(graph) - {raw_key(f) for f in monthly},
        asset_check_selection=AFTER_DAILY_AND_QUARTERLY_LOADS.resolve_checks(graph) - suites,
    )


def _range_tags(window: tuple[str, str]) -> dict[str, str]:
    from orchestration.run_monitoring import process_tags

    return {
        "dagster/asset_partition_range_start": window[0],
        "dagster/asset_partition_range_end": window[1],
        "trigger": "make warehouse",
        **process_tags(),  # which process runs it in-process: a dead one is found and failed
    }


def run_build() -> int:
    started = time.perf_counter()
    paths = WarehousePaths.from_env()
    # Before anything is written: every feed refuses the files under a landing folder whose path
    # holds an IIN, and the bundled files, written into each feed folder without a file it takes,
    # would replace real exports of the same names.
    stop_if_paths_hold_an_iin(paths)
    os.environ.update(paths.export_env())
    # PySpark (the spark extra) warns about pandas 3 when it is imported: GX no longer imports it
    # here (expectations/gx_imports.py hides it), but should anything else, a DuckDB build never
    # runs PySpark and the warning is not for the terminal.
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    # Three things at once on two cores: a process writes the bundled files (~5 s of Python),
    # this one creates the Dagster home and imports Dagster and Great Expectations (~3 s), and
    # dbt parses the project (~12 s on a fresh clone). The loads need no dbt manifest, and leave
    # a core mostly idle (their steps are Python, their files small): dbt gives way to the first
    # two, the loads start without waiting for it, it parses beside them, and build_warehouse
    # waits for it. The bundled sets are written in the order they are loaded, and each run
    # waits for its own set only (plan_runs).
    parse = bundled = None
    try:
        parse = start_dbt_parse(niceness=10)
        bundled = BundledWriter(paths)
        from dagster import BetaWarning, PreviewWarning, SupersessionWarning

        # Notes for the project's developers about Dagster APIs, not for the person building.
        for category in (BetaWarning, PreviewWarning, SupersessionWarning):
            warnings.filterwarnings("ignore", category=category)
        prepare_dagster_home()
        from expectations.gx_imports import import_great_expectations

        import_great_expectations()  # the loads' validation: ~2 s of imports, once

        import orchestration.defs.loads  # noqa: F401  (the load jobs: ~2 s of imports)

        # (A parse that fails is told when build_warehouse waits for it, after the loads.)
        results, failed_checks = execute_runs(paths, plan_runs(paths, bundled), parse)
        parse.wait()  # (after a failed load: a finished parse is the next build's head start)
    except BaseException:
        if parse:
            parse.terminate()  # not kill: dbt may be writing target/manifest.json
            parse.wait()
        raise
    finally:
        if bundled:
            bundled.close()
    success = all(r.success for r in results)
    elapsed = time.perf_counter() - started
    print_summary(paths, success, failed_checks, elapsed, [r.run_id for r in results])
    return 0 if success else 1


def execute_runs(paths: WarehousePaths, runs: Iterable[Run], parse: subprocess.Popen):
    """Each run in turn, in this process, until one fails: the load runs with the loads' own
    definitions, build_warehouse (dbt's assets) once `parse` has written dbt's manifest. Each run's
    steps are printed one line each; Dagster's event log goes to a file."""
    from dagster import DagsterInstance

    from orchestration.defs.loads import load_definitions
    from orchestration.progress import QUIET_RUN_CONFIG, StepLines
    from orchestration.run_monitoring import fail_dead_runs

    loads = load_definitions()
    failed_checks: list[str] = []
    results = []
    with DagsterInstance.get() as instance:
        # A run killed earlier (kill -9, out of memory) may still hold the writer pool's slot:
        # without a daemon here, nobody else would give it back (orchestration/run_monitoring.py).
        for run_id in fail_dead_runs(instance):
            print(f"Run {run_id} had died without ending: marked failed, its pool slot freed.")
        log_path = Path(os.environ["DAGSTER_HOME"]) / "logs" / f"build-{time.strftime('%Y%m%dT%H%M%S')}.log"
        print(f"Dagster's event log of these runs: {log_path}", flush=True)
        preloaded: list[Feed] = []
        for run in runs:
            what = f" ({run.feeds[0].group})" if run.feeds else ""
            print(
                f"\n{run.job}{what}: the {run.unit} {run.window[0]} .. {run.window[1]}, one Dagster run",
                flush=True,
            )
            if run.feeds is None:
                wait_for_manifest(parse)
                from orchestration.definitions import defs
            else:
                defs = loads
            run_id = str(uuid.uuid4())
            lines = StepLines(log_path, out=sys.stdout)
            instance.add_event_listener(run_id, lines)
            try:
                # What steps print (dbt's own log lines, via dagster-dbt) goes to the log file too.
                with contextlib.redirect_stdout(lines.log):
                    result = job_for(defs, run, preloaded).execute_in_process(
                        run_config=QUIET_RUN_CONFIG,
                        instance=instance,
                        tags=_range_tags(run.window),
                        raise_on_error=False,
                        run_id=run_id,
                    )
            finally:
                lines.close()
            results.append(result)
            preloaded += run.feeds or []
            failed_checks += [
                e.asset_check_key.to_user_string()
                for e in result.get_asset_check_evaluations()
                if not e.passed
            ]
            if not result.success:
                break
    return results, failed_checks


def print_summary(paths: WarehousePaths, success: bool, failed_checks, elapsed, run_ids) -> None:
    from ingest.duck import connect
    from report import summary

    print()
    outcome = "succeeded" if success else "FAILED"
    print(f"Build {outcome} in {elapsed:.0f} s (Dagster runs {', '.join(run_ids)})")
    if failed_checks:
        print("Failed checks: " + ", ".join(failed_checks))
    if paths.serving_db.exists():
        with connect(paths.serving_db, read_only=True, temp_dir=paths.temp_dir) as con:
            tables = summary.serving_tables(con)
            print(f"\nServing copy ({len(tables)} tables): {paths.serving_db}")
            for name, rows in tables:
                print(f"  {name:<48} {rows:>9,} {'row' if rows == 1 else 'rows'}")
            try:
                progress = summary.target_progress(con)
                print("\nProgress toward the bilateral targets (each side's own statistics):")
                print(progress.to_string(index=False))
            except Exception as error:  # summary only; the build result is what matters
                print(f"(no target progress: {error})")
            try:
                land = summary.land_latest_season(con)
                print("\nAgricultural land in the latest season (bundled set: 1/100 of the country):")
                print(land.to_string(index=False))
                subsoil = summary.subsoil_by_quarter(con)
                if len(subsoil):
                    print(
                        f"\nUnlicensed subsoil workings (outside the licensed contour or after the "
                        f"licence's expiry), {subsoil.quarter.iloc[0]}..{subsoil.quarter.iloc[-1]}: "
                        f"{subsoil.unlicensed.sum():,} ({subsoil.outside_contour.sum():,} outside, "
                        f"{subsoil.after_licence_expiry.sum():,} after expiry); latest quarter, "
                        f"{subsoil.quarter.iloc[-1]}: {subsoil.unlicensed.iloc[-1]:,}"
                    )
            except Exception as error:
                print(f"(no land summary: {error})")
    print(f"\nWarehouse (written by runs):  {paths.warehouse_db}")
    print(f"Parquet copies of the marts:  {paths.serving_parquet}")
    print(f"Great Expectations Data Docs: {paths.data_docs / 'index.html'}")
    print(f"dbt docs (lineage, columns):  {paths.root / 'dbt_docs' / 'index.html'}")
    print(f"Dagster home (runs, UI):      {os.environ['DAGSTER_HOME']}  -> make ui")
    report = paths.report_dir / "index.html"
    if report.exists():
        print(f"\nThe report (open in a browser): {report}")


if __name__ == "__main__":
    sys.exit(run_build())
