"""Ingest benchmark: the land and subsoil monitoring path (ingest/land.py) against DuckDB's bare
read of the same files.

    python -m bench.bench_land_ingest [--parcels 1000000] [--workdir DIR] [--memory-limit 4GB] [--keep]

The dataset is `python -m ingest.generate_land scale` (one SUMMER observation per parcel and year,
2022-2025, sites = parcels / 20). Each measured phase runs in its own child interpreter, so the
peak resident memory reported for a phase is that child's own (os.wait4):

- bare_read: `create table as select * from read_csv/read_json` per feed (no checks, no geometry);
- ingest_path: `load_land_feed` for the five feeds over every quarter: registry, staging, casts,
  geometry with shapely (validity, area, centroid, point in contour), Great Expectations, publish.
  The geometry step (`Feed.enrich`) is timed on its own inside it.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import _fresh_dir, _max_rss_mib

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "bench" / "out"
PHASES = ("bare_read", "ingest_path")


def child_bare_read(landing: Path, workdir: Path, memory_limit: str) -> dict:
    from ingest.duck import connect
    from ingest.land import FEEDS

    root = _fresh_dir(workdir / "bare_read")
    con = connect(root / "bare.duckdb", temp_dir=root / "tmp", memory_limit=memory_limit)
    feeds = {}
    started = time.perf_counter()
    for feed in FEEDS:
        t0 = time.perf_counter()
        for suffix, reader in (("csv", "read_csv"), ("jsonl", "read_json")):
            pattern = str(landing / "land" / f"{feed.name}_*.{suffix}")
            if not list((landing / "land").glob(f"{feed.name}_*.{suffix}")):
                continue
            con.execute(f"create table {feed.name} as select * from {reader}(?)", [pattern])
        (rows,) = con.execute(f"select count(*) from {feed.name}").fetchone()
        feeds[feed.name] = {"rows": rows, "seconds": time.perf_counter() - t0}
    con.execute("checkpoint")
    con.close()
    return {"seconds": time.perf_counter() - started, "feeds": feeds,
            "rows": sum(f["rows"] for f in feeds.values())}


def child_ingest_path(landing: Path, memory_limit: str) -> dict:
    import ingest.land as land
    from ingest.duck import connect
    from ingest.land_schema import partitions
    from ingest.reference import load_kato

    root = Path(os.environ["WAREHOUSE_DIR"])
    con = connect(root / "warehouse.duckdb", temp_dir=root / "tmp", memory_limit=memory_limit)
    load_kato(con)
    geometry_seconds: dict[str, float] = {}
    for name in ("check_polygons", "check_detections"):  # time the geometry step on its own
        original = getattr(land, name)

        def timed(con, feed, _original=original):
            t0 = time.perf_counter()
            _original(con, feed)
            geometry_seconds[feed.name] = geometry_seconds.get(feed.name, 0.0) + time.perf_counter() - t0

        setattr(land, name, timed)
    feeds = {}
    started = time.perf_counter()
    for feed in land.FEEDS:
        t0 = time.perf_counter()
        report = land.load_land_feed(con, feed.name, landing, partitions())
        if report.rejected:
            raise SystemExit(f"{feed.name}: quarters rejected: {[p.partition_key for p in report.rejected]}"
                             f"\n{report.issues[:5]}")
        feeds[feed.name] = {"rows": report.rows_published, "seconds": time.perf_counter() - t0,
                            "geometry_seconds": geometry_seconds.get(feed.name, 0.0),
                            "suite_runs": len(report.validations)}
    con.close()
    return {"seconds": time.perf_counter() - started, "feeds": feeds,
            "rows": sum(f["rows"] for f in feeds.values())}


def _run_child(phase: str, args, env: dict) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_path = Path(handle.name)
    command = [sys.executable, "-m", "bench.bench_land_ingest", "--child", phase,
               "--workdir", str(args.workdir), "--memory-limit", args.memory_limit,
               "--result", str(result_path)]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"{phase} failed (status {status})")
    result = json.loads(result_path.read_text())
    result_path.unlink()
    result["peak_rss_mib"] = _max_rss_mib(usage.ru_maxrss)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_land_ingest")
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=OUT_DIR / "land")
    parser.add_argument("--memory-limit", default="4GB")
    parser.add_argument("--keep", action="store_true", help="keep the generated files and databases")
    parser.add_argument("--child", choices=PHASES)
    parser.add_argument("--result", type=Path)
    args = parser.parse_args(argv)
    landing = args.workdir / "landing"

    if args.child:
        if args.child == "bare_read":
            result = child_bare_read(landing, args.workdir, args.memory_limit)
        else:
            result = child_ingest_path(landing, args.memory_limit)
        args.result.write_text(json.dumps(result))
        return 0

    from ingest.generate_land import write_scale_land

    _fresh_dir(args.workdir)
    t0 = time.perf_counter()
    paths = write_scale_land(landing / "land", parcels=args.parcels, progress=False)
    generate_seconds = time.perf_counter() - t0
    size_mb = sum(p.stat().st_size for p in paths) / 1e6
    print(f"generated {args.parcels:,} parcels: {len(paths)} files, {size_mb:,.0f} MB "
          f"in {generate_seconds:.0f} s", flush=True)
    env = {**os.environ, "WAREHOUSE_DIR": str(_fresh_dir(args.workdir / "ingest_path")),
           "PYTHONPATH": str(REPO_ROOT)}
    results = {phase: _run_child(phase, args, env) for phase in PHASES}

    print(f"\nLand ingest, {args.parcels:,} parcels, {size_mb:,.0f} MB, "
          f"{platform.machine()} {os.cpu_count()} cores, memory_limit {args.memory_limit}")
    print(f"{'feed':<22}{'rows':>12}{'bare s':>9}{'ingest s':>10}{'geometry s':>12}{'rows/s':>10}")
    for name, ingest in results["ingest_path"]["feeds"].items():
        bare = results["bare_read"]["feeds"][name]
        print(f"{name:<22}{ingest['rows']:>12,}{bare['seconds']:>9.1f}{ingest['seconds']:>10.1f}"
              f"{ingest['geometry_seconds']:>12.1f}{ingest['rows'] / ingest['seconds']:>10,.0f}")
    for phase, result in results.items():
        print(f"{phase:<22}{result['rows']:>12,} rows {result['seconds']:>8.1f} s "
              f"{result['rows'] / result['seconds']:>10,.0f} rows/s  peak {result['peak_rss_mib']:,.0f} MiB")
    ratio = results["ingest_path"]["seconds"] / results["bare_read"]["seconds"]
    print(f"ingest path / bare read: {ratio:.1f}x")
    record = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "parcels": args.parcels,
              "files_mb": size_mb, "generate_seconds": generate_seconds, **results}
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"land_{args.parcels}.json").write_text(json.dumps(record, indent=2))
    if not args.keep:
        import shutil

        shutil.rmtree(args.workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
