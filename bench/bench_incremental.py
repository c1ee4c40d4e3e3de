"""Incremental benchmark (issue 10, point 4): one new month of trade and one new day of appeals on top
of the full history, against the full build of the same history.

    python -m bench.bench_incremental [--trade-rows N] [--appeals-events N] [--memory-limit L]
                                      [--days N] [--with-unit-tests] [--workdir DIR] [--keep] [--out PATH]

1. Data: the trade bench's Comtrade CSV (bench/out/datasets/rows<N>_seed7/) split in two files by
   DuckDB: the history (every period but 202511) and the new month (period 202511: a plain month,
   without December's annual rows); the appeals bench's daily files (appeals_events<N>_seed7/):
   every day but the last is the history, the last day is new (with --days N, the last N: point
   5). Landing folders are hard links.
2. Full build: a fresh warehouse; the references (country codes, the trade reference, the bundled
   bilateral files, KATO, regions, the working calendar) are loaded first and not timed; then,
   timed, `load_comtrade` over the 132 months and `load_appeals` / `load_events` over the history
   days (one child process), then `dbt build --select @source:raw.comtrade_records
   @source:raw.eotinish_appeals @source:raw.eotinish_appeal_events` (the models the two feeds
   affect, everything they need, their seeds and data tests, `--indirect-selection cautious`;
   without the unit tests, as Dagster's builds, unless --with-unit-tests, and with
   --no-write-json and no log file, as they run dbt; `dbt parse` first, not counted).
3. Increment: the new files land; `load_comtrade(["2025-11-01"])` and the appeals and events of
   the new day (one child process), then `dbt build --select source:raw.comtrade_records+
   source:raw.eotinish_appeals+ source:raw.eotinish_appeal_events+` with DBT_MIN_PERIOD =
   DBT_MAX_PERIOD = 202511 in its environment (what the new rows affect: fct_trade_flows is
   incremental on the month, as Dagster's dbt_incremental runs it, mart_commodity_mix on the slices
   that changed, the appeals chain on the appeals the new day touched; the rest is rebuilt; the
   data tests over the largest tables check the rows since the full build's passing tests,
   macros/tested_rows.sql).
4. Output: each step's seconds and peak MiB for the full build and the increment, the ratio
   increment / full (target: at most 5 %), and the JSON in bench/out/incremental_<stamp>.json.
5. --days N (default 1): the last N days are held back from the history, and after the increment
   above (the first of them, with the new month) each next day is an increment of its own (its
   appeals and events, the same dbt build), as the daily runs that follow a full build are; its
   seconds and ratio are printed after the first's. The first increment after a full build pays
   work the next ones do not: DuckDB's vacuum in the first checkpoint after ~1 % of a table's
   rows were deleted and appended again (bench/README, "Then, 2026-12-06 16:00-17:05 UTC"). With
   N > 1 the history is N - 1 days shorter than with the default.
"""

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from bench.common import (
    BENCH_HASH_KEY,
    DATASETS_DIR,
    add_common_arguments,
    child_env,
    machine,
    measure_child,
    print_machine,
    run_dbt,
    work_folder,
    write_child_result,
    write_report,
)

NEW_MONTH, NEW_PERIOD = "2025-11-01", "202511"
SOURCES = ("source:raw.comtrade_records", "source:raw.eotinish_appeals", "source:raw.eotinish_appeal_events")


# --------------------------------------------------------------------------------------------
# Child: the loads of one step (full history or increment)
# --------------------------------------------------------------------------------------------


