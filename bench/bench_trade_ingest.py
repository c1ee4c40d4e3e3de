"""Ingest benchmark: the project's Comtrade ingest path against DuckDB's bare CSV read.

    python -m bench.bench_trade_ingest [--rows N] [--workdir DIR] [--memory-limit 4GB] [--phases]
                                       [--keep]

Each measured phase runs in its own child process (a fresh interpreter), so the peak resident
memory reported for a phase is that child's own (from os.wait4), never the parent's or another
phase's. See bench/README.md for what each figure means.
"""

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from bench.common import (
    LOAD_RULES,
    TRADE_RULES,
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
    self_peak_mib,
    work_folder,
    write_child_result,
    write_report,
)

SEED = 7
MONTHS = [f"{year}-{month:02d}-01" for year in range(2015, 2026) for month in range(1, 13)]
PHASES = ("bare_read", "ingest_path")


# --------------------------------------------------------------------------------------------
# Children: one phase each; they write their figures as JSON to --result
# --------------------------------------------------------------------------------------------


def child_bare_read(csv_path: Path, workdir: Path, memory_limit: str) -> dict:
    from ingest.duck import connect

    root = fresh_dir(workdir / "bare_read")
    startup_peak = self_peak_mib()
    con = connect(root / "bare.duckdb", temp_dir=root / "tmp", memory_limit=memory_limit)
    started = time.perf_counter()
    con.execute(
        "create table t as select * from read_csv(?, header = true, auto_detect = true)",
        [str(csv_path)],
    )
    con.execute("checkpoint")
    seconds = time.perf_counter() - started
    (rows,) = con.execute("select count(*) from t").fetchone()
    con.close()
    return {
        "rows": rows,
        "seconds": seconds,
        "startup_peak_mib": startup_peak,
        "db_bytes": (root / "bare.duckdb").stat().st_size,
    }


def child_ingest_path(csv_path: Path, workdir: Path, memory_limit: str, phases: bool) -> dict:
    # WAREHOUSE_DIR (Data Docs) is set by the parent before this interpreter imported anything.
    from catalog.trade import COMTRADE, load_comtrade
    from ingest.duck import connect
    from ingest.reference import load_country_codes

    root = Path(os.environ["WAREHOUSE_DIR"])
    startup_peak = self_peak_mib()
    con = connect(root / "warehouse.duckdb", temp_dir=root / "tmp", memory_limit=memory_limit)
    load_country_codes(con)

    instrument = LoadInstrumentation(con, LOAD_RULES + TRADE_RULES, phases)

    started = time.perf_counter()
    report = load_comtrade(
        instrument.target, csv_path.parent.parent, MONTHS, **instrument.validator(COMTRADE, "trade")
    )
    report.raise_for_errors()
    con.execute("checkpoint")
    seconds = time.perf_counter() - started
    (rows,) = con.execute("select count(*) from raw.comtrade_records").fetchone()
    con.close()

    result = {
        "rows": rows,
        "seconds": seconds,
        "startup_peak_mib": startup_peak,
        "rows_published": report.rows_published,
        "partitions_published": report.count("published"),
        "validation_runs": len(report.validations),
        "db_bytes": (root / "warehouse.duckdb").stat().st_size,
    }
    return instrument.add_to(result, seconds)


def run_child(args: argparse.Namespace) -> int:
    csv_path, workdir = Path(args.csv), Path(args.workdir)
    if args.child == "bare_read":
        result = child_bare_read(csv_path, workdir, args.memory_limit)
    else:
        result = child_ingest_path(csv_path, workdir, args.memory_limit, args.phases)
    return write_child_result(args.result, result)


# --------------------------------------------------------------------------------------------
# Parent: dataset, children, table, JSON
# --------------------------------------------------------------------------------------------


def dataset_path(rows: int, seed: int, datasets_dir: Path) -> tuple[Path, bool]:
    """The scale CSV for (rows, seed), generated unless already there. Each dataset has a folder
    of its own, whose `trade/` folder is the landing folder of the ingest run (load_comtrade reads
    every CSV in it). Returns (path, reused)."""
    from demo.trade import write_scale_dataset

    folder = datasets_dir / f"rows{rows}_seed{seed}" / "trade"  # the landing root's trade folder
    path = folder / f"comtrade_scale_rows{rows}_seed{seed}.csv"
    if path.exists():
        return path, True
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".csv.partial")  # not *.csv: never picked up half written
    write_scale_dataset(partial, rows=rows, seed=seed, progress=sys.stderr.isatty())
    partial.replace(path)
    return path, False


def measure(phase: str, csv_path: Path, workdir: Path, memory_limit: str, phases: bool) -> dict:
    env = child_env(workdir / phase, memory_limit)
    args = ["--csv", str(csv_path), "--workdir", str(workdir), "--memory-limit", memory_limit]
    return measure_child(
        "bench.bench_trade_ingest",
        phase,
        workdir / f"{phase}.result.json",
        env,
        args + (["--phases"] if phases else []),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_trade_ingest",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rows", type=int, default=5_000_000, help="data rows (default 5,000,000)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed (default {SEED})")
    add_common_arguments(parser, "also break the ingest path down by step (SQL statements, GX)")
    parser.add_argument("--child", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return run_child(args)

    workdir, datasets_dir = work_folder(args.workdir, "trade_ingest_")
    try:
        started = time.perf_counter()
        csv_path, reused = dataset_path(args.rows, args.seed, datasets_dir)
        size = csv_path.stat().st_size
        verb = "reused existing" if reused else f"generated in {time.perf_counter() - started:.1f} s:"
        print(f"dataset: {verb} {csv_path} ({args.rows:,} rows, seed {args.seed}, {size / 2**20:,.0f} MiB)")
        info = machine(args.memory_limit)
        print_machine(info)
        print(f"work folder: {workdir}\n")

        results: dict[str, dict] = {}
        for phase in PHASES:
            print(f"running {phase} ...", flush=True)
            result = measure(phase, csv_path, workdir, args.memory_limit, args.phases)
            if result["rows"] != args.rows:
                raise SystemExit(f"{phase}: {result['rows']:,} rows in the table, expected {args.rows:,}")
            results[phase] = result
        ingest = results["ingest_path"]
        if ingest["rows_published"] != args.rows:
            raise SystemExit(
                f"ingest_path: report says {ingest['rows_published']:,} rows published, "
                f"expected {args.rows:,}"
            )

        print()
        print_phase_table(results)
        ratio = print_ratio(results)
        print(
            f"ingest path: {ingest['partitions_published']} partitions published, "
            f"{ingest['validation_runs']} Great Expectations suite runs"
        )
        if args.phases:
            print_steps(ingest)

        write_report(
            "trade_ingest",
            {
                "feed": "trade",
                "rows": args.rows,
                "seed": args.seed,
                "dataset": {"path": str(csv_path), "bytes": size, "reused": reused},
                "machine": info,
                "phases": results,
                "ratio_ingest_to_bare_read_seconds": ratio,
            },
            args.out,
        )
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
