"""Ingest benchmark: the Digital Family Map feeds (catalog/family.py) against DuckDB's bare read of
the same files.

    python -m bench.bench_family_ingest [--families 1000000] [--months 1] [--workdir DIR]
                                        [--memory-limit L] [--phases] [--keep] [--out PATH]

The dataset is `python -m demo.family_national` (per month one extract per
source database, ~3.1 people per family, and the daily proactive-service events), written once to
bench/out/datasets/family<N>_months<M>/ and reused. Each measured phase runs in its own child
interpreter, so the peak resident memory reported for a phase is that child's own (os.wait4):

- bare_read: `create table as select * from read_csv(...)` per feed, with the declared column
  types (no hashing, no checks);
- ingest_path: `ingest.feeds.load_feed` over the eleven declarations of catalog/family.py, as
  Dagster's assets call it (civil registry first: the other extracts are checked against it):
  registration, staging with the IINs and family ids hashed in the read, casts, Great
  Expectations, publication. With --phases every SQL statement is timed by load step (bench.common).
"""

import argparse
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
    self_peak_mib,
    work_folder,
    write_child_result,
    write_report,
)

PHASES = ("bare_read", "ingest_path")


def child_bare_read(landing: Path, workdir: Path, memory_limit: str) -> dict:
    from catalog.family import FAMILY_FEEDS
    from ingest.duck import connect

    root = fresh_dir(workdir / "bare_read")
    startup_peak = self_peak_mib()
    con = connect(root / "bare.duckdb", temp_dir=root / "tmp", memory_limit=memory_limit)
    feeds = {}
    started = time.perf_counter()
    for feed in FAMILY_FEEDS:
        t0 = time.perf_counter()
        files = [str(p) for p in feed.landing_files(landing)]
        # The declared columns and types (those the load casts to): sniffed from the first file,
        # a day with no payment would type `amount_kzt` as text and the next days' files clash.
        columns = ", ".join(f"'{name}': '{kind}'" for name, kind in feed.source_columns)
        con.execute(
            f"create table {feed.name} as select * from read_csv(?, header = true, columns = {{{columns}}})",
            [files],
        )
        (rows,) = con.execute(f"select count(*) from {feed.name}").fetchone()
        feeds[feed.name] = {"rows": rows, "seconds": time.perf_counter() - t0}
    con.execute("checkpoint")
    seconds = time.perf_counter() - started
    con.close()
    return {
        "seconds": seconds,
        "feeds": feeds,
        "rows": sum(f["rows"] for f in feeds.values()),
        "startup_peak_mib": startup_peak,
    }


def child_ingest_path(landing: Path, memory_limit: str, phases: bool) -> dict:
    # WAREHOUSE_DIR (Data Docs) and APPEALS_HASH_KEY are set by the parent before this
    # interpreter imported anything.
    from catalog.family import FAMILY_FEEDS, PROACTIVE_EVENTS, landing_days, landing_months
    from ingest.duck import connect
    from ingest.feeds import load_feed
    from ingest.reference import load_kato

    root = Path(os.environ["WAREHOUSE_DIR"])
    startup_peak = self_peak_mib()
    con = connect(root / "warehouse.duckdb", temp_dir=root / "tmp", memory_limit=memory_limit)
    load_kato(con)  # the registry and the events are checked against the KATO codes
    months, days = sorted(landing_months(landing)), sorted(landing_days(landing))
    instrument = LoadInstrumentation(con, PRIVACY_RULES + LOAD_RULES, phases)
    feeds = {}
    started = time.perf_counter()
    for feed in FAMILY_FEEDS:
        instrument.timer.prefix = f"{feed.name} | " if phases else ""
        t0 = time.perf_counter()
        keys = days if feed is PROACTIVE_EVENTS else months
        report = load_feed(instrument.target, feed, landing, keys, **instrument.validator(feed))
        if report.rejected:
            raise SystemExit(
                f"{feed.name}: partitions rejected: {[p.partition_key for p in report.rejected]}"
                f"\n{report.issues[:5]}"
            )
        feeds[feed.name] = {
            "rows": report.rows_published,
            "seconds": time.perf_counter() - t0,
            "suite_runs": len(report.validations),
            "peak_after_mib": self_peak_mib(),
        }
    instrument.timer.prefix = ""
    con.execute("checkpoint")
    seconds = time.perf_counter() - started
    con.close()
    result = {
        "seconds": seconds,
        "feeds": feeds,
        "rows": sum(f["rows"] for f in feeds.values()),
        "startup_peak_mib": startup_peak,
        "db_bytes": (root / "warehouse.duckdb").stat().st_size,
    }
    return instrument.add_to(result, seconds)