def child_load(landing: Path, step: str) -> dict:
    from bench.bench_trade_ingest import MONTHS
    from catalog.appeals import landing_days, load_appeals, load_events
    from catalog.trade import load_comtrade
    from ingest.duck import connect

    root = Path(os.environ["WAREHOUSE_DIR"])
    con = connect(root / "warehouse.duckdb", temp_dir=root / "tmp")
    if step == "full":
        from catalog.reference import load_bilateral, load_trade_reference
        from ingest.reference import load_country_codes, load_kato, load_regions, load_working_calendar

        load_country_codes(con)
        load_trade_reference(con).raise_for_errors()
        load_bilateral(con)
        load_kato(con)
        load_regions(con)
        load_working_calendar(con)
        months, days = MONTHS, sorted(landing_days(landing))
    else:
        # (a next day: its appeals only; the new month came with the first increment)
        months = [NEW_MONTH] if step == "increment" else []
        days = sorted(landing_days(landing))[-1:]
    feeds = {}
    started = time.perf_counter()
    feeds["trade"] = {"seconds": 0.0, "rows": 0, "partitions": 0}
    if months:
        t0 = time.perf_counter()
        report = load_comtrade(con, landing, months)
        report.raise_for_errors()
        feeds["trade"] = {
            "seconds": time.perf_counter() - t0,
            "rows": report.rows_published,
            "partitions": report.count("published"),
        }
    for name, load in (("appeals", load_appeals), ("events", load_events)):
        t0 = time.perf_counter()
        report = load(con, landing, days)
        report.raise_for_errors()
        feeds[name] = {
            "seconds": time.perf_counter() - t0,
            "rows": report.rows_published,
            "partitions": report.count("published"),
        }
    con.execute("checkpoint")
    seconds = time.perf_counter() - started
    con.close()
    return {
        "seconds": seconds,
        "rows": sum(f["rows"] for f in feeds.values()),
        "feeds": feeds,
        "months": len(months),
        "days": len(days),
    }


# --------------------------------------------------------------------------------------------
# Parent
# --------------------------------------------------------------------------------------------


def trade_split(rows: int, datasets_dir: Path) -> tuple[Path, Path]:
    """(history CSV, new-month CSV) cut from the trade bench's dataset, made once and reused."""
    import duckdb

    from bench.bench_trade_ingest import SEED, dataset_path

    csv_path, _ = dataset_path(rows, SEED, datasets_dir)
    folder = csv_path.parent.parent / f"split_{NEW_PERIOD}"
    history, new = folder / "history" / "comtrade_history.csv", folder / "new" / f"comtrade_{NEW_PERIOD}.csv"
    if not (history.exists() and new.exists()):
        for path in (history, new):
            path.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect() as con:
            con.execute(
                f"create view src as select * from read_csv('{csv_path}', header = true, all_varchar = true)"
            )
            for path, condition in ((history, "<>"), (new, "=")):
                partial = path.with_suffix(".partial")
                con.execute(
                    f"copy (select * from src where period {condition} '{NEW_PERIOD}') "
                    f"to '{partial}' (header, delimiter ',')"
                )
                partial.replace(path)
    return history, new


