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
DBT_PROJECT = REPO_ROOT / "dbt_project"
SEED = 7
CHILD_PHASES = ("bare_read", "ingest_path")
DBT_SELECT = ["--select", "+tag:appeals"]  # the appeals marts, their parents, seeds and tests
DBT_STEPS = ("seed", "run", "test")
APPEALS_GLOB, EVENTS_GLOB = "appeals_*.jsonl", "appeal_events_*.jsonl"
LINE_COUNTS = "line_counts.json"  # next to (not in) the landing folder: never read as data


# --------------------------------------------------------------------------------------------
# Helpers shared by parent and children
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Children: one phase each; they write their figures as JSON to --result
# --------------------------------------------------------------------------------------------


def child_bare_read(landing: Path, workdir: Path, memory_limit: str) -> dict:
    from ingest.duck import connect

    root = _fresh_dir(workdir / "bare_read")
    startup_peak = _self_peak_mib()
    con = connect(root / "bare.duckdb", temp_dir=root / "tmp", memory_limit=memory_limit)
    folder = landing / "eotinish"
    tables = {}
    started = time.perf_counter()
    for table, pattern in (("a", APPEALS_GLOB), ("e", EVENTS_GLOB)):
        t0 = time.perf_counter()
        con.execute(f"create table {table} as select * from read_json_auto(?)", [str(folder / pattern)])
        tables[table] = {"seconds": time.perf_counter() - t0, "peak_after_mib": _self_peak_mib()}
    t0 = time.perf_counter()
    con.execute("checkpoint")
    checkpoint = time.perf_counter() - t0
    seconds = time.perf_counter() - started
    for table in tables:
        (tables[table]["rows"],) = con.execute(f"select count(*) from {table}").fetchone()
    con.close()
    return {"rows": tables["a"]["rows"] + tables["e"]["rows"], "seconds": seconds,
            "startup_peak_mib": startup_peak, "appeals": tables["a"], "events": tables["e"],
            "checkpoint_seconds": checkpoint, "db_bytes": (root / "bare.duckdb").stat().st_size}


