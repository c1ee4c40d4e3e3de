from dagster import AssetKey, AssetSelection, define_asset_job

from orchestration.defs.partitions import daily_partitions, monthly_partitions

APPEALS_RAW = AssetSelection.assets(
    AssetKey(["raw", "eotinish_appeals"]), AssetKey(["raw", "eotinish_appeal_events"])
)

# The whole warehouse for a window of months: trade loads, validation, every dbt model, the serving
# copy and the docs. Unpartitioned assets are built once per run. (Daily appeal loads have their
# own partitions, so they run in their own jobs.)
build_warehouse_job = define_asset_job(
    "build_warehouse",
    selection=AssetSelection.all() - APPEALS_RAW,
    partitions_def=monthly_partitions,
    description="Load, validate and publish the trade feeds for a window of months, then rebuild "
    "the dbt models, the serving copy and the docs.",
)

# Only the daily appeal loads (the build command runs these, then build_warehouse).
load_appeals_job = define_asset_job(
    "load_appeals",
    selection=APPEALS_RAW,
    partitions_def=daily_partitions,
    description="Load and validate the eOtinish exports of a window of days.",
)

# The daily routine: the day's appeal loads and every model and publication downstream of them.
appeals_daily_job = define_asset_job(
    "appeals_daily",
    selection=APPEALS_RAW.downstream(),
    partitions_def=daily_partitions,
    description="Load the eOtinish exports of a window of days and rebuild the appeals models, "
    "the serving copy and the docs.",
)
