"""Trade ingestion assets: Comtrade records (monthly partitions), the published official
aggregates and the country code list. Each load is validated by its Great Expectations suite
inside the asset; the result is a blocking asset check, so a failed suite stops everything
downstream and the published tables keep their previous content."""

from dagster import (
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from ingest.comtrade import load_comtrade
from ingest.loads import LoadReport
from ingest.reference import load_country_codes, load_trade_reference
from ingest.settings import BUNDLED_REFERENCE_DIR
from orchestration.defs.assets.loading import report_load
from orchestration.defs.partitions import monthly_partitions
from orchestration.defs.resources import TRANSIENT_RETRY, WRITER_POOL, WarehouseResource

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
    retry_policy=TRANSIENT_RETRY,
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
    retry_policy=TRANSIENT_RETRY,
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
    totals = {"value_totals_usd": _value_totals(report)}
    yield from report_load(context, report, COMTRADE_CHECK, warehouse, totals)


@asset(
    key=REFERENCE_KEY,
    group_name="trade",
    kinds={"python", "duckdb"},
    pool=WRITER_POOL,
    retry_policy=TRANSIENT_RETRY,
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
    yield from report_load(context, report, REFERENCE_CHECK, warehouse)


def _value_totals(report: LoadReport) -> MetadataValue:
    """Published trade value per reporter, frequency and flow over the loaded months (USD)."""
    totals: dict[str, float] = {}
    for outcome in report.partitions:
        for name, value in outcome.totals.items():
            totals[name] = round(totals.get(name, 0.0) + value, 2)
    return MetadataValue.json(totals)
