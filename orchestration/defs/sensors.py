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

from ingest import comtrade, eotinish, land
from ingest.bilateral import BUNDLED_BILATERAL_DIR
from orchestration.defs.jobs import (
    appeals_daily_job,
    bilateral_update_job,
    build_warehouse_job,
    land_quarterly_job,
)
from orchestration.defs.partitions import daily_partitions, monthly_partitions, quarterly_partitions
from orchestration.defs.resources import WarehouseResource

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def file_signature(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _trade_partitions(path: Path) -> set[str]:
    return comtrade.file_partitions(path)


def _appeal_partitions(path: Path) -> set[str]:
    day = eotinish.file_day(path)
    return {day} if day else set()


def _land_partitions(path: Path) -> set[str]:
    quarter = land.file_quarter(path)
    return {land.partition_of_quarter(quarter)} if quarter else set()


# (job, partitions, files in the landing folder, partitions a file holds)
WATCHED = [
    (build_warehouse_job, monthly_partitions, comtrade.landing_files, _trade_partitions),
    (appeals_daily_job, daily_partitions,
     lambda landing: [p for feed in eotinish.FEEDS for p in feed.landing_files(landing)],
     _appeal_partitions),
    (land_quarterly_job, quarterly_partitions,
     lambda landing: [p for feed in land.FEEDS for p in feed.landing_files(landing)],
     _land_partitions),
]


@sensor(
    jobs=[build_warehouse_job, appeals_daily_job, land_quarterly_job],
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Looks for new or changed files in the landing folder, reads which months (trade), "
    "days (appeals) or quarters (land) they hold, without opening the warehouse that a run may be "
    "writing, and requests one run over that window for each feed.",
)
def landing_folder_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    current: dict[str, str] = {}
    runs = []
    for job, partitions_def, files_of, partitions_of in WATCHED:
        files = {str(p): file_signature(p) for p in files_of(warehouse.paths.landing)}
        current.update(files)
        changed = sorted(path for path, signature in files.items() if seen.get(path) != signature)
        valid = set(partitions_def.get_partition_keys())
        keys: set[str] = set()
        for path in changed:
            found = partitions_of(Path(path))
            if not found:
                context.log.warning(f"{path} holds no readable period or day")
            keys |= found & valid
        if keys:
            start, end = min(keys), max(keys)
            runs.append(RunRequest(
                job_name=job.name,
                run_key=f"{job.name}:{start}:{end}:" + ",".join(f"{p}@{files[p]}" for p in changed),
                tags={RANGE_START: start, RANGE_END: end, "trigger": "landing_folder_sensor"},
            ))
    if not runs:
        return SensorResult(skip_reason=SkipReason("no new or changed files with loadable data"),
                            cursor=json.dumps(current))
    return SensorResult(run_requests=runs, cursor=json.dumps(current))


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
        run_requests=[RunRequest(run_key=run_key, job_name=bilateral_update_job.name,
                                 tags={"trigger": "bilateral_files_sensor"})],
        cursor=cursor,
    )
