"""The warehouse's single Definitions object: it only gathers what `defs/` declares."""

from dagster import Definitions, in_process_executor, load_assets_from_modules

from orchestration.defs.assets import dbt, publishing, trade
from orchestration.defs.jobs import build_warehouse_job
from orchestration.defs.resources import WarehouseResource, dbt_resource
from orchestration.defs.schedules import monthly_build_schedule
from orchestration.defs.sensors import landing_folder_sensor

defs = Definitions(
    assets=load_assets_from_modules([trade, dbt, publishing]),
    jobs=[build_warehouse_job],
    schedules=[monthly_build_schedule],
    sensors=[landing_folder_sensor],
    resources={"warehouse": WarehouseResource.from_env(), "dbt": dbt_resource()},
    # One process for a whole run: steps share the Great Expectations import (3-4 s) and the
    # warehouse has a single writer anyway.
    executor=in_process_executor,
)
