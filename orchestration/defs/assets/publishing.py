"""Publishing: the read-only serving copy for analysts and dbt's documentation site."""

import shutil

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset
from dagster_dbt import DbtCliResource

from ingest.serving import publish_serving_copy
from orchestration.defs.assets.dbt import dbt_foundation, dbt_incremental, dbt_marts
from orchestration.defs.resources import WRITER_POOL, WarehouseResource

DBT_ASSET_KEYS = sorted(
    {key for assets in (dbt_foundation, dbt_incremental, dbt_marts) for key in assets.keys},
    key=lambda key: key.to_user_string(),
)
TARGET_PROGRESS = AssetKey("mart_trade_target_progress")


@asset(
    deps=DBT_ASSET_KEYS,
    group_name="publishing",
    kinds={"duckdb", "parquet"},
    pool=WRITER_POOL,
    description="Marts, dimensions and facts copied to a separate DuckDB file and Parquet that "
    "analysts open read-only while runs write the warehouse. Replaced atomically.",
)
def serving_copy(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    paths = warehouse.paths
    with warehouse.connect() as con:
        copy = publish_serving_copy(con, paths.serving_db, paths.serving_parquet)
        progress = _target_progress(con)
    metadata = {
        "serving_database": MetadataValue.path(str(copy.database)),
        "parquet_folder": MetadataValue.path(str(copy.parquet_dir)),
        "tables": MetadataValue.json(copy.tables),
        "dagster/row_count": sum(copy.tables.values()),
    }
    if progress:
        metadata["target_progress"] = MetadataValue.md(progress)
    return MaterializeResult(metadata=metadata)


def _target_progress(con) -> str | None:
    """The current progress toward each bilateral target, as a small table for the UI."""
    try:
        frame = con.execute("select * from marts.mart_trade_target_progress").df()
    except Exception:  # the mart is optional for the serving copy itself
        return None
    return frame.to_markdown(index=False) if hasattr(frame, "to_markdown") else frame.to_string()


@asset(
    deps=DBT_ASSET_KEYS,
    group_name="publishing",
    kinds={"dbt", "html"},
    pool=WRITER_POOL,
    description="dbt's documentation site (every model, column and its lineage) as one static "
    "HTML page next to the warehouse.",
)
def dbt_docs_site(dbt: DbtCliResource, warehouse: WarehouseResource) -> MaterializeResult:
    target = warehouse.paths.root / "dbt_docs"
    invocation = dbt.cli(["docs", "generate", "--static", "--target-path", str(target)])
    invocation.wait()
    page = target / "static_index.html"
    shutil.copyfile(page, target / "index.html")
    return MaterializeResult(metadata={"docs": MetadataValue.path(str(page))})



