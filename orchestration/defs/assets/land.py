"""The published land-monitoring figures. (The five land and subsoil monitoring feeds are declared
in catalog/land.py and become assets in orchestration/defs/assets/feeds.py.)"""

from dagster import (
    Failure,
    MaterializeResult,
    asset,
)

from catalog.reference import load_land_reference
from ingest.loads import LoadError
from orchestration.defs.resources import TRANSIENT_RETRY, WRITER_POOL, WarehouseResource


@asset(
    key=["ref", "kz_land_reference"],
    group_name="reference",
    kinds={"python", "duckdb"},
    pool=WRITER_POOL,
    retry_policy=TRANSIENT_RETRY,
    description="Published national and regional land-monitoring figures (hectares returned to "
    "the state per year, illegal mining cases...), with their sources, validated on load.",
)
def ref_kz_land_reference(warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect() as con:
        try:
            rows = load_land_reference(con)
        except LoadError as error:  # a bad reference file is not transient: do not retry
            raise Failure(description=str(error), allow_retries=False) from error
    return MaterializeResult(metadata={"dagster/row_count": rows})
