"""Run an expectation suite and turn failures into load issues that name the file, row and column
(the rows carry `_source_file` and `_source_row`).

`validate_query` runs it inside DuckDB, with GX's SQL execution engine over a query of the staged
rows on the loading connection (expectations/gx_duckdb.py): no row leaves DuckDB except the
failing ones GX reports. `validate_frame` runs it over a pandas frame, for the small reference
files that are read into frames anyway.

`great_expectations` is imported on first use only, without SciPy's statistics
(expectations/gx_imports.py): the import costs ~2 s, so a run validating many partitions pays it
once."""

import contextlib
import datetime
import itertools
import os
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from ingest.duck import sql_string
from ingest.loads import LoadIssue

INDEX_COLUMNS = ["_source_file", "_source_row"]
_run_numbers = itertools.count(1)
SAMPLE_VALUES = 10
MAX_ROWS_LISTED = 10_000_000
# GX's result formats of a run (_validate): QUICK, whether each expectation holds; FULL, for a
# batch that fails, every failing row by its index columns.
QUICK = {"result_format": "BOOLEAN_ONLY"}
FULL = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": INDEX_COLUMNS,
    # GX's SQL engine lists at most this many failing rows (their index columns) per expectation,
    # even in COMPLETE: more than a batch holds, so every one is listed.
    "partial_unexpected_count": MAX_ROWS_LISTED,
}
RESULTS_SUBDIR = "data_docs_results"  # next to the Data Docs folder: the GX validation results
# The results folder keeps the latest this many validations; older results move to
# `RESULTS_SUBDIR`_archive (_archive_old_results). GX lists every key of the folder, and of the
# site's pages, several times to build the index, which each load step does (1,000 results
# stored: 0.28 s; 5,000: 1.1 s): without the limit that grew with the warehouse's whole history.
# The index build that follows removes the page of a result no longer in the folder (GX's index
# builder; build_data_docs its emptied folders): Data Docs show the latest validations; the
# archive keeps every result (GX's JSON, from which a page can be made).
DATA_DOCS_INDEX_LIMIT = 1_000
STALE_FOLDER_SECONDS = 3_600  # an empty suite folder older than this is removed with its results
_new_results: list = []  # this process's validation results not yet rendered as Data Docs pages


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


def unexpected_rows(
    query: str, *, column: str | None = None, message: str | None = None, check: str | None = None
) -> ExpectationSpec:
    """An expectation that `query` (SQL over `{batch}`, the validated rows) returns no row. It
    selects `_source_file`, `_source_row` and the value(s) to show; a failure is reported against
    `column`, with `message`, under the name `check`."""
    meta = {k: v for k, v in {"column": column, "message": message, "check": check}.items() if v}
    return ExpectationSpec(
        "UnexpectedRowsExpectation", {"unexpected_rows_query": " ".join(query.split()), "meta": meta}
    )


def in_long_list(column: str, values: list[int] | list[str]) -> ExpectationSpec:
    """ExpectColumnValuesToBeInSet as SQL, for a list too long for GX's form: GX's SQL engine tests
    a set in a CASE expression per row and metric (over 500k rows, 0.3 s per query for the 261
    country codes, and about eight queries per expectation), while DuckDB answers `not in` a
    subquery with one hash join. Reported under the same check name as GX's."""
    listed = ", ".join(sql_string(v) if isinstance(v, str) else str(int(v)) for v in values)
    name = _quote(column)
    return unexpected_rows(
        f"""select _source_file, _source_row, {name} from {{batch}}
        where {name} is not null and {name} not in (select unnest([{listed}]))""",
        column=column,
        check="expect_column_values_to_be_in_set",
        message="failed expect_column_values_to_be_in_set",
    )


