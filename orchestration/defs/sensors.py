"""A sensor that watches the landing folder and launches a run for the months new files hold."""

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

from ingest.comtrade import file_partitions, landing_files
from orchestration.defs.jobs import build_warehouse_job
from orchestration.defs.partitions import monthly_partitions
from orchestration.defs.resources import WarehouseResource

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def file_signature(path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


@sensor(
    job=build_warehouse_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Looks for new or changed files in the trade landing folder, reads which months "
    "they hold (without opening the warehouse, which a run may be writing) and requests one run "
    "over that window of months.",
)
def landing_folder_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    current = {str(path): file_signature(path) for path in landing_files(warehouse.paths.landing)}
    changed = sorted(path for path, signature in current.items() if seen.get(path) != signature)
    if not changed:
        return SkipReason("no new or changed files in the landing folder")

    valid_keys = set(monthly_partitions.get_partition_keys())
    partitions: set[str] = set()
    unreadable = []
    for path in changed:
        found = file_partitions(Path(path))
        if not found:
            unreadable.append(path)
        partitions |= found & valid_keys
    if unreadable:
        context.log.warning(f"files holding no readable period: {unreadable}")
    if not partitions:
        return SensorResult(skip_reason=SkipReason(f"no loadable months in {changed}"),
                            cursor=json.dumps(current))
    start, end = min(partitions), max(partitions)
    run = RunRequest(
        run_key=f"landing:{start}:{end}:" + ",".join(f"{p}@{current[p]}" for p in changed),
        tags={RANGE_START: start, RANGE_END: end, "trigger": "landing_folder_sensor"},
    )
    return SensorResult(run_requests=[run], cursor=json.dumps(current))

