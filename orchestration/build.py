"""Build the whole warehouse on the bundled data, through Dagster, and say what was built.

    python -m orchestration.build            (what `make warehouse` runs)

Steps: put the bundled Comtrade, eOtinish and land-monitoring files in the landing folder if it
has none; prepare the dbt manifest (`dbt parse`); create the Dagster home; run `load_appeals` over
the days and `load_land` over the quarters the landing folder holds, then `build_warehouse` over
every month, each as one run (single-run backfill); print a summary.
"""

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path

from ingest.settings import REPO_ROOT, WarehousePaths, dbt_target

DAGSTER_YAML = """\
# Created by `python -m orchestration.build` (rewritten by it while this first line stays).
# DuckDB allows one writer per file: every asset that writes the warehouse is in the pool
# `duckdb_warehouse_writer`, limited to one step at a time.
concurrency:
  pools:
    default_limit: 1
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
    target the runs use (so that their dbt commands parse partially, from this parse's state)."""
    project = REPO_ROOT / "dbt_project"
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [str(dbt), "parse", "--quiet", "--target", dbt_target()]
        + ["--project-dir", str(project), "--profiles-dir", str(project)],
        check=True,
    )


def ensure_bundled_data(paths: WarehousePaths) -> None:
    """Write the deterministic demo files into an empty landing folder (trade, appeals, land)."""
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

    if not landing_files(paths.landing):
        print(f"Writing the bundled Comtrade files to {paths.trade_landing} ...", flush=True)
        write_bundled_dataset(paths.trade_landing)
    folder = paths.landing / APPEALS.landing_subdir
    if not landing_days(paths.landing):
        print(f"Writing the bundled eOtinish exports to {folder} ...", flush=True)
        write_bundled_appeals(folder)
    elif not (folder / DEMO_MANIFEST).exists():
        recognise_bundled_appeals(folder)
    if not landing_quarters(paths.landing):
        folder = paths.landing / land.LANDING_SUBDIR
        print(f"Writing the bundled land and subsoil monitoring files to {folder} ...", flush=True)
        write_bundled_land(folder)
    if not family_months(paths.landing):
        folder = paths.landing / family.LANDING_SUBDIR
        print(f"Writing the bundled Digital Family Map extracts to {folder} ...", flush=True)
        write_bundled_family(folder)


def recognise_bundled_appeals(folder: Path) -> None:
    """A landing folder whose bundled eOtinish files were written before the generator recorded
    their checksums: generate the bundled set again (deterministic) and record the files of the
    folder that are byte for byte the same, so that the demo key may hash them (and only them)."""
    from demo.appeals import write_bundled_appeals  # lazily: a demo concern (ensure_bundled_data)
    from ingest.privacy import file_sha256, record_demo_files

    with tempfile.TemporaryDirectory() as scratch:
        generated = {p.name: file_sha256(p) for p in write_bundled_appeals(Path(scratch))}
    same = [p for p in sorted(folder.iterdir()) if p.is_file() and generated.get(p.name) == file_sha256(p)]
    if same:
        print(f"Recorded {len(same)} bundled eOtinish files in {folder} as demo files.", flush=True)
        record_demo_files(same)


Window = tuple[str, str]