def compound_unique(columns: list[str]) -> ExpectationSpec:
    """ExpectCompoundColumnsToBeUnique as SQL: GX's SQL engine does not list the failing rows of
    that one (no unexpected_index_list), so every copy of a repeated key is found by a window
    count. Rows whose key columns are all missing are ignored, as GX does."""
    keys = ", ".join(_quote(c) for c in columns)
    all_missing = " and ".join(f"{_quote(c)} is null" for c in columns)
    return unexpected_rows(
        f"""select _source_file, _source_row, {keys} from (
            select *, count(*) over (partition by {keys}) as _copies from {{batch}}
            where not ({all_missing})
        ) where _copies > 1""",
        column=",".join(columns),
        check="expect_compound_columns_to_be_unique",
        message="failed expect_compound_columns_to_be_unique",
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@cache
def _context(data_docs_dir: str):
    """An ephemeral context whose validation results are kept on disk, in `RESULTS_SUBDIR` next to
    the Data Docs: every process of a build (each Dagster step is one) adds its own, and the index
    it writes lists them all (the latest DATA_DOCS_INDEX_LIMIT), not only its own. Suites and
    validation definitions stay in memory."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults())
    config.stores[config.validation_results_store_name] = {
        "class_name": "ValidationResultsStore",
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(Path(data_docs_dir).parent / RESULTS_SUBDIR),
        },
    }
    context = gx.get_context(project_config=config, mode="ephemeral")
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

    def add_source(context, source_name: str, run_name: str):
        source = context.data_sources.add_pandas(source_name)
        batch = source.add_dataframe_asset(run_name).add_batch_definition_whole_dataframe("whole")
        return source, batch, {"dataframe": frame}

    _require_index_columns(list(frame.columns), batch_name)
    files = sorted(frame["_source_file"].dropna().unique())
    return _validate(suite_name, specs, batch_name, add_source, lambda: files, None)


def _require_index_columns(columns: list[str], batch_name: str) -> None:
    """A batch without the columns that name a row would pass its first run (BOOLEAN_ONLY asks no
    row), and fail only when a row fails, unable to name it: refused at once."""
    missing = [name for name in INDEX_COLUMNS if name not in columns]
    if missing:
        raise ValueError(f"batch {batch_name}: its rows need the columns {missing} to name a failing row")


def validate_query(
    suite_name: str, specs: list[ExpectationSpec], con, query: str, batch_name: str
) -> tuple[bool, dict, list[LoadIssue]]:
    """Validate the rows of `query` (SQL over the DuckDB connection `con`, temp tables included)
    with GX's SQL execution engine, inside DuckDB; return (passed, summary for the UI, issues).
    Expectations of type UnexpectedRowsExpectation name their rows with `{batch}`."""
    from expectations import gx_duckdb

    _require_index_columns(
        [d[0] for d in con.execute(f"select * from ({query}) limit 0").description], batch_name
    )
    gx_duckdb.enable()

    def add_source(context, source_name: str, run_name: str):
        source = context.data_sources.add_sql(
            source_name,
            connection_string=gx_duckdb.CONNECTION_STRING,
            kwargs={"creator": gx_duckdb.shared_connection(con)},
        )
        batch = source.add_query_asset(run_name, query=query).add_batch_definition_whole_table("whole")
        return source, batch, None

    def files() -> list[str]:
        rows = con.execute(
            f"select distinct _source_file from ({query}) where _source_file is not null order by 1"
        ).fetchall()
        return [file for (file,) in rows]

    def unexpected_rows(row_query: str) -> list[dict]:
        """Every row of an UnexpectedRowsExpectation's query (GX returns at most 200)."""
        result = con.execute(row_query.replace("{batch}", f"({query})"))
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    return _validate(
        suite_name, specs, batch_name, add_source, files, unexpected_rows, release=gx_duckdb.release
    )


def _validate(suite_name, specs, batch_name, add_source, files, unexpected_rows, release=None):
    from expectations.gx_imports import import_great_expectations

    gx = import_great_expectations()
    import great_expectations.expectations as gxe
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    context = _context(_docs_dir())
    run_name = _run_name(suite_name, batch_name)
    source_name = f"{run_name}__source"
    source, batch, batch_parameters = add_source(context, source_name, run_name)
    suite = gx.ExpectationSuite(
        name=run_name,
        expectations=[getattr(gxe, spec.type)(**spec.kwargs) for spec in specs],
    )
    suite = context.suites.add(suite)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=suite)
    )
    # The definition is run as it is, as GX documents it, not through a Checkpoint: a checkpoint
    # adds actions (there are none here) and its own bookkeeping (~20 ms a load).
    run_id = RunIdentifier(run_time=datetime.datetime.now(datetime.UTC))
    try:
        # First only whether each expectation holds (BOOLEAN_ONLY: for the 30 expectations of a
        # Comtrade batch GX's SQL engine runs 17 queries, against 73 that also fetch the failing
        # rows and values): a batch that passes, nearly every one, is done. One that fails is run
        # again in full, under the same run id, so that its stored result (what Data Docs show)
        # and the issues list every failing row.
        validation = definition.run(batch_parameters=batch_parameters, run_id=run_id, result_format=QUICK)
        if not validation.success:
            validation = definition.run(batch_parameters=batch_parameters, run_id=run_id, result_format=FULL)
    finally:
        if release:
            release(source)
        # The data source's execution engine keeps every frame it validated: drop it, or a long
        # load holds all of its batches in memory.
        context.data_sources.delete(source_name)
    # The key GX stored the result under (ValidationDefinition.run), which Data Docs render.
    key = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite.name),
        run_id=run_id,
        batch_identifier=validation.batch_id,
    )
    _new_results.append(key)
    return validation.success, _summary(validation, specs), _issues(validation, files, unexpected_rows)