class _PhaseTimer:
    """Accumulates seconds and peak-RSS growth per named step of the ingest path."""

    def __init__(self):
        self.steps: dict[str, dict] = {}
        self.prefix = ""

    def __call__(self, name: str):
        timer = self
        name = self.prefix + name

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
    """Name the ingest step a statement belongs to, from its text (ingest/feeds.py's SQL)."""
    text = " ".join(sql.split()).lower()
    rules = [
        ("insert into meta.file_slices", "register: slices per file (JSON scan + HMAC)"),
        ("insert or replace into meta.landing_files", "register: landing file row"),
        ("create or replace temp macro pii_hash", "other SQL"),
        ("create or replace temp table feed_stage", "stage: create table"),
        # since 667dac8 the missing keys are staged with the rows and listed from feed_stage
        ("from feed_stage where len(_missing_keys) > 0", "stage: missing keys, unassigned rows"),
        ("len(_missing_keys) > 0", "stage: missing keys (JSON scan + HMAC)"),
        ("insert into feed_stage", "stage: read JSON into feed_stage (HMAC)"),
        ("from feed_stage where _source_file", "stage: unassigned rows"),
        ("create or replace temp table feed_typed", "typed: cast into feed_typed"),
        ("from feed_stage where", "typed: type issues"),
        ("select _partition_key, count(*) from feed_typed", "validate: partition counts"),
        ("from feed_typed as t semi join", "validate: failing rows -> partitions"),
        ("delete from raw.", "publish: delete day"),
        ("insert into raw.", "publish: insert day"),
        ("insert or replace into meta.published_slices", "publish: slice bookkeeping"),
        ("select count(*) from feed_typed where _partition_key", "publish: count rows"),
        ("into meta.loads", "publish: load record"),
        ("begin transaction", "publish: begin/commit"),
        ("commit", "publish: begin/commit"),
        ("with present as", "plan: winning files / days to load"),
        ("checkpoint", "checkpoint"),
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


def child_ingest_path(landing: Path, memory_limit: str, phases: bool) -> dict:
    # WAREHOUSE_DIR (Data Docs) and APPEALS_HASH_KEY are set by the parent before this
    # interpreter imported anything.
    from ingest.duck import connect
    from ingest.eotinish import APPEALS, EVENTS, landing_days, load_appeals, load_events
    from ingest.reference import load_kato, load_regions, load_working_calendar

    root = Path(os.environ["WAREHOUSE_DIR"])
    startup_peak = _self_peak_mib()
    con = connect(root / "warehouse.duckdb", temp_dir=root / "tmp", memory_limit=memory_limit)
    t0 = time.perf_counter()
    load_kato(con)
    load_regions(con)
    load_working_calendar(con)
    reference_seconds = time.perf_counter() - t0
    days = sorted(landing_days(landing))

    timer = _PhaseTimer()
    validations: list[dict] = []
    target = con
    if phases:
        import ingest.loads

        original_sha = ingest.loads.file_sha256

        def timed_sha(path, *args, **kw):
            with timer("register: sha256 of file"):
                return original_sha(path, *args, **kw)

        ingest.loads.file_sha256 = timed_sha  # runtime wrapper only; no project file is changed
        target = _TimedConnection(con, timer)

    def validator_for(feed):
        if not phases:
            return {}
        validate = feed.load_validator()

        def timed_validator(batch, label):
            t0, rss0 = time.perf_counter(), _self_peak_mib()
            # GX runs inside DuckDB on the real connection (SQLAlchemy needs a DuckDB connection,
            # not the timing stand-in): its queries are timed here, as one step.
            batch = replace(batch, con=con)
            with timer("validate: Great Expectations (inside DuckDB)"):
                outcome = validate(batch, label)
            (rows,) = con.execute(f"select count(*) from ({batch.sql})").fetchone()
            validations.append({
                "feed": feed.name, "label": label, "rows": rows,
                "seconds": time.perf_counter() - t0,
                "peak_before_mib": rss0, "peak_after_mib": _self_peak_mib(),
            })
            return outcome

        return {"validator": timed_validator}

    feeds: dict[str, dict] = {}
    started = time.perf_counter()
    for name, load, feed in (("appeals", load_appeals, APPEALS), ("events", load_events, EVENTS)):
        timer.prefix = f"{name} | "
        t0 = time.perf_counter()
        report = load(target, landing, days, **validator_for(feed))
        report.raise_for_errors()
        feeds[name] = {
            "seconds": time.perf_counter() - t0,
            "rows_published": report.rows_published,
            "days_published": report.count("published"),
            "validation_runs": len(report.validations),
            "peak_after_mib": _self_peak_mib(),
        }
    timer.prefix = ""
    t0 = time.perf_counter()
    con.execute("checkpoint")
    checkpoint = time.perf_counter() - t0
    seconds = time.perf_counter() - started
    for name, feed in (("appeals", APPEALS), ("events", EVENTS)):
        (feeds[name]["rows"],) = con.execute(f"select count(*) from {feed.table}").fetchone()
    con.close()

    result = {
        "rows": feeds["appeals"]["rows"] + feeds["events"]["rows"],
        "seconds": seconds, "startup_peak_mib": startup_peak, "days": len(days),
        "reference_seconds": reference_seconds, "final_checkpoint_seconds": checkpoint,
        "rows_published": feeds["appeals"]["rows_published"] + feeds["events"]["rows_published"],
        "appeals": feeds["appeals"], "events": feeds["events"],
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
    landing, workdir = Path(args.landing), Path(args.workdir)
    if args.child == "bare_read":
        result = child_bare_read(landing, workdir, args.memory_limit)
    else:
        result = child_ingest_path(landing, args.memory_limit, args.phases)
    result["peak_mib_self"] = _self_peak_mib()
    Path(args.result).write_text(json.dumps(result, indent=2))
    return 0


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
    from ingest.generate_appeals import write_scale_appeals

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
        files = {kind: sorted(folder.glob(pattern))
                 for kind, pattern in (("appeals", APPEALS_GLOB), ("events", EVENTS_GLOB))}
        counts = {kind: sum(_count_lines(p) for p in paths) for kind, paths in files.items()}
        counts["files"] = sum(len(paths) for paths in files.values())
        counts["bytes"] = sum(p.stat().st_size for paths in files.values() for p in paths)
        counts_file.write_text(json.dumps(counts, indent=2))
    return root, counts, reused


def _wait(command: list[str], env: dict, cwd: Path, log: Path | None = None) -> tuple[int, float, object]:
    started = time.perf_counter()
    if log is None:
        process = subprocess.Popen(command, cwd=cwd, env=env)
    else:
        with log.open("w") as handle:
            process = subprocess.Popen(command, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, time.perf_counter() - started, usage


def _child_env(workdir: Path, phase: str, memory_limit: str) -> dict:
    env = dict(os.environ)
    env["WAREHOUSE_DIR"] = str(workdir / phase)  # GX Data Docs, spill: inside the work folder
    env["DUCKDB_MEMORY_LIMIT"] = memory_limit
    # any key of 32 bytes or more (ingest/privacy.py): the data is synthetic
    env.setdefault("APPEALS_HASH_KEY", "bench-appeals-hash-key-synthetic-data-01")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def measure(phase: str, landing: Path, workdir: Path, memory_limit: str, phases: bool) -> dict:
    result_path = workdir / f"{phase}.result.json"
    result_path.unlink(missing_ok=True)
    command = [
        sys.executable, "-m", "bench.bench_appeals_ingest", "--child", phase,
        "--landing", str(landing), "--workdir", str(workdir), "--memory-limit", memory_limit,
        "--result", str(result_path),
    ] + (["--phases"] if phases else [])
    code, wall, usage = _wait(command, _child_env(workdir, phase, memory_limit), REPO_ROOT)
    if code != 0:
        raise SystemExit(f"phase {phase} failed (exit code {code}); see the output above")
    result = json.loads(result_path.read_text())
    result["process_seconds"] = wall  # interpreter start and imports included
    result["peak_mib"] = _max_rss_mib(usage.ru_maxrss)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    return result


def measure_dbt(workdir: Path, memory_limit: str) -> dict:
    """`dbt parse` (not timed as part of the phase), then `dbt seed`, `dbt run` and `dbt test`
    of +tag:appeals on the warehouse the ingest phase left, each a child process of its own."""
    dbt = str(Path(sys.executable).with_name("dbt"))
    warehouse = workdir / "ingest_path"
    env = _child_env(workdir, "ingest_path", memory_limit)
    env["WAREHOUSE_PATH"] = str(warehouse / "warehouse.duckdb")
    env["DUCKDB_TEMP_DIR"] = str(warehouse / "tmp")
    # A target and log folder of our own: the shared dbt_project/target is left alone.
    common = ["--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
              "--target-path", str(workdir / "dbt_target"), "--log-path", str(workdir / "dbt_logs")]
    steps: dict[str, dict] = {}
    for step in ("parse", *DBT_STEPS):
        command = [dbt, step, *common] + (DBT_SELECT if step != "parse" else [])
        log = workdir / f"dbt_{step}.log"
        code, wall, usage = _wait(command, env, REPO_ROOT, log)
        steps[step] = {"seconds": wall, "peak_mib": _max_rss_mib(usage.ru_maxrss),
                       "cpu_seconds": usage.ru_utime + usage.ru_stime,
                       "summary": _dbt_summary(log.read_text())}
        if code != 0:
            # Keep the figures measured so far (the load phases above all): report, don't raise.
            errors = [line for line in log.read_text().splitlines() if "Error" in line]
            print(f"dbt {step} FAILED (exit code {code}) after {wall:.1f} s; last errors:\n  "
                  + "\n  ".join(errors[-4:]), flush=True)
            return {"failed": f"dbt {step} (exit code {code}): {errors[-1] if errors else ''}",
                    "steps": steps}
        if step != "parse":
            steps[step]["slowest"] = _dbt_slowest(workdir / "dbt_target" / "run_results.json")
    measured = [steps[s] for s in DBT_STEPS]
    return {
        "seconds": sum(s["seconds"] for s in measured),
        "peak_mib": max(s["peak_mib"] for s in measured),
        "cpu_seconds": sum(s["cpu_seconds"] for s in measured),
        "steps": steps,
        "marts": _mart_rows(warehouse / "warehouse.duckdb"),
    }


def _dbt_summary(log: str) -> str:
    lines = [line for line in log.splitlines() if "Done. PASS=" in line or "Found " in line]
    return " | ".join(line.split("  ", 1)[-1].strip() for line in lines)


def _dbt_slowest(run_results: Path, top: int = 5) -> list[list]:
    results = json.loads(run_results.read_text())["results"]
    ranked = sorted(results, key=lambda r: -r["execution_time"])[:top]
    # unique_id: resource_type.package.name[.hash] (tests carry a hash after their name)
    return [[r["unique_id"].split(".")[2], round(r["execution_time"], 2)] for r in ranked]


def _mart_rows(database: Path) -> dict:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall()
        return {name: con.execute(f'select count(*) from marts."{name}"').fetchone()[0]
                for (name,) in tables}


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
        "load_average_at_start": os.getloadavg(),
    }


def _print_table(results: dict) -> None:
    header = f"{'phase':<16}{'rows':>12}{'seconds':>10}{'rows/s':>12}{'peak MiB':>10}{'process s':>11}"
    print(header)
    print("-" * len(header))
    for phase, r in results.items():
        print(f"{phase:<16}{r['rows']:>12,}{r['seconds']:>10.1f}{r['rows_per_s']:>12,.0f}"
              f"{r['peak_mib']:>10,.0f}{r.get('process_seconds', r['seconds']):>11.1f}")


def _print_steps(ingest: dict) -> None:
    print("\ningest path, by step (--phases; 'peak +MiB' = growth of the process peak RSS in the step):")
    print(f"  {'step':<62}{'seconds':>9}{'share':>7}{'calls':>7}{'peak +MiB':>11}")
    shown = {n: s for n, s in ingest["steps"].items() if s["seconds"] >= 0.05 or s["peak_growth_mib"] >= 1}
    small = [s for n, s in ingest["steps"].items() if n not in shown]
    if small:
        shown[f"({len(small)} smaller steps)"] = {
            "seconds": sum(s["seconds"] for s in small), "calls": sum(s["calls"] for s in small),
            "peak_growth_mib": sum(s["peak_growth_mib"] for s in small),
        }
    for name, step in shown.items():
        share = step["seconds"] / ingest["seconds"] if ingest["seconds"] else 0
        print(f"  {name:<62}{step['seconds']:>9.1f}{share:>7.0%}{step['calls']:>7}"
              f"{step['peak_growth_mib']:>11,.0f}")
    runs = ingest["validations"]
    for feed in sorted({v["feed"] for v in runs}):
        mine = [v for v in runs if v["feed"] == feed]
        gx = sum(v["seconds"] for v in mine)
        print(f"  GX {feed}: {len(mine)} suite runs, {gx:.1f} s, "
              f"{sum(v['rows'] for v in mine) / gx:,.0f} rows/s inside DuckDB, peak after "
              f"{max(v['peak_after_mib'] for v in mine):,.0f} MiB")
    print(f"  process peak after startup/imports: {ingest['startup_peak_mib']:,.0f} MiB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_appeals_ingest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000_000,
                        help="history events to generate (default 10,000,000)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed (default {SEED})")
    parser.add_argument("--workdir", type=Path,
                        help="work folder (default: a temp folder under bench/out/, removed after)")
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit (default 4GB)")
    parser.add_argument("--phases", action="store_true",
                        help="also break the ingest path down by step (SQL statements, GX)")
    parser.add_argument("--no-dbt", action="store_true", help="skip the dbt phase")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (databases)")
    parser.add_argument("--child", choices=CHILD_PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--landing", help=argparse.SUPPRESS)
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
        workdir = Path(tempfile.mkdtemp(prefix="appeals_ingest_", dir=OUT_DIR))
        datasets_dir = DATASETS_DIR  # kept across runs, so the next run reuses the files

    try:
        started = time.perf_counter()
        landing, counts, reused = dataset(args.events, args.seed, datasets_dir)
        expected = counts["appeals"] + counts["events"]
        verb = "reused existing" if reused else f"generated in {time.perf_counter() - started:.1f} s:"
        print(f"dataset: {verb} {landing / 'eotinish'} ({args.events:,} events asked, seed "
              f"{args.seed}; {counts['files']} files, {counts['bytes'] / 2**20:,.0f} MiB, "
              f"{counts['appeals']:,} appeal snapshots + {counts['events']:,} events)")
        machine = _machine(args.memory_limit)
        print(f"machine: {machine['cores']} cores, {machine['memory_gib']} GiB RAM, "
              f"DuckDB {machine['duckdb']}, Python {machine['python']}, "
              f"DuckDB memory_limit {args.memory_limit}, load average "
              f"{machine['load_average_at_start'][0]:.2f} at start")
        print(f"work folder: {workdir}\n")

        results: dict[str, dict] = {}
        for phase in CHILD_PHASES:
            print(f"running {phase} ...", flush=True)
            result = measure(phase, landing, workdir, args.memory_limit, args.phases)
            for kind in ("appeals", "events"):
                if result[kind]["rows"] != counts[kind]:
                    raise SystemExit(f"{phase}: {result[kind]['rows']:,} {kind} rows in the table, "
                                     f"expected {counts[kind]:,} (lines in the files)")
            results[phase] = result
        ingest = results["ingest_path"]
        if ingest["rows_published"] != expected:
            raise SystemExit(f"ingest_path: report says {ingest['rows_published']:,} rows published, "
                             f"expected {expected:,}")
        if not args.no_dbt:
            print("running dbt (parse, then seed / run / test --select +tag:appeals) ...", flush=True)
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
        ratio = ingest["seconds"] / results["bare_read"]["seconds"]

        print()
        _print_table(results)
        print(f"\ningest path / bare read time: {ratio:.1f}x  "
              f"(peak memory {ingest['peak_mib'] / results['bare_read']['peak_mib']:.1f}x)")
        for kind in ("appeals", "events"):
            feed = ingest[kind]
            print(f"  {kind:<8} ingest {feed['seconds']:>7.1f} s ({feed['rows']:,} rows, "
                  f"{feed['days_published']} days, {feed['validation_runs']} GX runs)   "
                  f"bare read {results['bare_read'][kind]['seconds']:>6.1f} s")
        if not args.no_dbt and "failed" in dbt:
            print(f"dbt: FAILED in {dbt['failed']}; figures of the steps before it are above")
        elif not args.no_dbt:
            print(f"dbt: parse {results['dbt (total)']['steps']['parse']['seconds']:.1f} s (not counted); "
                  + "; ".join(f"{s} {dbt['steps'][s]['summary'].split(' | ')[-1]}" for s in DBT_STEPS))
            for step in ("run", "test"):
                print(f"  slowest in dbt {step}: "
                      + ", ".join(f"{name} {sec:.1f} s" for name, sec in dbt["steps"][step]["slowest"]))
            print("  marts: " + ", ".join(f"{n} {c:,}" for n, c in dbt["marts"].items()))
        if args.phases:
            _print_steps(ingest)

        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        report = {
            "timestamp": stamp,
            "events_asked": args.events,
            "seed": args.seed,
            "dataset": {"path": str(landing / "eotinish"), "reused": reused, **counts},
            "machine": machine,
            "load_average_at_end": os.getloadavg(),
            "phases": results,
            "ratio_ingest_to_bare_read_seconds": ratio,
            "dbt_failed": None if args.no_dbt else dbt.get("failed"),
        }
        out = OUT_DIR / f"appeals_ingest_{stamp}.json"
        out.write_text(json.dumps(report, indent=2))
        print(f"\nfigures written to {out}")
        if report["dbt_failed"]:
            return 1
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
