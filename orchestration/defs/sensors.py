"""A sensor that watches the landing folder and launches runs for the partitions new files hold:
months for Comtrade files, days for eOtinish exports, quarters for land and subsoil monitoring."""

import hashlib
import json
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from catalog import feeds_of
from ingest.bilateral import BUNDLED_BILATERAL_DIR
from ingest.feeds import Feed, files_partitions
from ingest.landing import FileSignature
from ingest.loads import LoadIssue
from orchestration.defs.jobs import (
    bilateral_update_job,
    daily_feeds_job,
    land_quarterly_job,
    monthly_feeds_job,
)
from orchestration.defs.partitions import PARTITIONS
from orchestration.defs.resources import WarehouseResource

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def file_signature(path: Path) -> str:
    """Changes whenever the file's bytes may have (size, times, inode); a dangling link has one too."""
    signature = FileSignature.of(path)
    return f"{signature.size}:{signature.mtime_ns}:{signature.ctime_ns}:{signature.inode}"


# The job each partitioning's feeds run in when their files land.
JOBS = {"monthly": monthly_feeds_job, "daily": daily_feeds_job, "quarterly": land_quarterly_job}


def _landing_files(partitioning: str, landing: Path) -> tuple[dict[Path, Feed], list[LoadIssue]]:
    """The feeds' landing files, and the files refused for their path (redacted)."""
    feed_of: dict[Path, Feed] = {}
    refused: list[LoadIssue] = []
    for feed in feeds_of(partitioning):
        files, refused_here = feed.sorted_landing(landing)
        feed_of.update(dict.fromkeys(files, feed))
        refused += refused_here
    return feed_of, refused


@sensor(
    jobs=list(JOBS.values()),
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Looks for new or changed files in the landing folder, takes a file once its size "
    "and times are the same on two ticks in a row (a file still being copied is not loaded half "
    "written), reads which months (trade), days (appeals) or quarters (land) it holds without "
    "opening the warehouse that a run may be writing, and requests one run over that window for "
    "each feed.",
)
def landing_folder_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    cursor = json.loads(context.cursor) if context.cursor else {}
    # "taken": the signature each file was last acted on with; "pending": signatures seen on the
    # previous tick, not yet stable.
    taken: dict[str, str] = cursor.get("taken", {})
    pending: dict[str, str] = cursor.get("pending", {})
    next_taken: dict[str, str] = {}
    next_pending: dict[str, str] = {}
    runs = []
    refused = []  # files no load reads for their path (an IIN in it, a name not UTF-8), redacted
    for partitioning, job in JOBS.items():
        partitions_def = PARTITIONS[partitioning]
        feed_of, refused_here = _landing_files(partitioning, warehouse.paths.landing)
        refused += refused_here
        files = {str(p): file_signature(p) for p in feed_of}
        changed = []
        for path, signature in sorted(files.items()):
            if taken.get(path) == signature:
                next_taken[path] = signature
            elif pending.get(path) == signature:  # unchanged since the last tick: take it
                changed.append(path)
                next_taken[path] = signature
            else:
                next_pending[path] = signature
                if path in taken:
                    next_taken[path] = taken[path]
        valid = set(partitions_def.get_partition_keys())
        keys: set[str] = set()
        # each feed's changed files read together (one in-memory DuckDB per feed)
        by_feed: dict[str, tuple[Feed, list[Path]]] = {}
        for path in changed:
            feed = feed_of[Path(path)]
            by_feed.setdefault(feed.name, (feed, []))[1].append(Path(path))
        held: dict[Path, set[str]] = {}
        for feed, paths in by_feed.values():
            held.update(files_partitions(feed, paths))
        for path in changed:
            feed = feed_of[Path(path)]
            found = {feed.key_of_partition(k) for k in held[Path(path)]}
            if not found:
                context.log.warning(f"{path} holds no readable period or day; the load reports why")
            keys |= found & valid
        if keys:
            start, end = min(keys), max(keys)
            runs.append(
                RunRequest(
                    job_name=job.name,
                    run_key=f"{job.name}:{start}:{end}:" + ",".join(f"{p}@{files[p]}" for p in changed),
                    tags={RANGE_START: start, RANGE_END: end, "trigger": "landing_folder_sensor"},
                )
            )
    cursor = json.dumps({"taken": next_taken, "pending": next_pending}, sort_keys=True)
    if not runs:
        waiting = f" ({len(next_pending)} file(s) still changing)" if next_pending else ""
        if refused:
            first = refused[0]
            waiting += f"; {len(refused)} file(s) not read for their path, e.g. {first.file}: {first.message}"
        return SensorResult(
            skip_reason=SkipReason("no new or changed files with loadable data" + waiting), cursor=cursor
        )
    return SensorResult(run_requests=runs, cursor=cursor)


@sensor(
    jobs=[bilateral_update_job],
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Requests a bilateral_update run when the reviewed files in data/bilateral/ change.",
)
def bilateral_files_sensor(context: SensorEvaluationContext):
    files = {str(p): file_signature(p) for p in sorted(BUNDLED_BILATERAL_DIR.glob("*.yaml"))}
    cursor = json.dumps(files, sort_keys=True)
    if context.cursor == cursor:
        return SensorResult(skip_reason=SkipReason("the bilateral files have not changed"), cursor=cursor)
    run_key = "bilateral:" + hashlib.sha256(cursor.encode()).hexdigest()[:16]
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=run_key,
                job_name=bilateral_update_job.name,
                tags={"trigger": "bilateral_files_sensor"},
            )
        ],
        cursor=cursor,
    )
