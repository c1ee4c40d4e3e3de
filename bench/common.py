"""What the benchmarks share: peak memory, child processes, fresh work folders, the machine line,
the per-step instrumentation of `--phases` (a timing stand-in for the DuckDB connection and the
classifier that names the load step of each SQL statement), the tables they print and the JSON
they write.

Every bench writes `bench/out/<name>_<UTC timestamp>.json` (or `--out PATH`) with at least
`phases.<phase>.seconds`, `phases.<phase>.peak_mib`, `phases.<phase>.rows` and
`ratio_ingest_to_bare_read_seconds`; `python -m bench` (bench/run_all.py) reads those.
"""

import contextlib
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "bench" / "out"
DATASETS_DIR = OUT_DIR / "datasets"

# The appeals benches' APPEALS_HASH_KEY unless one is set: the data is synthetic; any key of 32
# bytes or more will do (ingest/privacy.py).
BENCH_HASH_KEY = "bench-appeals-hash-key-synthetic-data-01"

# Targets of issue 10 (points 2 and 3): peak RSS of each phase, ingest / bare read time; the family
# feed's are issue 12's ("within the limits of National volume").
PEAK_TARGET_MIB = 1.5 * 1024
RATIO_TARGETS = {"trade": 2.0, "appeals": 2.0, "land": 3.0, "family": 2.0}


# --------------------------------------------------------------------------------------------
# Memory, folders, child processes, the machine
# --------------------------------------------------------------------------------------------


def max_rss_mib(ru_maxrss: int) -> float:
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    return ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else ru_maxrss / 1024


def self_peak_mib() -> float:
    return max_rss_mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def child_env(warehouse_dir: Path, memory_limit: str, **extra: str) -> dict:
    """The environment of a measured child: its own WAREHOUSE_DIR (GX Data Docs and spill files
    stay in the work folder), the memory limit, the repository on PYTHONPATH."""
    env = dict(os.environ)
    env["WAREHOUSE_DIR"] = str(warehouse_dir)
    env["WAREHOUSE_LOAD_MEMORY_LIMIT"] = memory_limit
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


# Runs the measured command and reports its rusage. Linux folds the memory high-water mark of the
# process that execs into the new program's ru_maxrss (fs/exec.c, exec_mmap), and subprocess's
# vfork child shares the parent's memory: a child started straight from a bench parent that holds
# 900 MiB (a dataset just generated) would report at least 900 MiB whatever it used itself. This
# launcher is a fresh `python -S` (~10 MiB) that spawns the command and hands back its rusage, so
# a phase's peak is its own.
_LAUNCHER = """
import json, os, sys
out, command = sys.argv[1], sys.argv[2:]
pid = os.posix_spawnp(command[0], command, os.environ)
_, status, usage = os.wait4(pid, 0)
with open(out, "w") as handle:
    json.dump({"ru_maxrss": usage.ru_maxrss, "ru_utime": usage.ru_utime, "ru_stime": usage.ru_stime}, handle)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def wait_child(command: list[str], env: dict | None, log: Path | None = None) -> tuple[int, float, object]:
    """Run a child process from the repository root; (exit code, wall seconds, its rusage: the
    peak RSS in it is that child's alone, see _LAUNCHER)."""
    import tempfile
    from types import SimpleNamespace

    with tempfile.NamedTemporaryFile(suffix=".rusage.json", delete=False) as handle:
        usage_file = Path(handle.name)
    launcher = [sys.executable, "-S", "-c", _LAUNCHER, str(usage_file), *command]
    started = time.perf_counter()
    try:
        if log is None:
            code = subprocess.call(launcher, cwd=REPO_ROOT, env=env)
        else:
            with log.open("w") as handle:
                code = subprocess.call(
                    launcher, cwd=REPO_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT
                )
        wall = time.perf_counter() - started
        text = usage_file.read_text() if usage_file.exists() else ""
        usage = (
            SimpleNamespace(**json.loads(text))
            if text
            else SimpleNamespace(ru_maxrss=0, ru_utime=0.0, ru_stime=0.0)
        )
    finally:
        usage_file.unlink(missing_ok=True)
    return code, wall, usage


def measure_child(module: str, phase: str, result_path: Path, env: dict, extra_args: list[str]) -> dict:
    """Run `python -m <module> --child <phase> --result <path> ...` and return the figures the child
    wrote, plus its process seconds, peak MiB (os.wait4) and CPU seconds."""
    result_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", module, "--child", phase, "--result", str(result_path), *extra_args]
    code, wall, usage = wait_child(command, env)
    if code != 0:
        raise SystemExit(f"phase {phase} failed (exit code {code}); see the output above")
    result = json.loads(result_path.read_text())
    result["process_seconds"] = wall  # interpreter start and imports included
    result["peak_mib"] = max_rss_mib(usage.ru_maxrss)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    if result.get("rows") and result.get("seconds"):
        result["rows_per_s"] = result["rows"] / result["seconds"]
    return result


def write_child_result(path: Path, result: dict) -> int:
    """A child's figures, for its parent (measure_child)."""
    result["peak_mib_self"] = self_peak_mib()
    Path(path).write_text(json.dumps(result, indent=2, default=str))
    return 0


def machine(memory_limit: str) -> dict:
    import duckdb

    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(total / 2**30, 1),
        "duckdb": duckdb.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "memory_limit": memory_limit,
        "load_window_rows": os.environ.get("WAREHOUSE_LOAD_WINDOW_ROWS", "(default)"),
        "load_average_at_start": os.getloadavg(),
    }