def _run_name(suite_name: str, batch_name: str) -> str:
    """The suite's name for one run (GX names a suite per run here). GX files Data Docs pages
    under a folder per dot-separated part of a suite name, and writes no page for a name with
    an empty part: a range of partitions ("2024-01-01..2024-03-30") reads "..._to_..."."""
    name = f"{suite_name}__{batch_name}__{next(_run_numbers)}"
    return name.replace("..", "_to_").replace(".", "_")


def _summary(validation, specs: list[ExpectationSpec]) -> dict:
    failed = []
    for item in validation.results:
        if item.success:
            continue
        config = item.expectation_config
        result = item.result or {}
        failed.append(
            {
                "expectation": config.type,
                "column": (config.meta or {}).get("column")
                or config.kwargs.get("column")
                or config.kwargs.get("column_list"),
                "unexpected_count": result.get("unexpected_count"),
                "unexpected_percent": result.get("unexpected_percent"),
                "sample_values": [str(v) for v in (result.get("partial_unexpected_list") or [])][
                    :SAMPLE_VALUES
                ],
                "observed_value": str(result.get("observed_value")) if "observed_value" in result else None,
            }
        )
    return {
        "success": bool(validation.success),
        "evaluated_expectations": len(specs),
        "failed_expectations": failed,
    }


def _issues(validation, files, unexpected_rows) -> list[LoadIssue]:
    """One issue per failing row (each is quarantined, and the partition it belongs to is
    rejected), or one for the batch when an expectation is about the whole table. An
    expectation's `meta` may name the column a failure is reported against (`column`) and say
    what is wrong (`message`)."""
    issues: list[LoadIssue] = []
    for item in validation.results:
        if item.success:
            continue
        config = item.expectation_config
        meta = config.meta or {}
        column = meta.get("column") or config.kwargs.get("column")
        if column is None and config.kwargs.get("column_list"):
            column = ",".join(config.kwargs["column_list"])
        result = item.result or {}
        message = meta.get("message") or f"failed {config.type}"
        if config.type == "unexpected_rows_expectation":
            indexed = _unexpected_rows(config, result, unexpected_rows)
        else:
            indexed = result.get("unexpected_index_list") or []
        for entry in indexed:
            value = {k: v for k, v in entry.items() if k not in INDEX_COLUMNS}
            shown = next(iter(value.values())) if len(value) == 1 else value
            issues.append(
                LoadIssue(
                    file=str(entry.get("_source_file")),
                    row=int(entry["_source_row"]) if entry.get("_source_row") is not None else None,
                    column=column,
                    check=meta.get("check") or config.type,
                    message=message,
                    value=None if shown is None or shown == {} else str(shown),
                )
            )
        if not indexed:  # a table-level expectation (row count, columns present...)
            observed = result.get("observed_value")
            if item.exception_info and item.exception_info.get("raised_exception"):
                observed = item.exception_info.get("exception_message")
            issues.append(
                LoadIssue(
                    file=", ".join(files()) or "(no rows)",
                    row=None,
                    column=column,
                    check=meta.get("check") or config.type,
                    message=f"{message} (observed {observed!r})",
                )
            )
    return issues


