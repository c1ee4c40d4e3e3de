from dagster import AssetSelection, define_asset_job

from orchestration.defs.partitions import monthly_partitions

# The whole warehouse for a window of months: loads, validation, dbt, serving copy, docs.
# Unpartitioned assets (reference data, marts, publishing) are built once per run.
build_warehouse_job = define_asset_job(
    "build_warehouse",
    selection=AssetSelection.all(),
    partitions_def=monthly_partitions,
    description="Load, validate and publish the trade feeds for a window of months, then "
    "rebuild the dbt models, the serving copy and the docs.",
)
