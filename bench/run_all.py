"""All four ingest benches at a quick size, one table: `make bench` (or `python -m bench`).

    python -m bench [--size quick|default|double] [--phases] [--only trade,appeals,land,family]

Each bench runs as a child process of its own (its output goes to a log file beside its JSON in
bench/out/run_<stamp>/, whose path is printed), then one table is printed: feed, phase, rows,
seconds, peak MiB, ratio of the ingest path to the bare read, and whether the targets of issue 10
are met (peak RSS <= 1.5 GiB for each phase; ratio <= 2.0x trade, appeals and family (issue 12),
<= 3.0x land).
Quick sizes take ~4 minutes on 2 cores, mostly Python and GX start-ups and per-partition
bookkeeping: their ratios are NOT the ratios of the default sizes (see bench/README.md).
"""

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import OUT_DIR, PEAK_TARGET_MIB, RATIO_TARGETS, wait_child

# feed -> (module, size option, quick, default, double)
BENCHES = {
    "trade": ("bench.bench_trade_ingest", "--rows", 500_000, 5_000_000, 10_000_000),
    "appeals": ("bench.bench_appeals_ingest", "--events", 300_000, 10_000_000, 20_000_000),
    "land": ("bench.bench_land_ingest", "--parcels", 50_000, 1_000_000, 2_000_000),
    "family": ("bench.bench_family_ingest", "--families", 20_000, 1_000_000, 2_000_000),
}
SIZES = {"quick": 2, "default": 3, "double": 4}


def run(feeds: list[str], size: str, phases: bool, folder: Path) -> dict[str, dict]:
    reports = {}
    for feed in feeds:
        module, option, *sizes = BENCHES[feed]
        n = sizes[SIZES[size] - 2]
        out, log = folder / f"{feed}.json", folder / f"{feed}.log"
        command = [sys.executable, "-m", module, option, str(n), "--out", str(out)]
        if feed == "appeals":
            command.append("--no-dbt")  # the load only; dbt is measured by the appeals bench itself
        if phases:
            command.append("--phases")
        print(f"{feed:<8} {option} {n:,} ...", end=" ", flush=True)
        code, wall, _ = wait_child(command, env=None, log=log)
        if code != 0 or not out.exists():
            print(f"FAILED (exit code {code}); see {log}")
            continue
        print(f"{wall:.0f} s")
        reports[feed] = json.loads(out.read_text())
    return reports


def print_table(reports: dict[str, dict]) -> None:
    header = (
        f"{'feed':<9}{'phase':<13}{'rows':>12}{'seconds':>9}{'peak MiB':>10}"
        f"{'ratio':>8}{'target':>8}  {'met':<20}"
    )
    print(header)
    print("-" * len(header))
    for feed, report in reports.items():
        ratio = report["ratio_ingest_to_bare_read_seconds"]
        target = RATIO_TARGETS[feed]
        for phase in ("bare_read", "ingest_path"):
            r = report["phases"][phase]
            peak_ok = r["peak_mib"] <= PEAK_TARGET_MIB
            if phase == "bare_read":
                shown, verdict = "", "peak " + ("ok" if peak_ok else "MISSED")
            else:
                shown = f"{ratio:.1f}x"
                verdict = (
                    ("ratio ok" if ratio <= target else "ratio MISSED")
                    + ", peak "
                    + ("ok" if peak_ok else "MISSED")
                )
            print(
                f"{feed:<9}{phase:<13}{r['rows']:>12,}{r['seconds']:>9.1f}{r['peak_mib']:>10,.0f}"
                f"{shown:>8}{f'{target:.1f}x' if phase == 'ingest_path' else '':>8}  {verdict:<20}"
            )
    if reports:
        machine = next(iter(reports.values()))["machine"]
        print(
            f"\n{machine['cores']} cores, {machine['memory_gib']} GiB, DuckDB {machine['duckdb']}, "
            f"memory_limit {machine['memory_limit']}, load average at start "
            f"{machine['load_average_at_start'][0]:.2f}; peak target {PEAK_TARGET_MIB:,.0f} MiB"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size",
        choices=sorted(SIZES),
        default="quick",
        help="quick (default; ~4 min), default (the benches' defaults) or double",
    )
    parser.add_argument("--phases", action="store_true", help="pass --phases to each bench")
    parser.add_argument(
        "--only", default=",".join(BENCHES), help="comma-separated feeds (default: trade,appeals,land,family)"
    )
    args = parser.parse_args(argv)
    feeds = [f.strip() for f in args.only.split(",") if f.strip()]
    unknown = set(feeds) - set(BENCHES)
    if unknown:
        parser.error(f"unknown feed(s): {', '.join(sorted(unknown))}")
    folder = OUT_DIR / f"run_{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
    folder.mkdir(parents=True)
    print(f"bench outputs and logs: {folder}")
    started = time.perf_counter()
    reports = run(feeds, args.size, args.phases, folder)
    print()
    print_table(reports)
    (folder / "summary.json").write_text(
        json.dumps(
            {
                feed: {
                    "rows": r["phases"]["ingest_path"]["rows"],
                    "phases": {
                        p: {k: r["phases"][p][k] for k in ("seconds", "peak_mib")}
                        for p in ("bare_read", "ingest_path")
                    },
                    "ratio_ingest_to_bare_read_seconds": r["ratio_ingest_to_bare_read_seconds"],
                }
                for feed, r in reports.items()
            },
            indent=2,
        )
    )
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0 if len(reports) == len(feeds) else 1


if __name__ == "__main__":
    sys.exit(main())
