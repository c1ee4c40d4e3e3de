"""Ingest benchmark: the eOtinish (citizens' appeals) ingest path and dbt build against DuckDB's
bare JSON read.

    python -m bench.bench_appeals_ingest [--events N] [--workdir DIR] [--memory-limit 4GB]
                                         [--phases] [--keep]

Each measured phase runs in its own child process (a fresh interpreter; dbt is a child process of
its own per command), so the peak resident memory reported for a phase is that child's own (from
os.wait4), never the parent's or another phase's. See bench/README.md for what each figure means.
"""

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from bench.common import (
    BENCH_HASH_KEY,
    LOAD_RULES,
    PRIVACY_RULES,
    LoadInstrumentation,
    add_common_arguments,
    child_env,
    fresh_dir,
    machine,
    measure_child,
    print_machine,
    print_phase_table,
    print_ratio,
    print_steps,
    run_dbt,
    self_peak_mib,
    work_folder,
    write_child_result,
    write_report,
)

SEED = 7
CHILD_PHASES = ("bare_read", "ingest_path")
# cautious: not the tests of other feeds that merely refer to a selected model (land -> KATO units)
DBT_SELECT = ["--select", "+tag:appeals", "--indirect-selection", "cautious"]
# One `dbt build` (seeds, models and their tests in DAG order), as Dagster runs the warehouse
DBT_STEPS = ("build",)
APPEALS_GLOB, EVENTS_GLOB = "appeals_*.jsonl", "appeal_events_*.jsonl"
LINE_COUNTS = "line_counts.json"  # next to (not in) the landing folder: never read as data


# --------------------------------------------------------------------------------------------
# Children: one phase each; they write their figures as JSON to --result
# --------------------------------------------------------------------------------------------


def child_bare_read(landing: Path, workdir: Path, memory_limit: str) -> dict:
    from ingest.duck import connect

    root = fresh_dir(workdir / "bare_read")
    startup_peak = self_peak_mib()
    con = connect(root / "bare.duckdb", temp_dir=root / "tmp", memory_limit=memory_limit)
    folder = landing / "eotinish"
    tables = {}
    started = time.perf_counter()
    for table, pattern in (("a", APPEALS_GLOB), ("e", EVENTS_GLOB)):
        t0 = time.perf_counter()
        con.execute(f"create table {table} as select * from read_json_auto(?)", [str(folder / pattern)])
        tables[table] = {"seconds": time.perf_counter() - t0, "peak_after_mib": self_peak_mib()}
    t0 = time.perf_counter()
    con.execute("checkpoint")
    checkpoint = time.perf_counter() - t0
    seconds = time.perf_counter() - started
    for table in tables:
        (tables[table]["rows"],) = con.execute(f"select count(*) from {table}").fetchone()
    con.close()
    return {
        "rows": tables["a"]["rows"] + tables["e"]["rows"],
        "seconds": seconds,
        "startup_peak_mib": startup_peak,
        "appeals": tables["a"],
        "events": tables["e"],
        "checkpoint_seconds": checkpoint,
        "db_bytes": (root / "bare.duckdb").stat().st_size,
    }


def child_ingest_path(landing: Path, memory_limit: str, phases: bool) -> dict:
    # WAREHOUSE_DIR (Data Docs) and APPEALS_HASH_KEY are set by the parent before this
    # interpreter imported anything.
    from catalog.appeals import APPEALS, EVENTS, landing_days, load_appeals, load_events
    from ingest.duck import connect
    from ingest.reference import load_kato, load_regions, load_working_calendar

    root = Path(os.environ["WAREHOUSE_DIR"])
    startup_peak = self_peak_mib()
    con = connect(root / "warehouse.duckdb", temp_dir=root / "tmp", memory_limit=memory_limit)
    t0 = time.perf_counter()
    load_kato(con)
    load_regions(con)
    load_working_calendar(con)
    reference_seconds = time.perf_counter() - t0
    days = sorted(landing_days(landing))

    instrument = LoadInstrumentation(con, PRIVACY_RULES + LOAD_RULES, phases)

    feeds: dict[str, dict] = {}
    started = time.perf_counter()
    for name, load, feed in (("appeals", load_appeals, APPEALS), ("events", load_events, EVENTS)):
        instrument.timer.prefix = f"{name} | "
        t0 = time.perf_counter()
        report = load(instrument.target, landing, days, **instrument.validator(feed))
        report.raise_for_errors()
        feeds[name] = {
            "seconds": time.perf_counter() - t0,
            "rows_published": report.rows_published,
            "days_published": report.count("published"),
            "validation_runs": len(report.validations),
            "peak_after_mib": self_peak_mib(),
        }
    instrument.timer.prefix = ""
    t0 = time.perf_counter()
    con.execute("checkpoint")
    checkpoint = time.perf_counter() - t0
    seconds = time.perf_counter() - started
    for name, feed in (("appeals", APPEALS), ("events", EVENTS)):
        (feeds[name]["rows"],) = con.execute(f"select count(*) from {feed.table}").fetchone()
    con.close()

    result = {
        "rows": feeds["appeals"]["rows"] + feeds["events"]["rows"],
        "seconds": seconds,
        "startup_peak_mib": startup_peak,
        "days": len(days),
        "reference_seconds": reference_seconds,
        "final_checkpoint_seconds": checkpoint,
        "rows_published": feeds["appeals"]["rows_published"] + feeds["events"]["rows_published"],
        "appeals": feeds["appeals"],
        "events": feeds["events"],
        "db_bytes": (root / "warehouse.duckdb").stat().st_size,
    }
    return instrument.add_to(result, seconds)