def link_into(folder: Path, files: list[Path]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        os.link(path, folder / path.name)


def dbt_step(workdir: Path, env: dict, name: str, args: list[str]) -> dict:
    result = run_dbt(workdir, env, name, args)
    if result["exit_code"] != 0:
        raise SystemExit(
            f"dbt {name} failed (exit code {result['exit_code']}); see {result['log']}:\n  "
            + "\n  ".join(result["errors"])
        )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_incremental",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--trade-rows", type=int, default=5_000_000, help="trade rows (default 5,000,000)")
    parser.add_argument(
        "--appeals-events",
        type=int,
        default=2_000_000,
        help="appeals history events asked of the generator (default 2,000,000)",
    )
    parser.add_argument(
        "--with-unit-tests",
        action="store_true",
        help="run dbt's unit tests too (Dagster's builds do not; the figures before 6505c54 did)",
    )
    add_common_arguments(parser)
    parser.add_argument(
        "--days",
        type=int,
        default=1,
        help="days held back from the history, each a daily increment after the first (default 1)",
    )
    parser.add_argument("--child", choices=("full", "increment", "next_day"), help=argparse.SUPPRESS)
    parser.add_argument("--landing", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return write_child_result(args.result, child_load(args.landing, args.child))
    if args.days < 1:  # (the upper bound, the dataset's days less one, once it is made)
        parser.error("--days: at least 1")

    from bench.bench_appeals_ingest import APPEALS_GLOB, EVENTS_GLOB, SEED
    from bench.bench_appeals_ingest import dataset as appeals_dataset

    workdir, _ = work_folder(args.workdir, "incremental_")  # the datasets: the ingest benches'
    try:
        t0 = time.perf_counter()
        history_csv, new_csv = trade_split(args.trade_rows, DATASETS_DIR)
        appeals_root, counts, _ = appeals_dataset(args.appeals_events, SEED, DATASETS_DIR)
        days = sorted(
            {
                p.name.rsplit("_", 1)[1].removesuffix(".jsonl")
                for p in (appeals_root / "eotinish").glob(APPEALS_GLOB)
            }
        )
        if args.days >= len(days):
            parser.error(f"--days: 1 to {len(days) - 1} (the dataset has {len(days)} days)")
        held_back = days[-args.days :]
        new_day = held_back[0]
        appeal_files = sorted((appeals_root / "eotinish").glob(APPEALS_GLOB)) + sorted(
            (appeals_root / "eotinish").glob(EVENTS_GLOB)
        )

        def files_of(day: str) -> list[Path]:
            return [p for p in appeal_files if p.name.endswith(f"_{day}.jsonl")]

        held_back_files = {p for day in held_back for p in files_of(day)}
        history_files = [p for p in appeal_files if p not in held_back_files]
        new_files = files_of(new_day)
        landing = workdir / "landing"
        shutil.rmtree(landing, ignore_errors=True)
        link_into(landing / "trade", [history_csv])
        link_into(landing / "eotinish", history_files)
        print(
            f"datasets ready in {time.perf_counter() - t0:.0f} s: trade {args.trade_rows:,} rows "
            f"(new month {NEW_PERIOD}: {new_csv.stat().st_size / 2**20:,.1f} MiB of "
            f"{(history_csv.stat().st_size + new_csv.stat().st_size) / 2**20:,.0f}); appeals "
            f"{args.appeals_events:,} events asked, {len(days)} days (new day {new_day}"
            + (f", then {', '.join(held_back[1:])}" if args.days > 1 else "")
            + ")"
        )
        info = machine(args.memory_limit)
        print_machine(info)
        print(f"work folder: {workdir}\n")

        warehouse = workdir / "warehouse"
        env = child_env(
            warehouse,
            args.memory_limit,
            APPEALS_HASH_KEY=os.environ.get("APPEALS_HASH_KEY", BENCH_HASH_KEY),
            WAREHOUSE_PATH=str(warehouse / "warehouse.duckdb"),
            DUCKDB_TEMP_DIR=str(warehouse / "tmp"),
        )
        # cautious: a test runs only when every model it reads is selected (the relationships
        # tests from KATO to the land models are not this bench's; land is not loaded)
        selection_full = ["--select", " ".join(f"@{s}" for s in SOURCES), "--indirect-selection", "cautious"]
        selection_new = ["--select", " ".join(f"{s}+" for s in SOURCES), "--indirect-selection", "cautious"]
        # the window as Dagster's dbt_incremental passes it: in the environment (--vars would make
        # dbt re-parse the whole project)
        env_new = {**env, "DBT_MIN_PERIOD": NEW_PERIOD, "DBT_MAX_PERIOD": NEW_PERIOD}
        # as Dagster's builds run dbt (orchestration/defs/assets/dbt.py BUILD): without the unit
        # tests, which check no data (the test suite runs them), and without writing manifest.json
        # and run_results.json (~0.5 s a run; the node times come from dbt's output)
        dbt_build = ["build", "--no-write-json"]
        if not args.with_unit_tests:
            dbt_build += ["--exclude-resource-type", "unit_test"]
        steps: dict[str, dict] = {"full": {}, "increment": {}}
        print("full build: loads ...", flush=True)
        steps["full"]["loads"] = measure_child(
            "bench.bench_incremental",
            "full",
            workdir / "full.result.json",
            env,
            ["--landing", str(landing), "--memory-limit", args.memory_limit],
        )
        print("full build: dbt parse (not counted), dbt build ...", flush=True)
        dbt_step(workdir, env, "parse", ["parse"])
        steps["full"]["dbt build"] = dbt_step(workdir, env, "build_full", [*dbt_build, *selection_full])

        link_into(landing / "trade", [new_csv])
        link_into(landing / "eotinish", new_files)
        print("increment: loads ...", flush=True)
        steps["increment"]["loads"] = measure_child(
            "bench.bench_incremental",
            "increment",
            workdir / "increment.result.json",
            env,
            ["--landing", str(landing), "--memory-limit", args.memory_limit],
        )
        print("increment: dbt build ...", flush=True)
        steps["increment"]["dbt build"] = dbt_step(
            workdir, env_new, "build_increment", [*dbt_build, *selection_new]
        )
        next_days: list[dict] = []
        for day in held_back[1:]:
            link_into(landing / "eotinish", files_of(day))
            print(f"next day {day}: loads, dbt build ...", flush=True)
            loads = measure_child(
                "bench.bench_incremental",
                "next_day",
                workdir / f"next_day_{day}.result.json",
                env,
                ["--landing", str(landing), "--memory-limit", args.memory_limit],
            )
            build = dbt_step(workdir, env_new, f"build_{day}", [*dbt_build, *selection_new])
            next_days.append({"day": day, "loads": loads, "dbt build": build})

        for kind in [*steps.values(), *next_days]:
            measured = [s for s in kind.values() if isinstance(s, dict)]
            kind["total"] = {
                "seconds": sum(s["seconds"] for s in measured),
                "peak_mib": max(s["peak_mib"] for s in measured),
            }
        print(f"\n{'step':<26}{'full s':>10}{'increment s':>13}{'ratio':>8}{'full MiB':>10}{'incr MiB':>10}")
        rows = [("loads (trade + appeals)", "loads"), ("dbt build", "dbt build"), ("total", "total")]
        for feed in ("trade", "appeals", "events"):
            f, i = steps["full"]["loads"]["feeds"][feed], steps["increment"]["loads"]["feeds"][feed]
            print(
                f"  load {feed:<19}{f['seconds']:>10.1f}{i['seconds']:>13.1f}"
                f"{i['seconds'] / f['seconds']:>8.1%}{'':>20}   rows {f['rows']:,} + {i['rows']:,}"
            )
        for label, key in rows:
            f, i = steps["full"][key], steps["increment"][key]
            print(
                f"{label:<26}{f['seconds']:>10.1f}{i['seconds']:>13.1f}{i['seconds'] / f['seconds']:>8.1%}"
                f"{f['peak_mib']:>10,.0f}{i['peak_mib']:>10,.0f}"
            )
        ratio = steps["increment"]["total"]["seconds"] / steps["full"]["total"]["seconds"]
        print(f"\nincrement / full build: {ratio:.1%} (target <= 5 %)")
        for next_day in next_days:
            total, build = next_day["total"]["seconds"], next_day["dbt build"]
            next_day["ratio_to_full_seconds"] = total / steps["full"]["total"]["seconds"]
            print(
                f"next day {next_day['day']} / full build: {next_day['ratio_to_full_seconds']:.1%} "
                f"({total:.1f} s: loads {next_day['loads']['seconds']:.1f} s, dbt {build['seconds']:.1f} s; "
                "slowest: " + ", ".join(f"{n} {t:.1f} s" for n, t in build.get("slowest", [])[:3]) + ")"
            )
        for kind in ("full", "increment"):
            build = steps[kind]["dbt build"]
            print(
                f"dbt {kind}: {build['summary'].split(' | ')[-1]}; "
                f"tests {build.get('tests_seconds', 0):.1f} s; slowest: "
                + ", ".join(f"{n} {t:.1f} s" for n, t in build.get("slowest", [])[:5])
            )
        write_report(
            "incremental",
            {
                "trade_rows": args.trade_rows,
                "appeals_events_asked": args.appeals_events,
                "appeals_rows": counts["appeals"] + counts["events"],
                "new_month": NEW_MONTH,
                "new_day": new_day,
                "dbt_unit_tests": args.with_unit_tests,
                "machine": info,
                "steps": steps,
                "ratio_increment_to_full_seconds": ratio,
                "next_days": next_days,
            },
            args.out,
        )
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