def print_machine(info: dict) -> None:
    print(
        f"machine: {info['cores']} cores, {info['memory_gib']} GiB RAM, DuckDB {info['duckdb']}, "
        f"Python {info['python']}, DuckDB memory_limit {info['memory_limit']}, load window "
        f"{info['load_window_rows']} rows, load average {info['load_average_at_start'][0]:.2f} "
        "at start (the runs are CPU-bound: anything else running shows in the times)"
    )


def write_report(name: str, report: dict, out: Path | None) -> Path:
    """Write a bench's figures as JSON (bench/out/<name>_<stamp>.json unless --out is given)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {"timestamp": stamp, "load_average_at_end": os.getloadavg(), **report}
    if out is None:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        out = OUT_DIR / f"{name}_{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nfigures written to {out}")
    return out


def print_phase_table(results: dict) -> None:
    header = f"{'phase':<16}{'rows':>12}{'seconds':>10}{'rows/s':>12}{'peak MiB':>10}{'process s':>11}"
    print(header)
    print("-" * len(header))
    for phase, r in results.items():
        print(
            f"{phase:<16}{r['rows']:>12,}{r['seconds']:>10.1f}{r.get('rows_per_s') or 0:>12,.0f}"
            f"{r['peak_mib']:>10,.0f}{r.get('process_seconds', r['seconds']):>11.1f}"
        )


def print_ratio(results: dict) -> float:
    bare, ingest = results["bare_read"], results["ingest_path"]
    ratio = ingest["seconds"] / bare["seconds"]
    print(
        f"\ningest path / bare read time: {ratio:.1f}x  "
        f"(peak memory {ingest['peak_mib'] / bare['peak_mib']:.1f}x)"
    )
    return ratio


def add_common_arguments(parser, phases_help: str | None = None) -> None:
    """The options every ingest bench takes: --workdir, --memory-limit, [--phases], --keep, --out."""
    parser.add_argument(
        "--workdir", type=Path, help="work folder (default: a temp folder under bench/out/, removed after)"
    )
    parser.add_argument(
        "--memory-limit",
        default=default_memory_limit(),
        help="DuckDB memory_limit (default: the project's, ingest.settings)",
    )
    if phases_help:
        parser.add_argument("--phases", action="store_true", help=phases_help)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (databases)")
    parser.add_argument("--out", type=Path, help="where to write the JSON figures")


def work_folder(workdir: Path | None, prefix: str) -> tuple[Path, Path]:
    """(work folder, datasets folder): --workdir and its datasets/ when given; otherwise a fresh
    temp folder under bench/out/ (removed after unless --keep) and bench/out/datasets, kept across
    runs so that the next run reuses the generated files."""
    import tempfile

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    if workdir:
        workdir = workdir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        return workdir, workdir / "datasets"
    return Path(tempfile.mkdtemp(prefix=prefix, dir=OUT_DIR)), DATASETS_DIR


# --------------------------------------------------------------------------------------------
# dbt as a measured child process
# --------------------------------------------------------------------------------------------

DBT_PROJECT = REPO_ROOT / "dbt_project"


def run_dbt(workdir: Path, env: dict, name: str, args: list[str], top: int = 8) -> dict:
    """`dbt <args>` on the project as a measured child (wait_child), its target and log folders in
    the work folder (the shared dbt_project/target is left alone), its output in
    <workdir>/dbt_<name>.log. Returns seconds, peak MiB, CPU seconds, the summary lines, the exit
    code, the last error lines and, from the output's line per node (dbt_node_times: with
    --no-write-json too, as Dagster runs dbt), the slowest nodes and tests' seconds. Without a
    log file, as Dagster runs dbt (dbt_file_log_flags: DBT_LOG_LEVEL_FILE=debug in the
    environment writes <workdir>/dbt_logs/dbt.log, every statement timed)."""
    from orchestration.defs.resources import dbt_file_log_flags

    dbt = str(Path(sys.executable).with_name("dbt"))
    common = [
        "--project-dir",
        str(DBT_PROJECT),
        "--profiles-dir",
        str(DBT_PROJECT),
        "--target-path",
        str(workdir / "dbt_target"),
        "--log-path",
        str(workdir / "dbt_logs"),
    ]
    log = workdir / f"dbt_{name}.log"
    code, wall, usage = wait_child([dbt, *dbt_file_log_flags(), *args, *common], env, log)
    lines = log.read_text().splitlines()
    summary = [line.split("  ", 1)[-1].strip() for line in lines if "Done. PASS=" in line or "Found " in line]
    result = {
        "seconds": wall,
        "peak_mib": max_rss_mib(usage.ru_maxrss),
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "summary": " | ".join(summary),
        "exit_code": code,
        "log": str(log),
    }
    if code != 0:
        result["errors"] = [line for line in lines if "Error" in line or "FAIL" in line][-6:]
    elif nodes := dbt_node_times(lines):
        result["slowest"] = [[n, round(t, 2)] for _, n, t in sorted(nodes, key=lambda r: -r[2])[:top]]
        result["tests_seconds"] = sum(t for kind, _, t in nodes if kind == "test")
        result["nodes"] = len(nodes)
        result["nodes_by_type"] = {}
        for kind, _, _ in nodes:
            result["nodes_by_type"][kind] = result["nodes_by_type"].get(kind, 0) + 1
    return result


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# "12 of 61 OK created sql incremental model staging.stg_x .... [OK in 2.45s]",
# "3 of 61 PASS column_values_x .... [PASS in 0.09s]" (no dots after a long name), "1 of 2 OK hook:
# project.on-run-start.0 ... [OK in 0.01s]"
_NODE_LINE = re.compile(r" \d+ of \d+ (?!START)[A-Z-]+ (?P<what>.*?) \.* +\[.* in (?P<seconds>[\d.]+)s\]$")


def dbt_node_times(lines: list[str]) -> list[tuple[str, str, float]]:
    """(kind, name, seconds) of each node dbt reports a result for in its output: kind is model,
    seed, operation (a hook), unit_test or test (as run_results' unique ids name them)."""
    nodes = []
    for line in lines:
        found = _NODE_LINE.search(_ANSI.sub("", line))
        if not found:
            continue
        what = found["what"].split()
        name = what[-1].rsplit(".", 1)[-1] if what[0] in ("created", "loaded") else what[-1]
        if what[0] == "hook:":
            kind = "operation"
        elif what[0] == "created":
            kind = "model"
        elif what[0] == "loaded":
            kind = "seed"
        else:
            kind = "unit_test" if "::" in name else "test"
        nodes.append((kind, name, float(found["seconds"])))
    return nodes


class TreePeak:
    """The peak of the summed resident memory of this process's descendants, sampled every
    `interval` seconds in a thread while the `with` block runs (e.g. around run_dbt). The
    launcher's os.wait4 figure is one process's high-water mark; a dbt process that starts Spark
    has a JVM child, whose memory only a sample of the whole tree sees. Summed RSS counts shared
    pages (libraries) once per process, and a peak shorter than the interval can be missed.
    psutil when installed, /proc otherwise (Linux)."""

    def __init__(self, interval: float = 0.5):
        import threading

        self.interval = interval
        self.peak_bytes = 0
        self.peak_processes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / 2**20

    def __enter__(self) -> "TreePeak":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> bool:
        self._stop.set()
        self._thread.join()
        return False

    def _run(self) -> None:
        while True:
            sizes = _descendant_rss(os.getpid())
            self.samples += 1
            if sum(sizes) > self.peak_bytes:
                self.peak_bytes, self.peak_processes = sum(sizes), len(sizes)
            if self._stop.wait(self.interval):
                return


def _descendant_rss(root: int) -> list[int]:
    """Resident bytes of each descendant of `root` (not `root` itself)."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        sizes = []
        for child in psutil.Process(root).children(recursive=True):
            with contextlib.suppress(psutil.Error):  # ended between the listing and the read
                sizes.append(child.memory_info().rss)
        return sizes
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    page = os.sysconf("SC_PAGE_SIZE")
    sizes, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        with contextlib.suppress(OSError, IndexError, ValueError):  # ended meanwhile
            sizes.append(int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page)
    return sizes


# --------------------------------------------------------------------------------------------
# --phases: time every step of the load path without changing the project's code
# --------------------------------------------------------------------------------------------


class PhaseTimer:
    """Accumulates seconds, calls and peak-RSS growth per named step; `prefix` names the feed."""

    def __init__(self):
        self.steps: dict[str, dict] = {}
        self.prefix = ""

    def __call__(self, name: str):
        timer, name = self, self.prefix + name

        class _Span:
            def __enter__(self):
                self.t0, self.rss0 = time.perf_counter(), self_peak_mib()

            def __exit__(self, *exc):
                step = timer.steps.setdefault(name, {"seconds": 0.0, "calls": 0, "peak_growth_mib": 0.0})
                step["seconds"] += time.perf_counter() - self.t0
                step["calls"] += 1
                step["peak_growth_mib"] += self_peak_mib() - self.rss0
                return False

        return _Span()

    def summary(self, total_seconds: float) -> dict:
        steps = dict(sorted(self.steps.items(), key=lambda kv: -kv[1]["seconds"]))
        accounted = sum(s["seconds"] for s in steps.values())
        steps["python outside SQL/GX (report, issues, bookkeeping)"] = {
            "seconds": max(0.0, total_seconds - accounted),
            "calls": 0,
            "peak_growth_mib": 0.0,
        }
        return steps


# The SQL of ingest/feeds.py's load_feed (shared by every feed), ingest/loads.py,
# ingest/revisions.py and ingest/privacy.py, as of the typed read of a file read once (checked with
# --phases on the three ingest benches): (needle in the normalised lower-case text, step). The first
# rule that matches wins, so the more specific needles come first. A rule that matched no statement
# in a run is listed by `--phases` (a sign that the load's SQL changed) unless it is in
# CONDITIONAL_NEEDLES (statements that only run when something is wrong or changed); statements that
# matched no rule are counted under "other SQL" and the most frequent are kept in the JSON.
LOAD_RULES: list[tuple[str, str]] = [
    ("create schema if not exists", "setup: schemas and tables (DDL)"),
    ("select current_setting('temp_directory')", "setup: work folder"),
    ("select path, size_bytes, mtime_ns, ctime_ns, inode", "stage: file unchanged since registered?"),
    ("from meta.landing_files where feed", "register: known files / landing order"),
    ("into meta.landing_files", "register: landing file row"),
    ("update meta.landing_files", "register: landing file row"),
    ("from meta.file_slices where feed", "register: known slices"),
    ("select slice, partition_key, count(*)", "register: slices per file (scan of the file)"),
    ("insert into meta.file_slices", "register: slices per file (insert)"),
    ("present as (", "plan: winning files / windows"),
    ("create temp table feed_stage", "stage: create table"),
    ("create temp view feed_stage", "stage: view over the files read once"),
    # before the rules on load_stage_N, which these statements read
    ("create or replace temp table feed_typed", "typed: cast into feed_typed (rows read typed: copied)"),
    ("lines_read_again", "quarantine: rows as sent (their lines read again)"),
    ("_kept_texts is null", "quarantine: rows as sent (the file read again)"),
    ("drop table if exists feed_stage_as_sent", "cleanup: drop temp tables"),
    ("insert into quarantine.", "quarantine: bad rows"),
    ("feed_stage_as_sent", "quarantine: rows as sent (the file read again)"),
    ("from temp.load_stage_", "stage: window's rows from the file read once"),
    ("insert into feed_stage", "stage: read file into feed_stage"),
    ("current_setting('preserve_insertion_order')", "stage: read file once for the load (load_stage_N)"),
    ("temp table load_stage_", "stage: read file once for the load (load_stage_N)"),
    ("drop table if exists temp.load_stage_", "stage: file read once dropped after its last window"),
    ("and table_name = 'feed_stage'", "stage: drop the last window's feed_stage"),
    ("temp.feed_stage", "stage: drop the last window's feed_stage"),
    ("update feed_stage set _source_row", "stage: CSV rejects"),
    ("delete from feed_stage where _source_file", "stage: a file changed while it was read"),
    ("from reject_errors", "stage: CSV rejects"),
    ("drop table if exists reject_errors", "stage: CSV rejects"),
    ("from feed_stage where len(_missing_keys) > 0", "stage: missing keys, rows without partition"),
    ("where _type_issue", "typed: type issues (rows flagged by the cast)"),
    ("type_issue_rows", "typed: type issues (rows flagged by the cast)"),
    ("select _partition_key, count(*) from feed_typed", "validate: batches (partition counts)"),
    ("from feed_typed as t semi join", "validate: failing rows -> partitions"),
    ("published_slice_figures", "revisions: figures / partial-file guard"),
    ("accepted_revisions", "revisions: figures / partial-file guard"),
    ("delete from raw.", "publish: delete slices"),
    ("insert into raw.", "publish: insert partition"),
    ("insert or replace into meta.published_slices", "publish: slice bookkeeping"),
    ("from meta.published_slices", "publish: rows published / status"),
    ("into meta.loads", "publish: load record"),
    ("quarantine.", "quarantine: bad rows"),
    ("begin transaction", "publish: begin/commit"),
    ("commit", "publish: begin/commit"),
    ("rollback", "publish: begin/commit"),
    ("drop table if exists feed_typed", "cleanup: drop temp tables"),
    ("checkpoint", "checkpoint"),
]
# Needles of statements that only run on some loads (a failing row, a changed file, a refused
# file, a CSV reader's rejects, a rolled-back partition): not reported when they match nothing.
CONDITIONAL_NEEDLES = frozenset(
    {
        "update meta.landing_files",
        "from feed_typed as t semi join",
        "rollback",
        "quarantine.",
        "accepted_revisions",
        "from reject_errors",
        "drop table if exists reject_errors",
        # a file whose rows fall in several windows of the load
        "create temp view feed_stage",
        "from temp.load_stage_",
        "current_setting('preserve_insertion_order')",
        "temp table load_stage_",
        "drop table if exists temp.load_stage_",
        "update feed_stage set _source_row",
        "type_issue_rows",  # only when a value is bad
        "delete from feed_stage where _source_file",
        "create temp table feed_stage",  # a window of files read once is a view
        "_kept_texts is null",  # a row of a file read once failed an expectation
        "lines_read_again",  # the same, from its line
        "insert into quarantine.",
        "feed_stage_as_sent",
    }
)
TRADE_RULES = [
    ("from raw.comtrade_records where list_contains(?, period)", "publish: partition totals (metadata)"),
    ("with breakdowns as", "revisions: figures / partial-file guard"),  # Comtrade's consistency_sql
]
PRIVACY_RULES = [  # ingest/privacy.py, for feeds that carry personal data (eOtinish)
    ("create or replace temp macro", "privacy: hashing macros / key"),
    ("meta.hash_key_fingerprints", "privacy: hashing macros / key"),
]


class StatementClassifier:
    """Names the step a statement belongs to from its text; counts the hits of every rule."""

    def __init__(self, rules: list[tuple[str, str]]):
        self.rules = rules
        self.hits = [0] * len(rules)
        self.unmatched: dict[str, int] = {}

    def __call__(self, sql: str) -> str:
        text = " ".join(str(sql).split()).lower()
        for index, (needle, name) in enumerate(self.rules):
            if needle in text:
                self.hits[index] += 1
                return name
        key = text[:160]
        self.unmatched[key] = self.unmatched.get(key, 0) + 1
        return "other SQL"

    def report(self) -> dict:
        return {
            "rules_without_a_statement": [
                needle
                for (needle, _), hits in zip(self.rules, self.hits, strict=True)
                if not hits and needle not in CONDITIONAL_NEEDLES
            ],
            "unmatched_statements": dict(sorted(self.unmatched.items(), key=lambda kv: -kv[1])[:15]),
        }


class TimedResult:
    """Wraps what DuckDBPyConnection.execute returns so fetching (.df(), .fetchall()...) is
    timed under the statement's step too (a second call of that step)."""

    FETCHES = {"df", "fetchall", "fetchone", "fetchmany", "fetchdf", "arrow", "fetch_arrow_table"}

    def __init__(self, result, timer: PhaseTimer, step: str):
        self._result, self._timer, self._step = result, timer, step

    def __getattr__(self, name):
        attr = getattr(self._result, name)
        if name not in self.FETCHES:
            return attr

        def timed(*args, **kwargs):
            with self._timer(self._step):
                return attr(*args, **kwargs)

        return timed


class TimedConnection:
    """A stand-in for the DuckDB connection that times every statement (`execute`,
    `executemany`) by load step. Anything else goes to the real connection untimed."""

    def __init__(self, con, timer: PhaseTimer, classify: StatementClassifier):
        self._con, self._timer, self._classify = con, timer, classify

    def execute(self, sql, *args, **kwargs):
        step = self._classify(sql)
        with self._timer(step):
            result = self._con.execute(sql, *args, **kwargs)
        return TimedResult(result, self._timer, step)

    def executemany(self, sql, *args, **kwargs):
        step = self._classify(sql)
        with self._timer(step):
            return self._con.executemany(sql, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._con, name)


def time_file_inspection(timer: PhaseTimer) -> None:
    """Time ingest.landing.inspect, the one read of each new landing file at registration
    (SHA-256, gzip, encoding and binary checks). A run-time wrapper: no project file is changed.
    (ingest.loads.file_sha256, which earlier benches wrapped, is no longer on the load path.)"""
    import ingest.landing

    original = ingest.landing.inspect

    def timed_inspect(path, *args, **kwargs):
        with timer("register: inspect file (sha256, encoding)"):
            return original(path, *args, **kwargs)

    ingest.landing.inspect = timed_inspect


def timed_validator(timer: PhaseTimer, con, validate, validations: list[dict], feed: str):
    """The feed's suite, timed as one step. GX runs inside DuckDB on the real connection (not the
    timing stand-in: SQLAlchemy needs a DuckDB connection)."""
    from dataclasses import replace

    def run(batch, label):
        t0, rss0 = time.perf_counter(), self_peak_mib()
        batch = replace(batch, con=con)
        with timer("validate: Great Expectations (inside DuckDB)"):
            outcome = validate(batch, label)
        (rows,) = con.execute(f"select count(*) from ({batch.sql})").fetchone()
        validations.append(
            {
                "feed": feed,
                "label": label,
                "rows": rows,
                "seconds": time.perf_counter() - t0,
                "peak_before_mib": rss0,
                "peak_after_mib": self_peak_mib(),
            }
        )
        return outcome

    return run


class LoadInstrumentation:
    """The --phases instrumentation of one ingest child: a PhaseTimer, the statement classifier of
    `rules`, the timed file inspection and the timing stand-in for the connection (`target`, what
    the loads are given), the timed GX suites. Disabled, `target` is the connection itself and
    `validator()` adds nothing; `timer` still works (for steps a bench always times)."""

    def __init__(self, con, rules: list[tuple[str, str]], enabled: bool):
        self.con, self.enabled = con, enabled
        self.timer = PhaseTimer()
        self.classify = StatementClassifier(rules)
        self.validations: list[dict] = []
        self.target = con
        if enabled:
            time_file_inspection(self.timer)
            self.target = TimedConnection(con, self.timer, self.classify)

    def validator(self, feed, label: str | None = None) -> dict:
        """The keyword arguments of a load call: its feed's suite (Feed.validator), timed."""
        if not self.enabled:
            return {}
        return {
            "validator": timed_validator(
                self.timer, self.con, feed.validator, self.validations, label or feed.name
            )
        }

    def add_to(self, result: dict, seconds: float) -> dict:
        """The steps, GX runs and classifier check, into a child's result (when enabled)."""
        if self.enabled:
            self.timer.prefix = ""
            result["steps"] = self.timer.summary(seconds)
            result["validations"] = self.validations
            result["classifier"] = self.classify.report()
        return result


def print_steps(ingest: dict) -> None:
    """The --phases breakdown of an ingest phase (steps, GX runs, classifier check)."""
    print("\ningest path, by step (--phases; 'peak +MiB' = growth of the process peak RSS in the step):")
    width = max([len(n) for n in ingest["steps"]] + [40]) + 2
    print(f"  {'step':<{width}}{'seconds':>9}{'share':>7}{'calls':>7}{'peak +MiB':>11}")
    floor = max(0.05, 0.005 * ingest["seconds"])  # at least 0.5 % of the phase, or a peak it set
    shown = {n: s for n, s in ingest["steps"].items() if s["seconds"] >= floor or s["peak_growth_mib"] >= 1}
    small = [s for n, s in ingest["steps"].items() if n not in shown]
    if small:
        shown[f"({len(small)} smaller steps)"] = {
            "seconds": sum(s["seconds"] for s in small),
            "calls": sum(s["calls"] for s in small),
            "peak_growth_mib": sum(s["peak_growth_mib"] for s in small),
        }
    for name, step in shown.items():
        share = step["seconds"] / ingest["seconds"] if ingest["seconds"] else 0
        print(
            f"  {name:<{width}}{step['seconds']:>9.1f}{share:>7.0%}{step['calls']:>7}"
            f"{step['peak_growth_mib']:>11,.0f}"
        )
    runs = ingest.get("validations", [])
    for feed in sorted({v["feed"] for v in runs}):
        mine = [v for v in runs if v["feed"] == feed]
        gx = sum(v["seconds"] for v in mine) or 1e-9
        print(
            f"  GX {feed}: {len(mine)} suite runs, {gx:.1f} s, "
            f"{sum(v['rows'] for v in mine) / gx:,.0f} rows/s inside DuckDB, peak after "
            f"{max(v['peak_after_mib'] for v in mine):,.0f} MiB (first run {mine[0]['seconds']:.1f} s, "
            "GX import and context included)"
        )
    if "startup_peak_mib" in ingest:
        print(f"  process peak after startup/imports: {ingest['startup_peak_mib']:,.0f} MiB")
    check = ingest.get("classifier", {})
    if check.get("rules_without_a_statement"):
        print(
            "  classifier rules that matched no statement in this run: "
            + "; ".join(check["rules_without_a_statement"])
        )
    if check.get("unmatched_statements"):
        print(
            f"  statements under 'other SQL': {sum(check['unmatched_statements'].values())} "
            "(kept in the JSON)"
        )


def default_memory_limit() -> str:
    """The DuckDB memory_limit the project's loads use (ingest.settings; WAREHOUSE_LOAD_MEMORY_LIMIT)."""
    from ingest.settings import load_memory_limit

    return load_memory_limit()
