"""Run an expectation suite over a pandas frame and turn failures into load issues that name the
file, row and column (the frames carry `_source_file` and `_source_row`).

`great_expectations` is imported on first use only: the import costs 3-4 s, so a run validating
many partitions pays it once."""

import itertools
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from ingest.loads import LoadIssue

INDEX_COLUMNS = ["_source_file", "_source_row"]
_run_numbers = itertools.count(1)
SAMPLE_VALUES = 10
_RUN_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class ExpectationSpec:
    """A GX expectation by class name and keyword arguments, kept as plain data so suites can be
    listed, tested and snapshotted without importing GX."""

    type: str
    kwargs: dict[str, Any]

    @property
    def column(self) -> str | None:
        column = self.kwargs.get("column")
        if column is None and "column_list" in self.kwargs:
            column = ",".join(self.kwargs["column_list"])
        return column


@cache
def _context(data_docs_dir: str):
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(
        site_name="warehouse",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": data_docs_dir,
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return context


def _docs_dir() -> str:
    from ingest.settings import WarehousePaths

    return str(WarehousePaths.from_env().data_docs)


def validate_frame(
    suite_name: str, specs: list[ExpectationSpec], frame: pd.DataFrame, batch_name: str
) -> tuple[bool, dict, list[LoadIssue]]:
    """Validate `frame` against the suite; return (passed, summary for the UI, issues)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    context = _context(_docs_dir())
    # Data Docs file their pages by these names and read the names back from the file names, which
    # they split at the first dot: a page named with a dot (a window of partitions, "2024-01-01..
    # 2024-01-11") is taken for a stale one and deleted by the very build that wrote it.
    run_name = f"{suite_name}__{_RUN_NAME_UNSAFE.sub('_', batch_name)}__{next(_run_numbers)}"
    source_name = f"{run_name}__source"
    source = context.data_sources.add_pandas(source_name)
    asset = source.add_dataframe_asset(run_name)
    batch = asset.add_batch_definition_whole_dataframe("whole")
    suite = gx.ExpectationSuite(
        name=run_name,
        expectations=[getattr(gxe, spec.type)(**spec.kwargs) for spec in specs],
    )
    suite = context.suites.add(suite)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=suite)
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=suite.name,
            validation_definitions=[definition],
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": INDEX_COLUMNS,
                "partial_unexpected_count": SAMPLE_VALUES,
            },
        )
    )
    try:
        result = checkpoint.run(batch_parameters={"dataframe": frame})
    finally:
        # The data source's execution engine keeps every frame it validated: drop it, or a long
        # load holds all of its batches in memory.
        context.data_sources.delete(source_name)
    (validation,) = result.run_results.values()
    return validation.success, _summary(validation, specs), _issues(validation, frame)


def _summary(validation, specs: list[ExpectationSpec]) -> dict:
    failed = []
    for item in validation.results:
        if item.success:
            continue
        config = item.expectation_config
        result = item.result or {}
        failed.append({
            "expectation": config.type,
            "column": config.kwargs.get("column") or config.kwargs.get("column_list"),
            "unexpected_count": result.get("unexpected_count"),
            "unexpected_percent": result.get("unexpected_percent"),
            "sample_values": [str(v) for v in (result.get("partial_unexpected_list") or [])][
                :SAMPLE_VALUES
            ],
            "observed_value": str(result.get("observed_value"))
            if "observed_value" in result
            else None,
        })
    return {
        "success": bool(validation.success),
        "evaluated_expectations": len(specs),
        "failed_expectations": failed,
    }


def _issues(validation, frame: pd.DataFrame) -> list[LoadIssue]:
    issues: list[LoadIssue] = []
    files = sorted(frame["_source_file"].dropna().unique()) if "_source_file" in frame else []
    for item in validation.results:
        if item.success:
            continue
        config = item.expectation_config
        column = config.kwargs.get("column")
        if column is None and config.kwargs.get("column_list"):
            column = ",".join(config.kwargs["column_list"])
        result = item.result or {}
        indexed = result.get("unexpected_index_list") or []
        message = f"failed {config.type}"
        # Every failing row: each is quarantined, and the partition it belongs to is rejected.
        for entry in indexed:
            value = {k: v for k, v in entry.items() if k not in INDEX_COLUMNS}
            shown = next(iter(value.values())) if len(value) == 1 else value
            issues.append(LoadIssue(
                file=str(entry.get("_source_file")),
                row=int(entry["_source_row"]) if entry.get("_source_row") is not None else None,
                column=column,
                check=config.type,
                message=message,
                value=None if shown is None else str(shown),
            ))
        if not indexed:  # a table-level expectation (row count, columns present...)
            observed = result.get("observed_value")
            issues.append(LoadIssue(
                file=", ".join(files) or "(no rows)",
                row=None,
                column=column,
                check=config.type,
                message=f"{message} (observed {observed!r})",
            ))
    return issues


def build_data_docs() -> Path | None:
    """Render the validation results of this process as Great Expectations Data Docs (HTML)."""
    docs_dir = _docs_dir()
    if not _context.cache_info().currsize:
        return None
    context = _context(docs_dir)
    os.makedirs(docs_dir, exist_ok=True)
    context.build_data_docs(site_names=["warehouse"])
    return Path(docs_dir) / "index.html"
