"""Ingest benchmark: the project's Comtrade ingest path against DuckDB's bare CSV read.

    python -m bench.bench_trade_ingest [--rows N] [--workdir DIR] [--memory-limit 4GB] [--phases]
                                       [--keep]

Each measured phase runs in its own child process (a fresh interpreter), so the peak resident
memory reported for a phase is that child's own (from os.wait4), never the parent's or another
phase's. See bench/README.md for what each figure means.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bench.common import _fresh_dir, _max_rss_mib, _self_peak_mib, _TimedResult

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "bench" / "out"
DATASETS_DIR = OUT_DIR / "datasets"
SEED = 7
MONTHS = [f"{year}-{month:02d}-01" for year in range(2015, 2026) for month in range(1, 13)]
PHASES = ("bare_read", "ingest_path")


# --------------------------------------------------------------------------------------------
# Helpers shared by parent and children
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Children: one phase each; they write their figures as JSON to --result
# --------------------------------------------------------------------------------------------


def child_bare_read(csv_path: Path, workdir: Path, memory_limit: str) -> dict:
    from ingest.duck import connect

    root = _fresh_dir(workdir / "bare_read")
    startup_peak = _self_peak_mib()
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
    return {"rows": rows, "seconds": seconds, "startup_peak_mib": startup_peak,
            "db_bytes": (root / "bare.duckdb").stat().st_size}


class _PhaseTimer:
    """Accumulates seconds and peak-RSS growth per named step of the ingest path."""

    def __init__(self):
        self.steps: dict[str, dict] = {}

    def __call__(self, name: str):
        timer = self

        class _Span:
            def __enter__(self):
                self.t0 = time.perf_counter()
                self.rss0 = _self_peak_mib()

            def __exit__(self, *exc):
                step = timer.steps.setdefault(name, {"seconds": 0.0, "calls": 0, "peak_growth_mib": 0.0})
                step["seconds"] += time.perf_counter() - self.t0
                step["calls"] += 1
                step["peak_growth_mib"] += _self_peak_mib() - self.rss0
                return False

        return _Span()


def _statement_category(sql: str) -> str:
    """Name the ingest step a statement belongs to, from its text (load_comtrade's SQL)."""
    text = " ".join(sql.split()).lower()
    rules = [
        ("insert into meta.file_slices", "register: slices per file (CSV scan)"),
        ("insert or replace into meta.landing_files", "register: landing file row"),
        ("create or replace temp table feed_stage", "stage: create table"),
        ("insert into feed_stage", "stage: read CSV into feed_stage"),
        ("from reject_errors", "stage: CSV rejects"),
        ("from feed_stage where _source_file", "stage: unassigned periods"),
        ("create or replace temp table feed_typed", "typed: cast into feed_typed"),
        ("try_cast(", "typed: type issues"),
        ("select _partition_key, count(*) from feed_typed", "validate: partition counts"),
        ("from feed_typed as t semi join", "validate: failing rows -> partitions"),
        ("delete from raw.comtrade_records", "publish: delete slices"),
        ("insert into raw.comtrade_records", "publish: insert partition"),
        ("select count(*) from feed_typed where _partition_key", "publish: count rows"),
        ("insert or replace into meta.published_slices", "publish: slice bookkeeping"),
        ("from raw.comtrade_records where list_contains(?, period)", "publish: partition totals"),
        ("insert or replace into meta.loads", "publish: load record"),
        ("begin transaction", "publish: begin/commit"),
        ("commit", "publish: begin/commit"),
        ("with present as", "plan: winning files / slices to load"),
    ]
    for needle, name in rules:
        if needle in text:
            return name
    return "other SQL"


class _TimedConnection:
    """A stand-in for the DuckDB connection that times every statement by ingest step."""

    def __init__(self, con, timer: _PhaseTimer):
        self._con, self._timer = con, timer

    def execute(self, sql, *args, **kwargs):
        category = _statement_category(sql)
        with self._timer(category):
            result = self._con.execute(sql, *args, **kwargs)
        return _TimedResult(result, self._timer, category)

    def __getattr__(self, name):
        return getattr(self._con, name)


def child_ingest_path(csv_path: Path, workdir: Path, memory_limit: str, phases: bool) -> dict:
    # WAREHOUSE_DIR (Data Docs) is set by the parent before this interpreter imported anything.
    from ingest.comtrade import load_comtrade
    from ingest.duck import connect
    from ingest.reference import load_country_codes

    root = Path(os.environ["WAREHOUSE_DIR"])
    startup_peak = _self_peak_mib()
    con = connect(root / "warehouse.duckdb", temp_dir=root / "tmp", memory_limit=memory_limit)
    load_country_codes(con)

    timer = _PhaseTimer()
    validations: list[dict] = []
    kwargs = {}
    target = con
    if phases:
        import ingest.loads
        from expectations.comtrade import validate_comtrade_records

        def timed_validator(batch, label):
            t0, rss0 = time.perf_counter(), _self_peak_mib()
            # GX runs inside DuckDB on the real connection (not the timing stand-in: SQLAlchemy
            # needs a DuckDB connection), so its queries are timed here, as one step.
            batch = replace(batch, con=con)
            with timer("validate: Great Expectations (inside DuckDB)"):
                outcome = validate_comtrade_records(batch, label)
            (rows,) = con.execute(f"select count(*) from ({batch.sql})").fetchone()
            validations.append({
                "label": label, "rows": rows, "seconds": time.perf_counter() - t0,
                "peak_before_mib": rss0, "peak_after_mib": _self_peak_mib(),
            })
            return outcome

        original_sha = ingest.loads.file_sha256

        def timed_sha(path, *args, **kw):
            with timer("register: sha256 of file"):
                return original_sha(path, *args, **kw)

        ingest.loads.file_sha256 = timed_sha  # runtime wrapper only; no project file is changed
        kwargs["validator"] = timed_validator
        target = _TimedConnection(con, timer)

    started = time.perf_counter()
    report = load_comtrade(target, csv_path.parent.parent, MONTHS, **kwargs)
    report.raise_for_errors()
    con.execute("checkpoint")
    seconds = time.perf_counter() - started
    (rows,) = con.execute("select count(*) from raw.comtrade_records").fetchone()
    con.close()

    result = {
        "rows": rows, "seconds": seconds, "startup_peak_mib": startup_peak,
        "rows_published": report.rows_published,
        "partitions_published": report.count("published"),
        "validation_runs": len(report.validations),
        "db_bytes": (root / "warehouse.duckdb").stat().st_size,
    }
    if phases:
        steps = dict(sorted(timer.steps.items(), key=lambda kv: -kv[1]["seconds"]))
        accounted = sum(s["seconds"] for s in steps.values())
        steps["python outside SQL/GX (report, issues, bookkeeping)"] = {
            "seconds": max(0.0, seconds - accounted), "calls": 0, "peak_growth_mib": 0.0,
        }
        result["steps"] = steps
        result["validations"] = validations
    return result


def run_child(args: argparse.Namespace) -> int:
    csv_path, workdir = Path(args.csv), Path(args.workdir)
    if args.child == "bare_read":
        result = child_bare_read(csv_path, workdir, args.memory_limit)
    else:
        result = child_ingest_path(csv_path, workdir, args.memory_limit, args.phases)
    result["peak_mib_self"] = _self_peak_mib()
    Path(args.result).write_text(json.dumps(result, indent=2))
    return 0


# --------------------------------------------------------------------------------------------
# Parent: dataset, children, table, JSON
# --------------------------------------------------------------------------------------------


def dataset_path(rows: int, seed: int, datasets_dir: Path) -> tuple[Path, bool]:
    """The scale CSV for (rows, seed), generated unless already there. Each dataset has a folder
    of its own, whose `trade/` folder is the landing folder of the ingest run (load_comtrade reads
    every CSV in it). Returns (path, reused)."""
    from ingest.generate_trade import write_scale_dataset

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
    result_path = workdir / f"{phase}.result.json"
    result_path.unlink(missing_ok=True)
    env = dict(os.environ)
    env["WAREHOUSE_DIR"] = str(workdir / phase)  # GX Data Docs, spill: inside the work folder
    env["DUCKDB_MEMORY_LIMIT"] = memory_limit
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    command = [
        sys.executable, "-m", "bench.bench_trade_ingest", "--child", phase, "--csv", str(csv_path),
        "--workdir", str(workdir), "--memory-limit", memory_limit, "--result", str(result_path),
    ] + (["--phases"] if phases else [])
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"phase {phase} failed (exit code {process.returncode}); see the output above")
    result = json.loads(result_path.read_text())
    result["process_seconds"] = wall  # interpreter start and imports included
    result["peak_mib"] = _max_rss_mib(usage.ru_maxrss)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return result


