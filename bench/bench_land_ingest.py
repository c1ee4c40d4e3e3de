"""Ingest benchmark: the land and subsoil monitoring path (ingest/land.py) against DuckDB's bare read
of the same files.

    python -m bench.bench_land_ingest [--parcels 1000000] [--workdir DIR] [--memory-limit L]
                                      [--phases] [--keep] [--out PATH]

The dataset is `python -m demo.land scale` (one SUMMER observation per parcel and year,
2022-2025, sites = parcels / 20), written once to bench/out/datasets/land_parcels<N>/ and reused.
Each measured phase runs in its own child interpreter, so the peak resident memory reported for a
phase is that child's own (os.wait4):

- bare_read: `create table as select * from read_csv/read_json` per feed (no checks, no geometry);
- ingest_path: `load_land_feed` for the five feeds over every quarter: registry, staging, casts,
  geometry with shapely (validity, area, centroid, point in contour), Great Expectations, publish.
  The geometry step (`Feed.enrich`) is timed on its own inside it; with --phases every SQL
  statement is timed by load step too (bench.common).
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
LAND_RULES = [
    ("licence_number, min(_loaded_at)", "plan: detections placed before their sites changed"),
]


def child_bare_read(landing: Path, workdir: Path, memory_limit: str) -> dict:
    from catalog.land import LAND_FEEDS as FEEDS
    from ingest.duck import connect

    root = fresh_dir(workdir / "bare_read")
    startup_peak = self_peak_mib()
    con = connect(root / "bare.duckdb", temp_dir=root / "tmp", memory_limit=memory_limit)
    feeds = {}
    started = time.perf_counter()
    for feed in FEEDS:
        t0 = time.perf_counter()
        for suffix, reader in (("csv", "read_csv"), ("jsonl", "read_json")):
            if not list((landing / "land").glob(f"{feed.name}_*.{suffix}")):
                continue
            pattern = str(landing / "land" / f"{feed.name}_*.{suffix}")
            con.execute(f"create table {feed.name} as select * from {reader}(?)", [pattern])
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
    import dataclasses

    from catalog.land import LAND_FEEDS
    from ingest.duck import connect
    from ingest.feeds import load_feed
    from ingest.land_schema import partitions
    from ingest.reference import load_kato

    root = Path(os.environ["WAREHOUSE_DIR"])
    startup_peak = self_peak_mib()
    con = connect(root / "warehouse.duckdb", temp_dir=root / "tmp", memory_limit=memory_limit)
    load_kato(con)
    instrument = LoadInstrumentation(con, LAND_RULES + LOAD_RULES, phases)
    timer = instrument.timer
    geometry_seconds: dict[str, float] = {}

    def timed(original):  # the geometry step (Feed.enrich) timed on its own
        def enrich(con, feed):
            t0 = time.perf_counter()
            with timer("geometry: shapely/pyproj (Feed.enrich), its SQL included"):
                original(getattr(con, "_con", con), feed)  # the real connection: one step
            geometry_seconds[feed.name] = geometry_seconds.get(feed.name, 0.0) + time.perf_counter() - t0

        return enrich

    land_feeds = [dataclasses.replace(f, enrich=timed(f.enrich)) if f.enrich else f for f in LAND_FEEDS]
    feeds = {}
    started = time.perf_counter()
    for feed in land_feeds:
        timer.prefix = f"{feed.name} | " if phases else ""
        t0 = time.perf_counter()
        report = load_feed(instrument.target, feed, landing, partitions(), **instrument.validator(feed))
        if report.rejected:
            raise SystemExit(
                f"{feed.name}: quarters rejected: {[p.partition_key for p in report.rejected]}"
                f"\n{report.issues[:5]}"
            )
        feeds[feed.name] = {
            "rows": report.rows_published,
            "seconds": time.perf_counter() - t0,
            "geometry_seconds": geometry_seconds.get(feed.name, 0.0),
            "suite_runs": len(report.validations),
            "peak_after_mib": self_peak_mib(),
        }
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


def dataset(parcels: int, datasets_dir: Path) -> tuple[Path, list[Path], float | None]:
    """The landing root for N parcels (its land/ folder), generated unless already there.
    Returns (landing root, files, seconds to generate or None when reused)."""
    from demo.land import write_scale_land

    root = datasets_dir / f"land_parcels{parcels}"
    folder = root / "land"
    if folder.exists():
        return root, sorted(p for p in folder.iterdir() if p.is_file()), None
    partial = root / "land.partial"  # never picked up half written
    shutil.rmtree(partial, ignore_errors=True)
    t0 = time.perf_counter()
    write_scale_land(partial, parcels=parcels, progress=False)
    seconds = time.perf_counter() - t0
    partial.replace(folder)
    return root, sorted(p for p in folder.iterdir() if p.is_file()), seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_land_ingest",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--parcels", type=int, default=1_000_000, help="parcels (default 1,000,000)")
    add_common_arguments(parser, "also break the ingest path down by step (SQL statements, GX, geometry)")
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

    workdir, datasets_dir = work_folder(args.workdir, "land_ingest_")
    try:
        landing, paths, generated = dataset(args.parcels, datasets_dir)
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
        verb = "reused existing" if generated is None else f"generated in {generated:.0f} s:"
        print(
            f"dataset: {verb} {landing / 'land'} ({args.parcels:,} parcels, {len(paths)} files, "
            f"{size_mb:,.0f} MB)"
        )
        info = machine(args.memory_limit)
        print_machine(info)
        print(f"work folder: {workdir}\n")
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
                "bench.bench_land_ingest",
                phase,
                workdir / f"{phase}.result.json",
                # parcels' and sites' values are redacted with a keyed hash (catalog.land): synthetic
                # data, any key will do
                child_env(
                    fresh_dir(workdir / phase),
                    args.memory_limit,
                    APPEALS_HASH_KEY=os.environ.get("APPEALS_HASH_KEY", BENCH_HASH_KEY),
                ),
                extra,
            )

        print(f"\n{'feed':<22}{'rows':>12}{'bare s':>9}{'ingest s':>10}{'geometry s':>12}{'rows/s':>10}")
        for name, ingest in results["ingest_path"]["feeds"].items():
            bare = results["bare_read"]["feeds"][name]
            print(
                f"{name:<22}{ingest['rows']:>12,}{bare['seconds']:>9.1f}{ingest['seconds']:>10.1f}"
                f"{ingest['geometry_seconds']:>12.1f}{ingest['rows'] / ingest['seconds']:>10,.0f}"
            )
        print()
        print_phase_table(results)
        ratio = print_ratio(results)
        if args.phases:
            print_steps(results["ingest_path"])
        write_report(
            "land_ingest",
            {
                "feed": "land",
                "parcels": args.parcels,
                "files_mb": size_mb,
                "dataset": {
                    "path": str(landing / "land"),
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
