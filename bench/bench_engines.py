"""Engines benchmark (issue 13): the whole dbt project built on DuckDB and on Apache Spark over the
same data, N times the bundled volume, wall time and peak memory side by side.

    python -m bench.bench_engines [--factor 10] [--data-tests] [--spark-driver-memory 4g]
                                  [--memory-limit L] [--workdir DIR] [--keep] [--out PATH]

Needs the `spark` extra (dbt-spark, PySpark 4) and Java 17: run it with that environment's
python (its dbt has dbt-duckdb too, and builds both engines).

1. Data, written once to bench/out/datasets/engines_x<N>/landing/ and reused: every feed at N
   times the bundled set. Where the bundled writer takes a size it is used with the size times N:
   eOtinish appeals (`write_bundled_appeals`, 90 days, N x 55 appeals a working day), land
   (`write_bundled_land`, N x 3,000 parcels, N x 150 subsoil sites, three seasons a year), the
   Digital Family Map (`write_family`, N x 6,300 families, two months). Comtrade's bundled set has
   no size: its Tajik files (JSON) and Kazakh annual files are kept, and the Kazakh monthly files
   (which the bundled set holds only for the Tajik partner) are replaced by the scale writer's
   one CSV (`write_scale_dataset`: Kazakhstan with every partner, 2015-01..2025-12), of as many
   rows as make raw.comtrade_records N times the bundled set's rows. (A scale file beside the
   bundled Kazakh monthly files would replace them: the same reporter/frequency/period slices.)
2. Loads, once, in a child process: a fresh DuckDB warehouse, the reference loads (country codes,
   trade reference, bilateral files, KATO, regions, working calendar, land reference), then every
   feed of catalog.FEEDS over the partitions its files hold (`ingest.feeds.load_feed`, as the
   Dagster assets call it). Then, in a second child, the Parquet lake Spark reads
   (`ingest.lake.export_all`, what `python -m orchestration.lake` runs). Both are timed and
   printed; they are the same for both engines and are not what is compared.
3. dbt: `dbt parse` (not counted), then `dbt build --exclude resource_type:test` on each engine
   (seeds, models, unit tests; data tests excluded on both, as tests/test_spark_engine.py builds
   Spark; `--data-tests` includes them on both), each a measured child with a WAREHOUSE_DIR and a
   dbt target folder of its own: DuckDB builds in the loaded warehouse file, Spark (a local[2]
   session in dbt's process, WAREHOUSE_ENGINE=spark) writes its metastore and Parquet tables
   under its folder and reads the lake. Peak memory is that of the process tree (dbt, and Spark's
   JVM, a child of dbt's process): resident memory of every descendant summed, sampled every
   0.5 s (bench.common.TreePeak).
4. Output: one table (engine, nodes built, wall seconds, peak MiB of the process tree), and the
   JSON in bench/out/engines_<stamp>.json (`phases.<engine>.seconds`, `phases.<engine>.peak_mib`).
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.common import (
    BENCH_HASH_KEY,
    TreePeak,
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

# The bundled sizes the factor multiplies (demo/appeals.py, demo/land.py, demo/family.py defaults).
APPEALS_PER_WORKING_DAY = 55.0
LAND_PARCELS, LAND_SITES = 3_000, 150
FAMILIES = 6_300
SCALE_SEED = 7
ENGINES = ("duckdb", "spark")


# --------------------------------------------------------------------------------------------
# Data: N times the bundled set, written once
# --------------------------------------------------------------------------------------------


def dataset(factor: int, datasets_dir: Path) -> tuple[Path, dict, float | None]:
    """The landing root for `factor` (its trade/, eotinish/, land/ and family/ folders), written
    unless complete already. Returns (landing root, what was written, seconds or None if reused)."""
    root = datasets_dir / f"engines_x{factor}"
    landing, manifest = root / "landing", root / "dataset.json"
    if manifest.exists():
        return landing, json.loads(manifest.read_text()), None
    from catalog.appeals import APPEALS
    from catalog.trade import COMTRADE
    from demo.appeals import write_bundled_appeals
    from demo.family import write_family
    from demo.land import write_bundled_land
    from demo.trade import write_bundled_dataset, write_scale_dataset
    from ingest import family, land

    shutil.rmtree(root, ignore_errors=True)
    landing.mkdir(parents=True)
    written: dict[str, dict] = {}
    started = time.perf_counter()

    t0 = time.perf_counter()
    trade = landing / COMTRADE.landing_subdir
    trade.mkdir()
    with tempfile.TemporaryDirectory(dir=root) as scratch:
        bundled_rows, kept_rows = 0, 0
        for path in write_bundled_dataset(Path(scratch)):
            rows = _trade_rows(path)
            bundled_rows += rows
            if not path.name.startswith("comtrade_C_M_398_"):  # Kazakh monthly: replaced below
                path.rename(trade / path.name)
                kept_rows += rows
    scale_rows = factor * bundled_rows - kept_rows
    write_scale_dataset(trade / "comtrade_C_M_398_scale.csv", rows=scale_rows, seed=SCALE_SEED)
    written["trade"] = {
        "bundled_rows": bundled_rows,
        "rows": kept_rows + scale_rows,
        "scale_rows": scale_rows,
        "seconds": time.perf_counter() - t0,
    }

    t0 = time.perf_counter()
    paths = write_bundled_appeals(
        landing / APPEALS.landing_subdir, per_working_day=factor * APPEALS_PER_WORKING_DAY
    )
    written["appeals"] = {"files": len(paths), "seconds": time.perf_counter() - t0}

    t0 = time.perf_counter()
    paths = write_bundled_land(
        landing / land.LANDING_SUBDIR, parcels=factor * LAND_PARCELS, sites=factor * LAND_SITES
    )
    written["land"] = {"files": len(paths), "seconds": time.perf_counter() - t0}

    t0 = time.perf_counter()
    paths = write_family(landing / family.LANDING_SUBDIR, families=factor * FAMILIES)
    written["family"] = {"files": len(paths), "seconds": time.perf_counter() - t0}

    for name, info in written.items():
        folder = {"trade": "trade", "appeals": "eotinish", "land": "land", "family": "family"}[name]
        info["mib"] = sum(p.stat().st_size for p in (landing / folder).rglob("*") if p.is_file()) / 2**20
    info = {"factor": factor, "feeds": written, "seconds": time.perf_counter() - started}
    manifest.write_text(json.dumps(info, indent=2))
    return landing, info, info["seconds"]


def _trade_rows(path: Path) -> int:
    """Data rows of a bundled Comtrade file (CSV lines after the header; the JSON envelope's count)."""
    if path.suffix == ".json":
        return json.loads(path.read_text())["count"]
    with path.open("rb") as handle:
        return sum(1 for _ in handle) - 1


# --------------------------------------------------------------------------------------------
# Children: the loads, the lake
# --------------------------------------------------------------------------------------------


def child_load(landing: Path, memory_limit: str) -> dict:
    from catalog import FEEDS
    from catalog.reference import load_bilateral, load_land_reference, load_trade_reference
    from ingest.duck import connect
    from ingest.feeds import files_partitions, load_feed
    from ingest.reference import load_country_codes, load_kato, load_regions, load_working_calendar

    root = Path(os.environ["WAREHOUSE_DIR"])
    con = connect(root / "warehouse.duckdb", temp_dir=root / "tmp", memory_limit=memory_limit)
    started = time.perf_counter()
    load_country_codes(con)
    load_trade_reference(con).raise_for_errors()
    load_bilateral(con)
    load_kato(con)
    load_regions(con)
    load_working_calendar(con)
    load_land_reference(con)
    feeds = {"references": {"seconds": time.perf_counter() - started, "rows": 0, "partitions": 0}}
    for feed in FEEDS:  # in the order a full build loads them (catalog.FEEDS)
        t0 = time.perf_counter()
        keys = sorted(set().union(*files_partitions(feed, feed.landing_files(landing)).values()))
        report = load_feed(con, feed, landing, keys)
        feeds[feed.name] = {
            "seconds": time.perf_counter() - t0,
            "rows": report.rows_published,
            "partitions": report.count("published"),
            "rejected": [p.partition_key for p in report.rejected],
        }
        if report.rejected:
            print(f"  {feed.name}: partitions rejected: {feeds[feed.name]['rejected']}", flush=True)
    con.execute("checkpoint")
    seconds = time.perf_counter() - started
    con.close()
    return {
        "seconds": seconds,
        "rows": sum(f["rows"] for f in feeds.values()),
        "feeds": feeds,
        "warehouse_mib": (root / "warehouse.duckdb").stat().st_size / 2**20,
    }


def child_lake(lake: Path) -> dict:
    import duckdb

    from catalog import FEEDS
    from ingest.lake import export_all

    root = Path(os.environ["WAREHOUSE_DIR"])
    started = time.perf_counter()
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        written = export_all(con, FEEDS, lake)
    return {
        "seconds": time.perf_counter() - started,
        "rows": 0,
        "folders": sum(written.values()),
        "lake_mib": sum(p.stat().st_size for p in lake.rglob("*.parquet")) / 2**20,
    }


# --------------------------------------------------------------------------------------------
# Parent
# --------------------------------------------------------------------------------------------


def engine_env(engine: str, base: dict, folder: Path, lake: Path, driver_memory: str | None) -> dict:
    """The environment of one engine's dbt: its own WAREHOUSE_DIR. DuckDB builds in the loaded
    warehouse file (WAREHOUSE_PATH); Spark (as tests/test_spark_engine.py's spark_env) keeps its
    metastore and tables under its folder and reads the lake."""
    if engine == "duckdb":
        return base
    env = {
        **base,
        "WAREHOUSE_ENGINE": "spark",
        "WAREHOUSE_DIR": str(folder),
        "WAREHOUSE_LAKE_DIR": str(lake),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,
    }
    if driver_memory:
        env["SPARK_DRIVER_MEMORY"] = driver_memory
    return env


def build(engine: str, folder: Path, env: dict, selection: list[str]) -> dict:
    """`dbt parse` (not counted), then `dbt build <selection>` with the process tree sampled."""
    folder.mkdir(parents=True, exist_ok=True)
    parse = run_dbt(folder, env, "parse", ["parse"])
    if parse["exit_code"] != 0:
        raise SystemExit(f"dbt parse on {engine} failed; see {parse['log']}")
    with TreePeak() as tree:
        result = run_dbt(folder, env, "build", ["build", *selection])
    result["peak_mib_dbt_process"] = result.pop("peak_mib")  # os.wait4: dbt's own process only
    result["peak_mib"] = tree.peak_mib
    result["peak_processes"] = tree.peak_processes
    result["samples"] = tree.samples
    result["parse_seconds"] = parse["seconds"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_engines",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--factor", type=int, default=10, help="times the bundled volume (default 10; 1 = the bundled size)"
    )
    parser.add_argument(
        "--data-tests",
        action="store_true",
        help="include dbt's data tests in both builds (default: excluded on both)",
    )
    parser.add_argument(
        "--engines", default=",".join(ENGINES), help="engines to build, in order (default duckdb,spark)"
    )
    parser.add_argument(
        "--spark-driver-memory", help="SPARK_DRIVER_MEMORY for Spark's build (default: the profile's, 2g)"
    )
    add_common_arguments(parser)
    parser.add_argument("--child", choices=("load", "lake"), help=argparse.SUPPRESS)
    parser.add_argument("--landing", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--lake", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "load":
        return write_child_result(args.result, child_load(args.landing, args.memory_limit))
    if args.child == "lake":
        return write_child_result(args.result, child_lake(args.lake))
    if args.factor < 1:
        parser.error("--factor must be at least 1")
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if not set(engines) <= set(ENGINES):
        parser.error(f"--engines: {', '.join(ENGINES)}")
    if "spark" in engines:
        try:
            import dbt.adapters.spark  # noqa: F401
            import pyspark  # noqa: F401
        except ImportError as error:
            raise SystemExit(
                f"Spark's build needs the spark extra ({error}): run this with the python of an "
                "environment where `pip install -e '.[spark]'` was done"
            ) from error

    workdir, datasets_dir = work_folder(args.workdir, "engines_")
    try:
        print(f"dataset: {args.factor} x the bundled volume ...", flush=True)
        landing, data, generated = dataset(args.factor, datasets_dir)
        how = "reused" if generated is None else f"written in {generated:.0f} s"
        print(
            f"dataset: {how}, {landing}: "
            + ", ".join(f"{name} {info['mib']:,.1f} MiB" for name, info in data["feeds"].items())
            + f" (trade {data['feeds']['trade']['rows']:,} rows)"
        )
        info = machine(args.memory_limit)
        print_machine(info)
        print(f"work folder: {workdir}\n")

        warehouse, lake = workdir / "duckdb", workdir / "lake"
        env = child_env(
            warehouse,
            args.memory_limit,
            APPEALS_HASH_KEY=os.environ.get("APPEALS_HASH_KEY", BENCH_HASH_KEY),
            WAREHOUSE_PATH=str(warehouse / "warehouse.duckdb"),
            DUCKDB_TEMP_DIR=str(warehouse / "tmp"),
            WAREHOUSE_ENGINE="duckdb",
            WAREHOUSE_LAKE="0",  # the lake is exported after the loads, timed on its own
        )
        warehouse.mkdir(parents=True, exist_ok=True)
        phases: dict[str, dict] = {}
        print("loads (DuckDB, the same for both engines) ...", flush=True)
        phases["loads"] = measure_child(
            "bench.bench_engines",
            "load",
            workdir / "load.result.json",
            env,
            ["--landing", str(landing), "--memory-limit", args.memory_limit],
        )
        print(f"loads: {phases['loads']['seconds']:.1f} s, {phases['loads']['rows']:,} rows")
        print("lake export ...", flush=True)
        phases["lake"] = measure_child(
            "bench.bench_engines", "lake", workdir / "lake.result.json", env, ["--lake", str(lake)]
        )
        print(f"lake: {phases['lake']['seconds']:.1f} s, {phases['lake']['lake_mib']:,.1f} MiB of Parquet")

        selection = [] if args.data_tests else ["--exclude", "resource_type:test"]
        for engine in engines:
            folder = warehouse if engine == "duckdb" else workdir / "spark"
            print(f"dbt build on {engine} ...", flush=True)
            result = build(
                engine, folder, engine_env(engine, env, folder, lake, args.spark_driver_memory), selection
            )
            phases[engine] = result
            if result["exit_code"] != 0:
                print(
                    f"dbt build on {engine} FAILED (exit code {result['exit_code']}); "
                    f"see {result['log']}:\n  " + "\n  ".join(result.get("errors", []))
                )

        what = " ".join(selection) or "(data tests included)"
        print(f"\n{args.factor} x the bundled volume; dbt build {what}")
        header = f"{'engine':<10}{'nodes':>7}{'wall s':>10}{'peak MiB':>10}{'processes':>11}{'dbt MiB':>9}"
        header += "  summary"
        print(header)
        print("-" * len(header))
        for engine in engines:
            r = phases[engine]
            print(
                f"{engine:<10}{r.get('nodes', 0):>7}{r['seconds']:>10.1f}{r['peak_mib']:>10,.0f}"
                f"{r['peak_processes']:>11}{r['peak_mib_dbt_process']:>9,.0f}  "
                f"{'FAILED ' if r['exit_code'] else ''}{r['summary'].split(' | ')[-1]}"
            )
        for name in ("loads", "lake"):
            r = phases[name]
            print(f"{name + ' (not compared)':<27}{r['seconds']:>10.1f}{r['peak_mib']:>10,.0f}")
        print(
            "peak MiB: resident memory of dbt's process tree summed (Spark's JVM included), sampled "
            "every 0.5 s; dbt MiB: dbt's own process (os.wait4)"
        )
        for engine in engines:
            slowest = phases[engine].get("slowest", [])[:5]
            if slowest:
                print(f"slowest on {engine}: " + ", ".join(f"{n} {t:.1f} s" for n, t in slowest))
        write_report(
            "engines",
            {
                "factor": args.factor,
                "dataset": data,
                "selection": selection,
                "engines": engines,
                "spark_driver_memory": args.spark_driver_memory or "(profile default)",
                "machine": info,
                "phases": phases,
            },
            args.out,
        )
        failed = [e for e in engines if phases[e]["exit_code"] != 0]
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