def _machine(memory_limit: str) -> dict:
    import duckdb

    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(total / 2**30, 1),
        "duckdb": duckdb.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "memory_limit": memory_limit,
    }


def _print_table(results: dict, rows: int) -> None:
    header = f"{'phase':<14}{'rows':>12}{'seconds':>10}{'rows/s':>12}{'peak MiB':>10}{'process s':>11}"
    print(header)
    print("-" * len(header))
    for phase, r in results.items():
        print(f"{phase:<14}{r['rows']:>12,}{r['seconds']:>10.1f}{r['rows_per_s']:>12,.0f}"
              f"{r['peak_mib']:>10,.0f}{r['process_seconds']:>11.1f}")


def _print_steps(ingest: dict) -> None:
    print("\ningest path, by step (--phases; 'peak +MiB' = growth of the process peak RSS in the step):")
    print(f"  {'step':<56}{'seconds':>9}{'share':>7}{'calls':>7}{'peak +MiB':>11}")
    shown = {n: s for n, s in ingest["steps"].items() if s["seconds"] >= 0.05 or s["peak_growth_mib"] >= 1}
    small = [s for n, s in ingest["steps"].items() if n not in shown]
    if small:
        shown[f"({len(small)} smaller steps)"] = {
            "seconds": sum(s["seconds"] for s in small), "calls": sum(s["calls"] for s in small),
            "peak_growth_mib": sum(s["peak_growth_mib"] for s in small),
        }
    for name, step in shown.items():
        share = step["seconds"] / ingest["seconds"] if ingest["seconds"] else 0
        print(f"  {name:<56}{step['seconds']:>9.1f}{share:>7.0%}{step['calls']:>7}"
              f"{step['peak_growth_mib']:>11,.0f}")
    runs = ingest["validations"]
    if runs:
        gx = sum(v["seconds"] for v in runs)
        print(f"  process peak after startup/imports: {ingest['startup_peak_mib']:,.0f} MiB")
        print(f"  GX: {len(runs)} suite runs, {gx:.1f} s, {sum(v['rows'] for v in runs) / gx:,.0f} rows/s; "
              f"inside DuckDB, peak after {max(v['peak_after_mib'] for v in runs):,.0f} MiB "
              f"(first run {runs[0]['seconds']:.1f} s incl. GX import/context)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_trade_ingest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5_000_000, help="data rows (default 5,000,000)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed (default {SEED})")
    parser.add_argument("--workdir", type=Path,
                        help="work folder (default: a temp folder under bench/out/, removed after)")
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit (default 4GB)")
    parser.add_argument("--phases", action="store_true",
                        help="also break the ingest path down by step (SQL statements, GX)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (databases)")
    parser.add_argument("--child", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return run_child(args)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    if args.workdir:
        workdir = args.workdir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        datasets_dir = workdir / "datasets"
    else:
        workdir = Path(tempfile.mkdtemp(prefix="trade_ingest_", dir=OUT_DIR))
        datasets_dir = DATASETS_DIR  # kept across runs, so the next run reuses the file

    try:
        started = time.perf_counter()
        csv_path, reused = dataset_path(args.rows, args.seed, datasets_dir)
        size = csv_path.stat().st_size
        verb = "reused existing" if reused else f"generated in {time.perf_counter() - started:.1f} s:"
        print(f"dataset: {verb} {csv_path} ({args.rows:,} rows, seed {args.seed}, "
              f"{size / 2**20:,.0f} MiB)")
        machine = _machine(args.memory_limit)
        print(f"machine: {machine['cores']} cores, {machine['memory_gib']} GiB RAM, "
              f"DuckDB {machine['duckdb']}, Python {machine['python']}, "
              f"DuckDB memory_limit {args.memory_limit}")
        print(f"work folder: {workdir}\n")

        results: dict[str, dict] = {}
        for phase in PHASES:
            print(f"running {phase} ...", flush=True)
            result = measure(phase, csv_path, workdir, args.memory_limit, args.phases)
            result["rows_per_s"] = result["rows"] / result["seconds"] if result["seconds"] else None
            if result["rows"] != args.rows:
                raise SystemExit(f"{phase}: {result['rows']:,} rows in the table, expected {args.rows:,}")
            results[phase] = result
        ingest = results["ingest_path"]
        if ingest["rows_published"] != args.rows:
            raise SystemExit(f"ingest_path: report says {ingest['rows_published']:,} rows published, "
                             f"expected {args.rows:,}")
        ratio = ingest["seconds"] / results["bare_read"]["seconds"]

        print()
        _print_table(results, args.rows)
        print(f"\ningest path / bare read time: {ratio:.1f}x  "
              f"(peak memory {ingest['peak_mib'] / results['bare_read']['peak_mib']:.1f}x)")
        print(f"ingest path: {ingest['partitions_published']} partitions published, "
              f"{ingest['validation_runs']} Great Expectations suite runs")
        if args.phases:
            _print_steps(ingest)

        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        report = {
            "timestamp": stamp,
            "rows": args.rows,
            "seed": args.seed,
            "dataset": {"path": str(csv_path), "bytes": size, "reused": reused},
            "machine": machine,
            "phases": results,
            "ratio_ingest_to_bare_read_seconds": ratio,
        }
        out = OUT_DIR / f"trade_ingest_{stamp}.json"
        out.write_text(json.dumps(report, indent=2))
        print(f"\nfigures written to {out}")
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
