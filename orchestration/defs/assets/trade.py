"""Trade ingestion assets: Comtrade records (monthly partitions), the published official
aggregates and the country code list. Each load is validated by its Great Expectations suite
inside the asset; the result is a blocking asset check, so a failed suite stops everything
downstream and the published tables keep their previous content."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from expectations.runner import build_data_docs
from ingest.comtrade import load_comtrade
from ingest.loads import LoadError, LoadReport
from ingest.reference import load_country_codes, load_trade_reference
from ingest.settings import BUNDLED_REFERENCE_DIR
from orchestration.defs.partitions import monthly_partitions
from orchestration.defs.resources import WRITER_POOL, WarehouseResource

COMTRADE_KEY = AssetKey(["raw", "comtrade_records"])
REFERENCE_KEY = AssetKey(["raw", "trade_reference"])
COUNTRY_CODES_KEY = AssetKey(["ref", "country_codes"])
COMTRADE_CHECK = "comtrade_records_suite"
REFERENCE_CHECK = "trade_reference_suite"
TRADE_REFERENCE_FILE = BUNDLED_REFERENCE_DIR / "kz_tj_trade_reference.csv"


@asset(
    key=COUNTRY_CODES_KEY,
    group_name="reference",
    kinds={"python", "duckdb"},
    pool=WRITER_POOL,
    description="ISO 3166-1 countries with their numeric (UN M49) codes from pycountry, plus "
    "Comtrade's special areas (World, Areas nes...).",
)
def ref_country_codes(warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect() as con:
        rows = load_country_codes(con)
    return MaterializeResult(metadata={"dagster/row_count": rows})


@asset(
    key=COMTRADE_KEY,
    deps=[COUNTRY_CODES_KEY],
    partitions_def=monthly_partitions,
    # A backfill of many months is one run: process start-up and the GX import are paid once,
    # and each month is still validated and published on its own.
    backfill_policy=BackfillPolicy.single_run(),
    group_name="trade",
    kinds={"python", "duckdb"},
    pool=WRITER_POOL,
    check_specs=[
        AssetCheckSpec(
            COMTRADE_CHECK,
            asset=COMTRADE_KEY,
            blocking=True,
            description="Great Expectations suite `comtrade_records` over every partition "
            "loaded: columns and types, flow codes, non-negative values, period matching "
            "frequency and partition, known M49 codes, unique record key, rows present.",
        )
    ],
    description="UN Comtrade v1 records (CSV or JSON envelope) from the landing folder, both "
    "reporters, published per month after validation. Provenance on every row.",
)
def raw_comtrade_records(context: AssetExecutionContext, warehouse: WarehouseResource):
    keys = context.partition_keys
    with warehouse.connect() as con:
        report = load_comtrade(con, warehouse.paths.landing, keys)
    yield from _report_results(context, report, COMTRADE_CHECK, warehouse)


@asset(
    key=REFERENCE_KEY,
    group_name="trade",
    kinds={"python", "duckdb"},
    pool=WRITER_POOL,
    check_specs=[
        AssetCheckSpec(
            REFERENCE_CHECK,
            asset=REFERENCE_KEY,
            blocking=True,
            description="Great Expectations suite `trade_reference`: known sides, measures and "
            "period types, non-negative values, parsable periods, source URLs present.",
        )
    ],
    description="Published official Kazakhstan–Tajikistan trade aggregates (yearly and "
    "year-to-date, each with reporting side and source URL), a second trade source kept "
    "apart from the Comtrade records.",
)
def raw_trade_reference(context: AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.connect() as con:
        report = load_trade_reference(con, TRADE_REFERENCE_FILE)
    yield from _report_results(context, report, REFERENCE_CHECK, warehouse)


def _report_results(context, report: LoadReport, check_name: str, warehouse: WarehouseResource):
    """Turn a load report into the asset check result and the materialization metadata.

    A rejected partition fails the check (blocking) and the step: its error names file, row and
    column; its bad rows are in the quarantine table; its previously published data is intact."""
    docs = build_data_docs()
    failed = [
        {"partitions": v["partitions"], **f}
        for v in report.validations
        for f in v["failed_expectations"]
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
    check = AssetCheckResult(
        check_name=check_name,
        passed=not report.rejected,
        severity=AssetCheckSeverity.ERROR,
        metadata=check_metadata,
    )
    if report.rejected:
        error = LoadError(report.feed, issues, report.load_id)
        context.log.error(str(error))
        yield check
        raise Failure(description=str(error), metadata=check_metadata)

    published = [p for p in report.partitions if p.status == "published"]
    totals: dict[str, float] = {}
    for outcome in published:
        for name, value in outcome.totals.items():
            totals[name] = round(totals.get(name, 0.0) + value, 2)
    with warehouse.connect() as con:
        table = f"raw.{report.feed}"
        (table_rows,) = con.execute(f"select count(*) from {table}").fetchone()
    yield MaterializeResult(
        metadata={
            "dagster/row_count": table_rows,
            "rows_published": report.rows_published,
            "partitions_published": len(published),
            "partitions_unchanged": report.count("unchanged"),
            "partitions_empty": report.count("empty"),
            "value_totals_usd": MetadataValue.json(totals),
            "per_partition": MetadataValue.md(_partition_table(report)),
            "load_id": report.load_id,
        },
    )
    yield check


def _issues_table(issues) -> str:
    lines = ["| file | row | column | check | value |", "|---|---|---|---|---|"]
    lines += [
        f"| {i.file.rsplit('/', 1)[-1]} | {i.row} | {i.column} | {i.check} | {i.value} |"
        for i in issues
    ]
    return "\n".join(lines)


def _partition_table(report: LoadReport) -> str:
    lines = ["| partition | status | rows | totals (USD) |", "|---|---|---|---|"]
    lines += [
        f"| {p.partition_key} | {p.status} | {p.rows} | "
        + ", ".join(f"{k}: {v:,.0f}" for k, v in p.totals.items())
        + " |"
        for p in report.partitions[:200]
    ]
    return "\n".join(lines)
