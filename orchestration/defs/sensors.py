"""A sensor that watches the landing folder and launches runs for the partitions new files hold:
months for Comtrade files, days for eOtinish exports, quarters for land and subsoil monitoring;
it requests again the good partitions of a run of its own that failed."""

import hashlib
import json
from pathlib import Path

from dagster import (
    DagsterEventType,
    DagsterInvariantViolationError,
    DagsterRunStatus,
    DefaultSensorStatus,
    PartitionKeyRange,
    RunRequest,
    RunsFilter,
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
# Each run the landing sensor requests carries its request's id; a retry also names the request it
# retries (a retry that fails is not retried again).
REQUEST_TAG = "landing_request"
RETRY_OF_TAG = "landing_retry_of"


def file_signature(path: Path) -> str:
    """Changes whenever the file's bytes may have (size, times, inode); a dangling link has one too."""
    signature = FileSignature.of(path)
    return f"{signature.size}:{signature.mtime_ns}:{signature.ctime_ns}:{signature.inode}"


# The job each partitioning's feeds run in when their files land.
JOBS = {"monthly": monthly_feeds_job, "daily": daily_feeds_job, "quarterly": land_quarterly_job}
PARTITIONING_OF_JOB = {job.name: partitioning for partitioning, job in JOBS.items()}


def _landing_files(partitioning: str, landing: Path) -> tuple[dict[Path, Feed], list[LoadIssue]]:
    """The feeds' landing files, and the files refused for their path (redacted)."""
    feed_of: dict[Path, Feed] = {}
    refused: list[LoadIssue] = []
    for feed in feeds_of(partitioning):
        files, refused_here = feed.sorted_landing(landing)
        feed_of.update(dict.fromkeys(files, feed))
        refused += refused_here
    return feed_of, refused


def _request(job_name: str, keys: list[str], run_key: str, retry_of: str | None = None) -> RunRequest:
    """One run of `job_name` over the partitions from keys[0] to keys[-1], tagged with its id."""
    tags = {RANGE_START: keys[0], RANGE_END: keys[-1], "trigger": "landing_folder_sensor"}
    tags[REQUEST_TAG] = hashlib.sha256(run_key.encode()).hexdigest()[:16]
    if retry_of:
        tags[RETRY_OF_TAG] = retry_of
    return RunRequest(job_name=job_name, run_key=run_key, tags=tags)


def _rejected_partitions(instance, run_id: str) -> set[str]:
    """The partitions a load of the run rejected (its blocking check's `partitions_rejected`), in
    the load's own form ('2024-Q3' for land: _as_dagster_keys)."""
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records
    rejected: set[str] = set()
    for record in records:
        metadata = record.event_log_entry.dagster_event.event_specific_data.metadata
        if "partitions_rejected" in metadata:
            rejected |= set(metadata["partitions_rejected"].value)
    return rejected


def _as_dagster_keys(partitioning: str, load_keys: set[str]) -> set[str]:
    """A load's partitions as Dagster's keys (Feed.key_of_partition: '2024-Q3' -> '2024-07-01')."""
    return {feed.key_of_partition(key) for feed in feeds_of(partitioning) for key in load_keys}


FINISHED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}


