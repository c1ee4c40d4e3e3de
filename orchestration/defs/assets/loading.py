"""What every load asset does with its load report: a blocking asset check from the Great
Expectations results, materialization metadata, and a failed step naming file, row and column
when a partition was rejected (its bad rows are in quarantine, its published data is intact)."""

from dagster import AssetCheckResult, AssetCheckSeverity, Failure, MaterializeResult, MetadataValue

from expectations.runner import build_data_docs
from ingest.loads import UNASSIGNED, LoadError, LoadReport, table_row_count


def report_load(context, report: LoadReport, check_name: str, con, extra_metadata=None):
    """Turn a load report into the asset check result and the materialization metadata; `con` is
    the load's own connection to the warehouse (a connection opened and closed again for the row
    count cost ~35 ms a load: DuckDB checkpoints the file when its last connection closes).

    A rejected partition fails the check (blocking) and the step: its error names file, row and
    column; its bad rows are in the quarantine table; its previously published data is intact."""
    docs = build_data_docs()
    failed = [
        {"partitions": v["partitions"], **f} for v in report.validations for f in v["failed_expectations"]
    ]
    issues = report.issues
    check_metadata = {
        "load_id": report.load_id,
        "suite_runs": len(report.validations),
        "expectations_evaluated": sum(v["evaluated_expectations"] for v in report.validations),
        "partitions_rejected": [p.partition_key for p in report.rejected],
        "failed_expectations": MetadataValue.json(failed[:50]),
        "bad_rows_sample": MetadataValue.md(_issues_table(issues[:20])) if issues else "none",
    }
    if docs:
        check_metadata["data_docs"] = MetadataValue.path(str(docs))
    # A rejected partition blocks everything downstream. A file that cannot be loaded at all
    # belongs to no partition: it fails the check as a warning (reported once, in quarantine and
    # meta.loads), and the partitions loaded beside it go on to dbt.
    partitions_rejected = [p for p in report.rejected if p.partition_key != UNASSIGNED]
    check = AssetCheckResult(
        check_name=check_name,
        passed=not report.rejected,
        severity=AssetCheckSeverity.ERROR if partitions_rejected else AssetCheckSeverity.WARN,
        metadata=check_metadata,
    )
    if report.rejected and not partitions_rejected:
        context.log.warning(str(LoadError(report.feed, issues, report.load_id)))
    if partitions_rejected:
        error = LoadError(report.feed, issues, report.load_id)
        context.log.error(str(error))
        yield check
        raise Failure(description=str(error), metadata=check_metadata, allow_retries=False)

    published = [p for p in report.partitions if p.status == "published"]
    yield MaterializeResult(
        metadata={
            "dagster/row_count": table_row_count(con, f"raw.{report.feed}"),
            "rows_published": report.rows_published,
            "partitions_published": len(published),
            "partitions_unchanged": report.count("unchanged"),
            "partitions_empty": report.count("empty"),
            **(extra_metadata or {}),
            "per_partition": MetadataValue.md(_partition_table(report)),
            "load_id": report.load_id,
        },
    )
    yield check


def _issues_table(issues) -> str:
    lines = ["| file | row | column | check | value |", "|---|---|---|---|---|"]
    lines += [
        f"| {i.file.rsplit('/', 1)[-1]} | {i.row} | {i.column} | {i.check} | {i.value} |" for i in issues
    ]
    return "\n".join(lines)


def _partition_table(report: LoadReport) -> str:
    lines = ["| partition | status | rows | totals |", "|---|---|---|---|"]
    lines += [
        f"| {p.partition_key} | {p.status} | {p.rows} | "
        + ", ".join(f"{k}: {v:,.0f}" for k, v in p.totals.items())
        + " |"
        for p in report.partitions[:200]
    ]
    return "\n".join(lines)
