"""The warehouse's single Definitions object: it only gathers what `defs/` declares."""

from dagster import Definitions, in_process_executor, load_assets_from_modules

from orchestration.defs.assets import bilateral, dbt, feeds, land, publishing, reference, report, trade
from orchestration.defs.jobs import (
    bilateral_update_job,
    build_warehouse_job,
    daily_feeds_job,
    land_quarterly_job,
    monthly_feeds_job,
)
from orchestration.defs.loads import LOAD_JOBS
from orchestration.defs.operations import freshness_checks, freshness_sensor, record_run_failures
from orchestration.defs.resources import WarehouseResource, dbt_resource
from orchestration.defs.schedules import (
    daily_feeds_schedule,
    monthly_build_schedule,
    quarterly_land_schedule,
)
from orchestration.defs.sensors import bilateral_files_sensor, landing_folder_sensor

defs = Definitions(
    assets=load_assets_from_modules([reference, trade, feeds, land, bilateral, dbt, publishing, report]),
    jobs=[
        build_warehouse_job,
        monthly_feeds_job,
        daily_feeds_job,
        land_quarterly_job,
        bilateral_update_job,
        *LOAD_JOBS,
    ],
    schedules=[monthly_build_schedule, daily_feeds_schedule, quarterly_land_schedule],
    asset_checks=freshness_checks,
    sensors=[landing_folder_sensor, bilateral_files_sensor, freshness_sensor, record_run_failures],
    resources={"warehouse": WarehouseResource.from_env(), "dbt": dbt_resource()},
    # One process for a whole run: steps share the Great Expectations import (3-4 s) and the
    # warehouse has a single writer anyway.
    executor=in_process_executor,
)
