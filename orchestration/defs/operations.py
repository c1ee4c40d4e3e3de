"""What an operator watches in the Dagster UI besides the runs: whether each feed is fresh, and a
record of every failed run with its failing step and error."""

from datetime import UTC, datetime, timedelta

from dagster import (
    AssetKey,
    DefaultSensorStatus,
    RunFailureSensorContext,
    build_last_update_freshness_checks,
    build_sensor_for_freshness_checks,
    run_failure_sensor,
)

from catalog import FEEDS, GROUP_MAX_AGE
from ingest.loads import record_failed_steps
from orchestration.defs.assets.feeds import raw_key
from orchestration.defs.resources import WarehouseResource

# How long each group's feeds may go without a load before they show as stale (catalog/, shared
# with the report's freshness table).
FEED_INTERVALS: dict[str, tuple[timedelta, list[AssetKey]]] = {
    group: (max_age, [raw_key(feed) for feed in FEEDS if feed.group == group])
    for group, max_age in GROUP_MAX_AGE.items()
    if max_age is not None and any(feed.group == group for feed in FEEDS)
}

freshness_checks = [
    check
    for interval, keys in FEED_INTERVALS.values()
    for check in build_last_update_freshness_checks(assets=keys, lower_bound_delta=interval)
]

freshness_sensor = build_sensor_for_freshness_checks(
    freshness_checks=freshness_checks,
    name="feed_freshness_sensor",
    minimum_interval_seconds=600,
    default_status=DefaultSensorStatus.RUNNING,
)


@run_failure_sensor(
    name="record_run_failures",
    default_status=DefaultSensorStatus.RUNNING,
    description="Records every failed run, with each failing step and its error, in "
    "run_failures of the operations database next to the warehouse (warehouse/operations.duckdb).",
)
def record_run_failures(context: RunFailureSensorContext, warehouse: WarehouseResource):
    run = context.dagster_run
    tags = run.tags or {}
    partitions = (
        tags.get("dagster/partition")
        or "..".join(
            v
            for v in (
                tags.get("dagster/asset_partition_range_start"),
                tags.get("dagster/asset_partition_range_end"),
            )
            if v
        )
        or None
    )
    failed_at = datetime.now(UTC).replace(tzinfo=None)
    steps = [(event.step_key, event.step_failure_data.error) for event in context.get_step_failure_events()]
    if not steps:  # the run failed outside any step (e.g. it could not start)
        steps = [("(run)", None)]
    rows = [
        (
            run.run_id,
            run.job_name,
            failed_at,
            partitions,
            step,
            error.cls_name if error else None,
            error.message.strip()[:4000] if error else context.failure_event.message,
        )
        for step, error in steps
    ]
    record_failed_steps(warehouse.paths, rows)
    context.log.info(f"recorded {len(rows)} failed step(s) of run {run.run_id} ({run.job_name})")