def _follow_up(context: SensorEvaluationContext, awaited: dict[str, str]):
    """What became of the runs requested on earlier ticks: (the requests still awaited, the retries
    to request).

    The rule: a request stays awaited while its run is queued or running. Once it has succeeded, or
    was canceled (an operator's decision), or has no run (the daemon creates a tick's runs before
    the next tick, so it never will), it is settled. Once it has failed, its partitions that no
    load rejected are requested again, in one run per unbroken range of them: a good month that
    failed only because it shared a run with a bad one (published to raw, never built into the
    facts, which a run rebuilds for its own months only) is built. The rejected partitions wait for
    their files to change, which the sensor sees as for any file. A retry is requested once: if it
    fails too, its partitions wait for a change of their files, the monthly schedule or an
    operator, so a partition that keeps failing is never requested in a loop.
    """
    if not awaited:
        return {}, []
    try:
        instance = context.instance
    except DagsterInvariantViolationError:  # evaluated outside Dagster (a unit test): no runs to see
        return awaited, []
    still_awaited: dict[str, str] = {}
    retries = []
    for request_id, job_name in awaited.items():
        runs = instance.get_runs(RunsFilter(tags={REQUEST_TAG: request_id}))  # newest first
        statuses = {run.status for run in runs}
        if DagsterRunStatus.SUCCESS in statuses or not runs:
            continue
        if statuses - FINISHED:
            still_awaited[request_id] = job_name
            continue
        failed = next((run for run in runs if run.status == DagsterRunStatus.FAILURE), None)
        if failed is None or RETRY_OF_TAG in failed.tags:
            continue
        partitions_def = PARTITIONS[PARTITIONING_OF_JOB[job_name]]
        window = PartitionKeyRange(failed.tags[RANGE_START], failed.tags[RANGE_END])
        rejected = _as_dagster_keys(
            PARTITIONING_OF_JOB[job_name], _rejected_partitions(instance, failed.run_id)
        )
        keys = partitions_def.get_partition_keys_in_range(window)
        for block in _unbroken_blocks(keys, rejected):
            context.log.warning(
                f"run {failed.run_id} of {job_name} failed; requesting again the partitions it did not "
                f"reject: {block[0]} to {block[-1]}"
            )
            run_key = f"{job_name}:{block[0]}:{block[-1]}:retry-of:{request_id}"
            retries.append(_request(job_name, block, run_key, retry_of=request_id))
    return still_awaited, retries


def _unbroken_blocks(keys: list[str], left_out: set[str]) -> list[list[str]]:
    """`keys` (in order) without `left_out`, cut where a key was left out."""
    blocks: list[list[str]] = [[]]
    for key in keys:
        if key in left_out:
            blocks.append([])
        else:
            blocks[-1].append(key)
    return [block for block in blocks if block]


@sensor(
    jobs=list(JOBS.values()),
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Looks for new or changed files in the landing folder, takes a file once its size "
    "and times are the same on two ticks in a row (a file still being copied is not loaded half "
    "written), reads which months (trade), days (appeals) or quarters (land) it holds without "
    "opening the warehouse that a run may be writing, and requests one run over that window for "
    "each feed. When one of its runs fails, it requests again the partitions no load rejected, "
    "once; a file whose periods are all outside the partitions is reported, not loaded.",
)
def landing_folder_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    cursor = json.loads(context.cursor) if context.cursor else {}
    # "taken": the signature each file was last acted on with; "pending": signatures seen on the
    # previous tick, not yet stable.
    taken: dict[str, str] = cursor.get("taken", {})
    pending: dict[str, str] = cursor.get("pending", {})
    # "awaited": the id of each request whose run has not finished yet, and its job
    awaited, runs = _follow_up(context, cursor.get("awaited", {}))
    next_taken: dict[str, str] = {}
    next_pending: dict[str, str] = {}
    outside_only = []  # files all of whose periods are outside the partitions: reported, not loaded
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
            # Reported on the tick that takes the file, once: it is not read again until it changes.
            first = partitions_def.get_first_partition_key()
            last = partitions_def.get_last_partition_key()
            # A period not ended yet (today's export) is no partition yet: the job's schedule loads
            # it once it has ended.
            later = sorted(key for key in found - valid if last is None or key > last)
            if later:
                context.log.info(
                    f"{path} holds periods not ended yet, loaded by the schedule: {', '.join(later)}"
                )
            outside = sorted(found - valid - set(later))
            if outside:
                context.log.warning(
                    f"{path} holds periods outside the partitions ({first} to {last}), not loaded: "
                    + ", ".join(outside)
                )
                if not found & valid and not later:
                    name = Path(path).relative_to(warehouse.paths.landing)
                    outside_only.append(f"{name} ({', '.join(outside)})")
            keys |= found & valid
        if keys:
            start, end = min(keys), max(keys)
            run_key = f"{job.name}:{start}:{end}:" + ",".join(f"{p}@{files[p]}" for p in changed)
            runs.append(_request(job.name, [start, end], run_key))
    for run in runs:
        awaited[run.tags[REQUEST_TAG]] = run.job_name
    cursor = json.dumps({"taken": next_taken, "pending": next_pending, "awaited": awaited}, sort_keys=True)
    if not runs:
        waiting = f" ({len(next_pending)} file(s) still changing)" if next_pending else ""
        if outside_only:
            waiting += (
                f"; {len(outside_only)} file(s) hold only periods outside the partitions, not loaded: "
                + "; ".join(outside_only)
            )
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
