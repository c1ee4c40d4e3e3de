"""dbt models as Dagster assets, split by materialization (as dagster-open-platform does):

- `dbt_foundation`: seeds, staging views, dimensions and everything else upstream of the
  incremental facts (unpartitioned);
- `dbt_incremental`: the facts incremental by monthly partition window (tag `partition_window`;
  the window is passed to dbt in its environment; a backfill of many months is one dbt
  invocation);
- `dbt_marts`: everything downstream of them (unpartitioned; a mart there may be incremental by
  its own rule, as mart_commodity_mix is by Comtrade slice).

Each step records in the warehouse (ingest.serving.UNFINISHED_MODELS) the models it is about to
build and, when dbt ends, removes those dbt built: what a failed or killed dbt did not build stays
there (everything, if the step's own process died), and the serving copy is not published while
anything does (publishing.serving_copy). dbt writes the models one by one, so a build that stopped
half-way leaves marts of two builds side by side.

dbt's data tests become asset checks of the models they test. Its unit tests (a model's logic on
fixed inputs, not the data) run in the test suite, as dbt advises, not in every build
(tests/test_warehouse_integration.py).
"""

import contextlib
import os
from datetime import timedelta
from typing import Any

import duckdb
from dagster import AssetExecutionContext, AssetKey, AssetMaterialization, BackfillPolicy, Output
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from ingest.serving import forget_unfinished, record_unfinished
from orchestration.defs.partitions import monthly_partitions
from orchestration.defs.project import dbt_project
from orchestration.defs.resources import WRITER_POOL, WarehouseResource, dbt_run_folder

# The models run per Dagster partition window. Not every incremental model: mart_commodity_mix is
# incremental by Comtrade slice (its own rule, no window) and reads a view built on
# fct_trade_flows, so it belongs to dbt_marts.
PARTITION_WINDOW = "tag:partition_window"


class WarehouseTranslator(DagsterDbtTranslator):
    """Asset keys and groups of the dbt nodes, for every node by one rule (no `meta.dagster` in the
    dbt YAML):

    - a source table's key is its source name and table name: `raw/comtrade_records`,
      `ref/country_codes`, the keys of the loaders' assets that write them;
    - a model's, seed's or snapshot's key is its bare node name (`mart_trade_target_progress`,
      `hs_chapters`): the schema is not part of it (dagster-dbt's default would prefix a configured
      schema), so moving a model to another schema does not rename its asset.

    Groups: seeds apart, models by their folder (staging, intermediate, marts).
    """

    def get_asset_key(self, dbt_resource_props: dict[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey(dbt_resource_props["name"])

    def get_group_name(self, dbt_resource_props: dict[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        tests_a_source = any(
            node.startswith("source.") for node in manifest["nodes"][unique_id]["depends_on"]["nodes"]
        )
        # A test of a loaded table runs in the dbt build that reads it, and dbt itself skips the
        # models downstream of a failing test. As a blocking Dagster check it would cut that build
        # into separate steps (models not reading the source, the tests, the rest).
        return spec._replace(blocking=False) if spec and tests_a_source else spec


# dbt tests on sources become checks of the raw assets they test (the loaders' tables), not
# observations that no check view shows.
TRANSLATOR = WarehouseTranslator(DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True))


# The unit tests check no data: in `make warehouse` they were 11.5 of the 49 s dbt itself took
# (run_results of a fresh clone, 2026-12-03). No manifest.json, run_results.json or
# graph.gpickle (--no-write-json): nothing reads them (each node's outcome is a Dagster event),
# and writing the manifest twice and the results was ~0.7 s of every command.
BUILD = ["build", "--exclude-resource-type", "unit_test", "--no-write-json"]


def _stream(
    dbt: DbtCliResource, warehouse: WarehouseResource, context: AssetExecutionContext, args: list[str]
):
    step = context.op_execution_context.op.name
    name = f"{step}-{context.run.run_id[:8]}"
    # A model's asset key is its bare node name (WarehouseTranslator).
    models = sorted(key.path[-1] for key in context.selected_asset_keys)
    # In the DuckDB warehouse whatever engine builds (the serving copy reads it there); closed
    # before dbt starts: DuckDB allows one writing process, and dbt is one.
    with warehouse.connect() as con:
        record_unfinished(con, models, context.run.run_id, step)
    built: set[str] = set()
    try:
        with dbt_run_folder(warehouse.paths, name) as folder:
            for event in dbt.cli(args, context=context, target_path=folder).stream():
                if isinstance(event, Output):
                    built.add(context.asset_key_for_output(event.output_name).path[-1])
                elif isinstance(event, AssetMaterialization):
                    built.add(event.asset_key.path[-1])
                yield event
    except BaseException:
        # What dbt built before it failed is finished; dbt's error is the step's, not this one's
        # (left recorded, the models only wait for the next build).
        try:
            record_built(warehouse, built)
        except duckdb.Error as error:
            context.log.warning(f"the models dbt built are still recorded as unfinished: {error}")
        raise
    record_built(warehouse, built)


def record_built(warehouse: WarehouseResource, models: set[str]) -> None:
    if models:
        with warehouse.connect() as con:
            forget_unfinished(con, models)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    exclude=f"{PARTITION_WINDOW}+",
    dagster_dbt_translator=TRANSLATOR,
    pool=WRITER_POOL,
    name="dbt_foundation",
)
def dbt_foundation(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    yield from _stream(dbt, warehouse, context, BUILD)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    select=PARTITION_WINDOW,
    partitions_def=monthly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    dagster_dbt_translator=TRANSLATOR,
    pool=WRITER_POOL,
    name="dbt_incremental",
)
def dbt_incremental(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    window = context.partition_time_window
    last_month = window.end - timedelta(days=1)
    # The window goes to dbt in its environment (macros/partition_window.sql), not as --vars:
    # other vars than the last parse's make dbt re-parse the whole project (~10 s).
    with _environment(
        DBT_MIN_PERIOD=window.start.strftime("%Y%m"), DBT_MAX_PERIOD=last_month.strftime("%Y%m")
    ):
        yield from _stream(dbt, warehouse, context, BUILD)


@contextlib.contextmanager
def _environment(**variables: str):
    """Set environment variables for the dbt process this step starts (dagster-dbt passes the
    step's environment on); restore them afterwards."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dbt_assets(
    manifest=dbt_project.manifest_path,
    select=f"{PARTITION_WINDOW}+",
    exclude=PARTITION_WINDOW,
    dagster_dbt_translator=TRANSLATOR,
    pool=WRITER_POOL,
    name="dbt_marts",
)
def dbt_marts(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    yield from _stream(dbt, warehouse, context, BUILD)
