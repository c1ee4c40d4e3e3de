"""Publishing: the read-only serving copy for analysts and dbt's documentation site."""

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
from dagster import AssetExecutionContext, Failure, MaterializeResult, MetadataValue, asset
from dagster_dbt import DbtCliResource

from ingest.duck import column_types
from ingest.serving import TableDocs, publish_serving_copy, unfinished_models
from ingest.settings import warehouse_engine
from orchestration.defs.assets.dbt import dbt_foundation, dbt_incremental, dbt_marts
from orchestration.defs.project import dbt_project
from orchestration.defs.resources import TRANSIENT_RETRY, WRITER_POOL, WarehouseResource, dbt_run_folder
from report.summary import target_progress_markdown

DBT_ASSET_KEYS = sorted(
    {key for assets in (dbt_foundation, dbt_incremental, dbt_marts) for key in assets.keys},
    key=lambda key: key.to_user_string(),
)

DBT_MODEL_NAMES = {key.path[-1] for key in DBT_ASSET_KEYS}


@asset(
    deps=DBT_ASSET_KEYS,
    group_name="publishing",
    kinds={"duckdb", "parquet"},
    pool=WRITER_POOL,
    retry_policy=TRANSIENT_RETRY,
    description="Marts, dimensions and facts copied to a separate DuckDB file and Parquet that "
    "analysts open read-only while runs write the warehouse. Replaced atomically (Parquet: a "
    "folder per build behind the `current` link).",
)
def serving_copy(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    paths = warehouse.paths
    # When Spark built the models (WAREHOUSE_ENGINE=spark), the marts are the Parquet tables it
    # wrote, not the warehouse's: the serving copy (and so the report) is made from those.
    spark = warehouse_engine() == "spark"
    # The descriptions are a courtesy: a manifest missing or half written (a `dbt parse` writing it
    # at this moment) must not keep analysts from the new copy.
    try:
        docs = model_docs(dbt_project.manifest_path)
    except (OSError, ValueError, KeyError) as error:
        context.log.warning(f"serving copy published without descriptions: dbt's manifest: {error}")
        docs = None
    with warehouse.connect() as con:
        refuse_unfinished_models(con)
        copy = publish_serving_copy(
            con,
            paths.serving_db,
            paths.serving_parquet,
            spark_tables=paths.spark_tables if spark else None,
            docs=docs,
        )
        if not spark:
            progress = target_progress_markdown(con)
    if spark:
        with duckdb.connect(str(paths.serving_db), read_only=True) as serving:
            progress = target_progress_markdown(serving)
    metadata = {
        "serving_database": MetadataValue.path(str(copy.database)),
        "parquet_folder": MetadataValue.path(str(copy.parquet_dir)),
        "parquet_build": MetadataValue.path(str(copy.build_dir)),
        "tables": MetadataValue.json(copy.tables),
        "dagster/row_count": sum(copy.tables.values()),
        "tables_with_dbt_docs": len(set(docs or ()) & {name.split(".", 1)[1] for name in copy.tables}),
    }
    if copy.removed_leftovers:
        context.log.info(
            f"removed {len(copy.removed_leftovers)} leftover(s) of interrupted publishes: "
            + ", ".join(p.name for p in copy.removed_leftovers)
        )
    if progress:
        metadata["target_progress"] = MetadataValue.md(progress)
    return MaterializeResult(metadata=metadata)


# How many unfinished models a refusal names.
NAMED_MODELS = 5


def refuse_unfinished_models(con: duckdb.DuckDBPyConnection) -> None:
    """Fail, publishing nothing, while a dbt step's models are unfinished (ingest.serving.UNFINISHED_MODELS):
    dbt writes the models one by one, and a serving copy made then (by the next run of any job)
    would give analysts marts of two builds. Deliberately a failure (no retry: only a new build
    mends it), which the operators see; the last serving copy stays as it was."""
    # (a model since removed from the project is never built again: it holds nothing back)
    unfinished = [(model, run_id) for model, run_id in unfinished_models(con) if model in DBT_MODEL_NAMES]
    if not unfinished:
        return
    models = [model for model, _ in unfinished]
    runs = list(dict.fromkeys(run_id for _, run_id in unfinished))
    named = ", ".join(models[:NAMED_MODELS])
    if len(models) > NAMED_MODELS:
        named += f" and {len(models) - NAMED_MODELS} more"
    raise Failure(
        description=f"serving copy not published: {len(models)} dbt model(s) left unfinished by "
        f"run(s) {', '.join(runs)}: {named}. The last serving copy stays as it was. Re-run the failed "
        "run (or materialize these models) to publish again.",
        allow_retries=False,
    )


def model_docs(manifest_path: Path) -> dict[str, TableDocs]:
    """dbt's descriptions of its models and seeds (their YAML), by the name of the table each
    builds: the serving copy carries them as comments. dbt does not write them into the warehouse
    (persist_docs), a file analysts do not open: column by column, that cost 1.4-2.9 s of
    dbt_foundation and 0.2-0.5 s of dbt_marts; the comments here cost ~0.6 s."""
    manifest = json.loads(manifest_path.read_bytes())
    return {
        node.get("alias") or node["name"]: TableDocs(
            node.get("description") or "",
            {column["name"]: column.get("description") or "" for column in node.get("columns", {}).values()},
        )
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed")
    }


@asset(
    deps=DBT_ASSET_KEYS,
    group_name="publishing",
    kinds={"dbt", "html"},
    pool=WRITER_POOL,
    retry_policy=TRANSIENT_RETRY,
    description="dbt's documentation site (every model, column and its lineage) as one static "
    "HTML page next to the warehouse.",
)
def dbt_docs_site(dbt: DbtCliResource, warehouse: WarehouseResource) -> MaterializeResult:
    target = warehouse.paths.root / "dbt_docs"
    target.mkdir(parents=True, exist_ok=True)
    # The page documents models and columns, which change with the project and the tables'
    # columns: while both are those the page was made from, the page stands (~5 s a build).
    manifest = dbt_project.manifest_path.read_bytes()
    with warehouse.connect() as con:
        columns = column_types(con)
    stamp = target / "docs.sha256"
    fingerprint = docs_fingerprint(manifest, columns)
    page = target / "static_index.html"
    if (
        page.exists()
        and (target / "index.html").exists()
        and stamp.exists()
        and stamp.read_text() == fingerprint
    ):
        return MaterializeResult(metadata={"docs": MetadataValue.path(str(page)), "regenerated": False})
    # The models were compiled and run by the dbt assets: reuse the parsed manifest instead of
    # compiling everything again (halves this step); only the catalog is read from the warehouse.
    (target / "manifest.json").write_bytes(manifest)
    with dbt_run_folder(warehouse.paths, "docs", folder=target):
        dbt.cli(["docs", "generate", "--static", "--no-compile"], target_path=target).wait()
    shutil.copyfile(page, target / "index.html")
    stamp.write_text(fingerprint)
    return MaterializeResult(metadata={"docs": MetadataValue.path(str(page)), "regenerated": True})


# What a manifest's metadata holds about one parse (when, which invocation), not about the project.
PARSE_METADATA = ("generated_at", "invocation_id", "invocation_started_at", "run_started_at")


def docs_fingerprint(manifest: bytes, columns: list[tuple]) -> str:
    """What the documentation page is made from: the manifest, less what changes at every parse
    (the parse's time and id, and when each node, macro, source... was read: its `created_at`),
    and the warehouse's columns and their types (the page's catalog). A digest of the manifest's
    bytes changed at every build, and the page was made again each time (~5 s)."""
    parsed = json.loads(manifest)
    for key in PARSE_METADATA:
        parsed.get("metadata", {}).pop(key, None)
    for resources in parsed.values():  # nodes, macros, sources..., and lists of them in `disabled`
        if not isinstance(resources, dict):
            continue
        for resource in resources.values():
            for entry in resource if isinstance(resource, list) else [resource]:
                if isinstance(entry, dict):
                    entry.pop("created_at", None)
    content = json.dumps([parsed, columns], sort_keys=True, default=str)
    return hashlib.sha256(content.encode()).hexdigest()