def run_child(args: argparse.Namespace) -> int:
    landing, workdir = Path(args.landing), Path(args.workdir)
    if args.child == "bare_read":
        result = child_bare_read(landing, workdir, args.memory_limit)
    else:
        result = child_ingest_path(landing, args.memory_limit, args.phases)
    return write_child_result(args.result, result)


# --------------------------------------------------------------------------------------------
# Parent: dataset, children, table, JSON
# --------------------------------------------------------------------------------------------


def _count_lines(path: Path) -> int:
    """Records in a JSON Lines file: its non-empty lines."""
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 24):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def dataset(events: int, seed: int, datasets_dir: Path) -> tuple[Path, dict, bool]:
    """The landing root for (events, seed), generated unless already there: its `eotinish/` folder
    holds the daily appeals_*.jsonl and appeal_events_*.jsonl files. Returns (landing root, the
    files' line counts, reused)."""
    from demo.appeals import write_scale_appeals

    root = datasets_dir / f"appeals_events{events}_seed{seed}"
    folder = root / "eotinish"
    reused = folder.exists()
    if not reused:
        partial = root / "eotinish.partial"  # not eotinish/: never picked up half written
        shutil.rmtree(partial, ignore_errors=True)
        write_scale_appeals(partial, events=events, seed=seed, progress=sys.stderr.isatty())
        partial.replace(folder)
    counts_file = root / LINE_COUNTS
    if counts_file.exists():
        counts = json.loads(counts_file.read_text())
    else:
        files = {
            kind: sorted(folder.glob(pattern))
            for kind, pattern in (("appeals", APPEALS_GLOB), ("events", EVENTS_GLOB))
        }
        counts = {kind: sum(_count_lines(p) for p in paths) for kind, paths in files.items()}
        counts["files"] = sum(len(paths) for paths in files.values())
        counts["bytes"] = sum(p.stat().st_size for paths in files.values() for p in paths)
        counts_file.write_text(json.dumps(counts, indent=2))
    return root, counts, reused


def _child_env(workdir: Path, phase: str, memory_limit: str) -> dict:
    key = os.environ.get("APPEALS_HASH_KEY", BENCH_HASH_KEY)
    return child_env(workdir / phase, memory_limit, APPEALS_HASH_KEY=key)


def measure(phase: str, landing: Path, workdir: Path, memory_limit: str, phases: bool) -> dict:
    args = ["--landing", str(landing), "--workdir", str(workdir), "--memory-limit", memory_limit]
    fresh_dir(workdir / phase)  # a fresh warehouse also when --workdir is reused
    return measure_child(
        "bench.bench_appeals_ingest",
        phase,
        workdir / f"{phase}.result.json",
        _child_env(workdir, phase, memory_limit),
        args + (["--phases"] if phases else []),
    )


def measure_dbt(workdir: Path, memory_limit: str) -> dict:
    """`dbt parse` (not timed as part of the phase), then one `dbt build` (seeds, models, data and
    unit tests) of +tag:appeals on the warehouse the ingest phase left, each a child process."""
    warehouse = workdir / "ingest_path"
    env = _child_env(workdir, "ingest_path", memory_limit)
    env["WAREHOUSE_PATH"] = str(warehouse / "warehouse.duckdb")
    env["DUCKDB_TEMP_DIR"] = str(warehouse / "tmp")
    steps: dict[str, dict] = {}
    for step in ("parse", *DBT_STEPS):
        steps[step] = run_dbt(workdir, env, step, [step] + (DBT_SELECT if step != "parse" else []), top=8)
        if steps[step]["exit_code"] != 0:
            # Keep the figures measured so far (the load phases above all): report, don't raise.
            errors = steps[step]["errors"]
            print(
                f"dbt {step} FAILED (exit code {steps[step]['exit_code']}) after "
                f"{steps[step]['seconds']:.1f} s; last errors:\n  " + "\n  ".join(errors[-4:]),
                flush=True,
            )
            return {
                "failed": f"dbt {step} (exit code {steps[step]['exit_code']}): "
                f"{errors[-1] if errors else ''}",
                "steps": steps,
            }
    measured = [steps[s] for s in DBT_STEPS]
    return {
        "seconds": sum(s["seconds"] for s in measured),
        "peak_mib": max(s["peak_mib"] for s in measured),
        "cpu_seconds": sum(s["cpu_seconds"] for s in measured),
        "steps": steps,
        "marts": _mart_rows(warehouse / "warehouse.duckdb"),
    }