def _unexpected_rows(config, result: dict, unexpected_rows) -> list[dict]:
    """The failing rows of an UnexpectedRowsExpectation (their index columns, and the columns its
    query selects to show as the value): GX's own list, or, when GX cut it short (it returns at
    most 200 rows), the query run again."""
    rows = (result.get("details") or {}).get("unexpected_rows") or []
    count = result.get("observed_value") or 0
    if len(rows) < count and unexpected_rows is not None:
        rows = unexpected_rows(config.kwargs["unexpected_rows_query"])
    return [row for row in rows if "_source_row" in row]


def _archive_old_results(results: Path, keep: int) -> list[Path]:
    """Move all but the latest `keep` validation results (by their run's time, the folder GX files
    each under: <suite>/__none__/<run time>/<batch>.json) to the archive folder beside, under the
    same relative paths; return those paths. Several processes may build at once: os.walk skips a
    folder another one removed meanwhile, and a result moved by another is left to it (GX, too,
    skips a result it listed and cannot find)."""
    files = [
        Path(folder) / name
        for folder, _, names in os.walk(results)
        for name in names
        if name.endswith(".json") and len((Path(folder) / name).relative_to(results).parts) == 4
    ]
    files.sort(key=lambda path: (path.parent.name, str(path)))
    archive = results.with_name(results.name + "_archive")
    moved = []
    for path in files[: max(len(files) - keep, 0)]:
        relative = path.relative_to(results)
        (archive / relative).parent.mkdir(parents=True, exist_ok=True)
        try:
            path.replace(archive / relative)
        except FileNotFoundError:  # moved by another process meanwhile
            continue
        moved.append(relative)
        _remove_empty_folders(path.parent, results)
    return moved


def _remove_empty_folders(folder: Path, top: Path) -> None:
    """Remove `folder` once empty (a run's, which nothing writes into again), then its parents
    below `top` that are empty and untouched for STALE_FOLDER_SECONDS: another process may be about
    to write into a suite's folder it has just made (GX makes the folders, then the file)."""
    with contextlib.suppress(OSError):
        folder.rmdir()
    for parent in folder.parents:
        if parent == top or top not in parent.parents:
            return
        try:
            if time.time() - parent.stat().st_mtime < STALE_FOLDER_SECONDS:
                return
            parent.rmdir()
        except OSError:  # not empty, or removed by another process
            return


def build_data_docs() -> Path | None:
    """Render the validation results of this process as Great Expectations Data Docs (HTML), and
    the index of every validation in the results folder, readable without the internet (see
    expectations/data_docs_offline.py)."""
    import warnings

    from expectations import gx_template_cache
    from expectations.data_docs_offline import make_offline

    docs_dir = _docs_dir()
    if not _context.cache_info().currsize:
        return None
    try:
        archived = _archive_old_results(Path(docs_dir).parent / RESULTS_SUBDIR, DATA_DOCS_INDEX_LIMIT)
    except OSError as error:  # housekeeping: the next build catches up
        warnings.warn(f"old validation results not archived: {error}", stacklevel=2)
        archived = []
    gx_template_cache.enable()  # each template compiled once per process, not once per build
    context = _context(docs_dir)
    os.makedirs(docs_dir, exist_ok=True)
    # Only this process's new results (and their suites) are rendered: the earlier ones' pages
    # are on disk already. (No identifiers at all would render every result in the folder.)
    new = list(_new_results)
    if new or not (Path(docs_dir) / "index.html").exists():
        # The pages this build writes are those modified since this mark, by the file system's
        # own clock (Python's may run ahead of a file system that keeps coarser times). A mark
        # left by a build that failed stays: its pages are made offline by the next one.
        mark = Path(docs_dir) / ".building"
        if not mark.exists():
            mark.touch()
        started = mark.stat().st_mtime_ns
        suites = [key.expectation_suite_identifier for key in new]
        context.build_data_docs(site_names=["warehouse"], resource_identifiers=new + suites)
        del _new_results[: len(new)]
        # GX's index builder removed the archived results' pages, not their folders.
        for relative in archived:
            _remove_empty_folders(Path(docs_dir) / "validations" / relative.parent, Path(docs_dir))
        remaining = make_offline(Path(docs_dir), since_ns=started)
        mark.unlink(missing_ok=True)
        if remaining:
            warnings.warn(f"Data Docs still load files from the internet: {remaining}", stacklevel=2)
    return Path(docs_dir) / "index.html"
