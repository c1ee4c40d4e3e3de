"""Trade reference assets: the published official aggregates and the country code list. (The
Comtrade records are a declared feed: catalog/trade.py, orchestration/defs/assets/feeds.py.)"""

from dagster import (
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    asset,
)

from catalog.reference import TRADE_REFERENCE_FILE, load_trade_reference
from ingest.reference import load_country_codes
from orchestration.defs.assets.loading import report_load
from orchestration.defs.resources import TRANSIENT_RETRY, WRITER_POOL, WarehouseResource

REFERENCE_KEY = AssetKey(["raw", "trade_reference"])
COUNTRY_CODES_KEY = AssetKey(["ref", "country_codes"])
REFERENCE_CHECK = "trade_reference_suite"


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
        yield from report_load(context, report, REFERENCE_CHECK, con)
