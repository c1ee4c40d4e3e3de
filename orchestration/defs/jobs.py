from dagster import AssetKey, AssetSelection, define_asset_job

from catalog import feeds_of
from orchestration.defs.assets.dbt import dbt_foundation
from orchestration.defs.assets.feeds import raw_key
from orchestration.defs.partitions import daily_partitions, monthly_partitions, quarterly_partitions

# dbt's tests of the loaded tables (sources) are checks of the raw assets, run by dbt_foundation:
# a job of loads leaves them to the dbt build that follows.
DBT_SOURCE_CHECKS = AssetSelection.checks(
    *(key for key in dbt_foundation.check_keys if key.asset_key not in dbt_foundation.keys)
)
# The feeds with daily partitions (eOtinish, the Digital Family Map's proactive-service events) and
# quarterly ones (land monitoring), as declared. (Not `loads.loads_of`, which names the freshness
# checks: tests materialize these selections over lists of assets without them.)
DAILY_RAW = AssetSelection.assets(*map(raw_key, feeds_of("daily"))) - DBT_SOURCE_CHECKS
MONTHLY_RAW = AssetSelection.assets(*map(raw_key, feeds_of("monthly"))) - DBT_SOURCE_CHECKS
LAND_RAW = AssetSelection.assets(*map(raw_key, feeds_of("quarterly"))) - DBT_SOURCE_CHECKS
# Everything but the daily and quarterly loads (which have partitions of their own).
AFTER_DAILY_AND_QUARTERLY_LOADS = AssetSelection.all() - DAILY_RAW - LAND_RAW

# The whole warehouse for a window of months: trade loads, validation, every dbt model, the serving
# copy and the docs. Unpartitioned assets are built once per run. (Daily appeal loads and quarterly
# land loads have their own partitions, so they run in their own jobs.)
build_warehouse_job = define_asset_job(
    "build_warehouse",
    selection=AFTER_DAILY_AND_QUARTERLY_LOADS,
    partitions_def=monthly_partitions,
    description="Load, validate and publish the trade feeds for a window of months, then rebuild "
    "the dbt models, the serving copy and the docs.",
)

# New monthly files (the landing sensor): the month's loads and only what is downstream of them,
# as for the daily files. build_warehouse would also reload every reference table and rebuild and
# test every model of the other feeds (land, appeals, bilateral), which no new month changes.
monthly_feeds_job = define_asset_job(
    "monthly_feeds",
    selection=MONTHLY_RAW.downstream(),
    partitions_def=monthly_partitions,
    description="Load the monthly files (Comtrade, the Digital Family Map's extracts) of a window of "
    "months and rebuild the models downstream, the serving copy and the docs.",
)

# The daily routine: the day's loads and every model and publication downstream of them.
daily_feeds_job = define_asset_job(
    "daily_feeds",
    selection=DAILY_RAW.downstream(),
    partitions_def=daily_partitions,
    description="Load the daily files (eOtinish exports, Digital Family Map proactive-service "
    "events) of a window of days and rebuild the models downstream, the serving copy and the docs.",
)

# The quarterly routine: the quarter's land loads and every model and publication downstream.
land_quarterly_job = define_asset_job(
    "land_quarterly",
    selection=LAND_RAW.downstream(),
    partitions_def=quarterly_partitions,
    description="Load the land and subsoil monitoring files of a window of quarters and rebuild "
    "the land models, the serving copy and the docs.",
)

# A reviewed change to the bilateral events and commitments (data/bilateral/*.yaml): reload them
# and rebuild what depends on them (commitment progress, timeline, serving copy, report).
bilateral_update_job = define_asset_job(
    "bilateral_update",
    selection=AssetSelection.assets(
        AssetKey(["raw", "bilateral_events"]),
        AssetKey(["raw", "bilateral_commitments"]),
        AssetKey(["raw", "bilateral_indicator_values"]),
    ).downstream(),
    description="Reload the reviewed bilateral events, commitments and indicator values and "
    "rebuild the commitment and timeline marts, the serving copy, the docs and the report.",
)