def landing_windows(paths: WarehousePaths) -> tuple[Window, Window | None, Window | None, Window | None]:
    """The months (trade and family extracts), days (appeals), quarters (land) and days (family
    proactive-service events) the landing folder holds data for."""
    from catalog.appeals import landing_days
    from catalog.family import landing_days as family_days
    from catalog.family import landing_months as family_months
    from catalog.land import landing_quarters
    from catalog.trade import file_partitions, landing_files
    from ingest.land import partition_of_quarter
    from orchestration.defs.partitions import daily_partitions, monthly_partitions, quarterly_partitions

    months = set()
    valid = set(monthly_partitions.get_partition_keys())
    for path in landing_files(paths.landing):
        months |= file_partitions(path) & valid
    if not months:
        raise SystemExit(f"No loadable Comtrade files in {paths.trade_landing}")
    months |= family_months(paths.landing) & valid
    days = landing_days(paths.landing) & set(daily_partitions.get_partition_keys())
    event_days = family_days(paths.landing) & set(daily_partitions.get_partition_keys())
    quarters = {partition_of_quarter(q) for q in landing_quarters(paths.landing)}
    quarters &= set(quarterly_partitions.get_partition_keys())
    return (
        (min(months), max(months)),
        (min(days), max(days)) if days else None,
        (min(quarters), max(quarters)) if quarters else None,
        (min(event_days), max(event_days)) if event_days else None,
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
    os.environ.update(paths.export_env())
    ensure_bundled_data(paths)
    prepare_dbt_manifest()
    prepare_dagster_home()

    from dagster import BetaWarning, DagsterInstance, PreviewWarning, SupersessionWarning

    # Notes for the project's developers about Dagster APIs, not for the person building.
    for category in (BetaWarning, PreviewWarning, SupersessionWarning):
        warnings.filterwarnings("ignore", category=category)
    from orchestration.definitions import defs
    from orchestration.progress import QUIET_RUN_CONFIG, StepLines
    from orchestration.run_monitoring import fail_dead_runs

    months, days, quarters, event_days = landing_windows(paths)
    failed_checks: list[str] = []
    results = []
    with DagsterInstance.get() as instance:
        # A run killed earlier (kill -9, out of memory) may still hold the writer pool's slot:
        # without a daemon here, nobody else would give it back (orchestration/run_monitoring.py).
        for run_id in fail_dead_runs(instance):
            print(f"Run {run_id} had died without ending: marked failed, its pool slot freed.")
        # Daily appeal loads and quarterly land loads first (their own partitions, so their own
        # runs), then everything else over the months, in one run: trade loads, every dbt model,
        # serving copy, docs.
        # The daily loads (appeals 2024, family events 2022-23) in one run over every day between:
        # a day without a file is an empty partition. (A run per group with an asset selection
        # would pull in dbt's source checks, i.e. a dbt build per run.)
        windows = [w for w in (days, event_days) if w]
        daily = (min(w[0] for w in windows), max(w[1] for w in windows)) if windows else None
        runs = [("load_daily", daily, "days", None)] if daily else []
        runs += [("load_land", quarters, "quarters", None)] if quarters else []
        runs.append(("build_warehouse", months, "months", None))
        log_path = Path(os.environ["DAGSTER_HOME"]) / "logs" / f"build-{time.strftime('%Y%m%dT%H%M%S')}.log"
        print(f"Dagster's event log of these runs: {log_path}", flush=True)
        for job_name, window, unit, selection in runs:
            what = f" ({', '.join(k.path[-1] for k in selection)})" if selection else ""
            print(f"\n{job_name}{what}: the {unit} {window[0]} .. {window[1]}, one Dagster run", flush=True)
            run_id = str(uuid.uuid4())
            lines = StepLines(log_path, out=sys.stdout)
            instance.add_event_listener(run_id, lines)
            try:
                # What steps print (dbt's own log lines, via dagster-dbt) goes to the log file too.
                with contextlib.redirect_stdout(lines.log):
                    result = defs.resolve_job_def(job_name).execute_in_process(
                        run_config=QUIET_RUN_CONFIG,
                        instance=instance,
                        tags=_range_tags(window),
                        raise_on_error=False,
                        run_id=run_id,
                    )
            finally:
                lines.close()
            results.append(result)
            failed_checks += [
                e.asset_check_key.to_user_string()
                for e in result.get_asset_check_evaluations()
                if not e.passed
            ]
            if not result.success:
                break
    success = all(r.success for r in results)
    elapsed = time.perf_counter() - started
    print_summary(paths, success, failed_checks, elapsed, [r.run_id for r in results])
    return 0 if success else 1


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
                print(f"  {name:<48} {rows:>9,} rows")
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