def _mart_rows(database: Path) -> dict:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall()
        return {name: con.execute(f'select count(*) from marts."{name}"').fetchone()[0] for (name,) in tables}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_appeals_ingest",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--events", type=int, default=10_000_000, help="history events to generate (default 10,000,000)"
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed (default {SEED})")
    add_common_arguments(parser, "also break the ingest path down by step (SQL statements, GX)")
    parser.add_argument("--no-dbt", action="store_true", help="skip the dbt phase")
    parser.add_argument("--child", choices=CHILD_PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--landing", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return run_child(args)

    workdir, datasets_dir = work_folder(args.workdir, "appeals_ingest_")
    try:
        started = time.perf_counter()
        landing, counts, reused = dataset(args.events, args.seed, datasets_dir)
        expected = counts["appeals"] + counts["events"]
        verb = "reused existing" if reused else f"generated in {time.perf_counter() - started:.1f} s:"
        print(
            f"dataset: {verb} {landing / 'eotinish'} ({args.events:,} events asked, seed "
            f"{args.seed}; {counts['files']} files, {counts['bytes'] / 2**20:,.0f} MiB, "
            f"{counts['appeals']:,} appeal snapshots + {counts['events']:,} events)"
        )
        info = machine(args.memory_limit)
        print_machine(info)
        print(f"work folder: {workdir}\n")

        results: dict[str, dict] = {}
        for phase in CHILD_PHASES:
            print(f"running {phase} ...", flush=True)
            result = measure(phase, landing, workdir, args.memory_limit, args.phases)
            for kind in ("appeals", "events"):
                if result[kind]["rows"] != counts[kind]:
                    raise SystemExit(
                        f"{phase}: {result[kind]['rows']:,} {kind} rows in the table, "
                        f"expected {counts[kind]:,} (lines in the files)"
                    )
            results[phase] = result
        ingest = results["ingest_path"]
        if ingest["rows_published"] != expected:
            raise SystemExit(
                f"ingest_path: report says {ingest['rows_published']:,} rows published, expected {expected:,}"
            )
        if not args.no_dbt:
            print("running dbt (parse, then build --select +tag:appeals) ...", flush=True)
            dbt = measure_dbt(workdir, args.memory_limit)
            for step in DBT_STEPS:
                if step in dbt["steps"]:
                    failed = " FAILED" if dbt.get("failed", "").startswith(f"dbt {step} ") else ""
                    results[f"dbt {step}{failed}"] = dict(dbt["steps"][step], rows=expected)
            if "failed" not in dbt:
                dbt["rows"] = expected  # raw rows the build reads
                results["dbt (total)"] = dbt
        for r in results.values():
            r["rows_per_s"] = r["rows"] / r["seconds"] if r["seconds"] else 0

        print()
        print_phase_table(results)
        ratio = print_ratio(results)
        for kind in ("appeals", "events"):
            feed = ingest[kind]
            print(
                f"  {kind:<8} ingest {feed['seconds']:>7.1f} s ({feed['rows']:,} rows, "
                f"{feed['days_published']} days, {feed['validation_runs']} GX runs)   "
                f"bare read {results['bare_read'][kind]['seconds']:>6.1f} s"
            )
        if not args.no_dbt and "failed" in dbt:
            print(f"dbt: FAILED in {dbt['failed']}; figures of the steps before it are above")
        elif not args.no_dbt:
            print(
                f"dbt: parse {results['dbt (total)']['steps']['parse']['seconds']:.1f} s (not counted); "
                + "; ".join(f"{s} {dbt['steps'][s]['summary'].split(' | ')[-1]}" for s in DBT_STEPS)
            )
            for step in DBT_STEPS:
                print(
                    f"  slowest in dbt {step}: "
                    + ", ".join(f"{name} {sec:.1f} s" for name, sec in dbt["steps"][step]["slowest"])
                )
            print("  marts: " + ", ".join(f"{n} {c:,}" for n, c in dbt["marts"].items()))
        if args.phases:
            print_steps(ingest)

        report = {
            "feed": "appeals",
            "events_asked": args.events,
            "seed": args.seed,
            "dataset": {"path": str(landing / "eotinish"), "reused": reused, **counts},
            "machine": info,
            "phases": results,
            "ratio_ingest_to_bare_read_seconds": ratio,
            "dbt_failed": None if args.no_dbt else dbt.get("failed"),
        }
        write_report("appeals_ingest", report, args.out)
        if report["dbt_failed"]:
            return 1
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