def dataset(families: int, months: int, datasets_dir: Path) -> tuple[Path, list[Path], float | None]:
    """The landing root for N families (its family/ folder), generated unless already there.
    Returns (landing root, files, seconds to generate or None when reused)."""
    from demo.family_national import write_scale_family

    root = datasets_dir / f"family{families}_months{months}"
    folder = root / "family"
    if folder.exists():
        return root, sorted(folder.glob("*.csv")), None
    partial = root / "family.partial"  # never picked up half written
    shutil.rmtree(partial, ignore_errors=True)
    t0 = time.perf_counter()
    write_scale_family(partial, families=families, months=months)
    seconds = time.perf_counter() - t0
    partial.replace(folder)
    return root, sorted(folder.glob("*.csv")), seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_family_ingest",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--families", type=int, default=1_000_000, help="families (default 1,000,000)")
    parser.add_argument("--months", type=int, default=1, help="months of extracts from 2023-01 (default 1)")
    add_common_arguments(parser, "also break the ingest path down by step (SQL statements, GX)")
    parser.add_argument("--child", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--landing", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        if args.child == "bare_read":
            result = child_bare_read(args.landing, args.workdir, args.memory_limit)
        else:
            result = child_ingest_path(args.landing, args.memory_limit, args.phases)
        return write_child_result(args.result, result)

    workdir, datasets_dir = work_folder(args.workdir, "family_ingest_")
    try:
        landing, paths, generated = dataset(args.families, args.months, datasets_dir)
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
        verb = "reused existing" if generated is None else f"generated in {generated:.0f} s:"
        print(
            f"dataset: {verb} {landing / 'family'} ({args.families:,} families, {args.months} "
            f"month(s), {len(paths)} files, {size_mb:,.0f} MB)"
        )
        info = machine(args.memory_limit)
        print_machine(info)
        print(f"work folder: {workdir}\n")
        key = os.environ.get("APPEALS_HASH_KEY", BENCH_HASH_KEY)  # synthetic data: any key will do
        results = {}
        for phase in PHASES:
            print(f"running {phase} ...", flush=True)
            extra = [
                "--workdir",
                str(workdir),
                "--memory-limit",
                args.memory_limit,
                "--landing",
                str(landing),
            ] + (["--phases"] if args.phases else [])
            results[phase] = measure_child(
                "bench.bench_family_ingest",
                phase,
                workdir / f"{phase}.result.json",
                child_env(fresh_dir(workdir / phase), args.memory_limit, APPEALS_HASH_KEY=key),
                extra,
            )

        print(f"\n{'feed':<32}{'rows':>12}{'bare s':>9}{'ingest s':>10}{'rows/s':>10}")
        for name, ingest in results["ingest_path"]["feeds"].items():
            bare = results["bare_read"]["feeds"][name]
            print(
                f"{name:<32}{ingest['rows']:>12,}{bare['seconds']:>9.1f}{ingest['seconds']:>10.1f}"
                f"{ingest['rows'] / ingest['seconds']:>10,.0f}"
            )
        print()
        print_phase_table(results)
        ratio = print_ratio(results)
        if args.phases:
            print_steps(results["ingest_path"])
        write_report(
            "family_ingest",
            {
                "feed": "family",
                "families": args.families,
                "months": args.months,
                "files_mb": size_mb,
                "dataset": {
                    "path": str(landing / "family"),
                    "files": len(paths),
                    "generate_seconds": generated,
                },
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
