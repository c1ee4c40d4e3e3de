"""The load jobs: each group of feeds' loads with their Great Expectations suites and freshness
checks, and none of dbt's tests of the loaded tables (those run in the dbt build that reads them).

Nothing here imports dbt's assets, whose decorator reads dbt's manifest: `make warehouse` runs its
loads with `load_definitions()` while `dbt parse` is still writing the manifest, and builds the
rest with `orchestration.definitions`, where these jobs are the same."""

from dagster import AssetCheckKey, AssetSelection, Definitions, define_asset_job, in_process_executor

from catalog import feeds_of
from ingest.feeds import Feed
from orchestration.defs.assets.feeds import FEED_ASSETS, check_name, raw_key
from orchestration.defs.operations import freshness_checks
from orchestration.defs.partitions import daily_partitions, monthly_partitions, quarterly_partitions
from orchestration.defs.resources import WarehouseResource


def feed_loads(feeds: list[Feed]) -> AssetSelection:
    """The feeds' loads, their suites and their freshness checks."""
    keys = {raw_key(feed) for feed in feeds}
    return AssetSelection.assets(*keys).without_checks() | AssetSelection.checks(
        *(AssetCheckKey(raw_key(feed), check_name(feed)) for feed in feeds),
        *(key for check in freshness_checks for key in check.check_keys if key.asset_key in keys),
    )


def loads_of(partitioning: str) -> AssetSelection:
    """The loads of the feeds with this partitioning, their suites and their freshness checks."""
    return feed_loads(feeds_of(partitioning))


# The build command runs these, then build_warehouse.
load_daily_job = define_asset_job(
    "load_daily",
    selection=loads_of("daily"),
    partitions_def=daily_partitions,
    description="Load and validate the daily files (eOtinish exports, Digital Family Map "
    "proactive-service events) of a window of days.",
)

# The build command loads the Digital Family Map's extracts this way over their own months, before
# build_warehouse runs over Comtrade's.
load_monthly_job = define_asset_job(
    "load_monthly",
    selection=loads_of("monthly"),
    partitions_def=monthly_partitions,
    description="Load and validate the monthly files (Comtrade, the Digital Family Map's extracts) "
    "of a window of months.",
)

load_land_job = define_asset_job(
    "load_land",
    selection=loads_of("quarterly"),
    partitions_def=quarterly_partitions,
    description="Load and validate the land and subsoil monitoring files of a window of quarters.",
)

LOAD_JOBS = [load_daily_job, load_monthly_job, load_land_job]


def load_definitions() -> Definitions:
    """The feeds' assets and the load jobs alone (a function: the warehouse's resource reads the
    environment when it is made, which `make warehouse` sets first)."""
    return Definitions(
        assets=FEED_ASSETS,
        asset_checks=freshness_checks,
        jobs=LOAD_JOBS,
        resources={"warehouse": WarehouseResource.from_env()},
        executor=in_process_executor,
    )
