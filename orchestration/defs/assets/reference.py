"""Reference data for the appeals feed: the KATO classifier, regions and the working calendar."""

from dagster import MaterializeResult, asset

from ingest.reference import load_kato, load_regions, load_working_calendar
from orchestration.defs.resources import TRANSIENT_RETRY, WRITER_POOL, WarehouseResource


@asset(
    key=["ref", "kato_units"],
    group_name="reference",
    kinds={"python", "duckdb"},
    pool=WRITER_POOL,
    retry_policy=TRANSIENT_RETRY,
    description="The official KATO classifier of administrative-territorial units (2022-10-17), "
    "with each unit's parent, level and region.",
)
def ref_kato_units(warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect() as con:
        return MaterializeResult(metadata={"dagster/row_count": load_kato(con)})


@asset(
    key=["ref", "kz_regions"],
    group_name="reference",
    kinds={"python", "duckdb"},
    pool=WRITER_POOL,
    retry_policy=TRANSIENT_RETRY,
    description="Kazakhstan's 20 regions (KATO and ISO 3166-2), including Abai, Zhetisu and "
    "Ulytau created on 2022-06-08.",
)
def ref_kz_regions(warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect() as con:
        return MaterializeResult(metadata={"dagster/row_count": load_regions(con)})


@asset(
    key=["ref", "kz_working_calendar"],
    group_name="reference",
    kinds={"python", "duckdb"},
    pool=WRITER_POOL,
    retry_policy=TRANSIENT_RETRY,
    description="Every day 2015-2030 with whether it is a working day in Kazakhstan (weekends "
    "and public holidays from the `holidays` library).",
)
def ref_kz_working_calendar(warehouse: WarehouseResource) -> MaterializeResult:
    with warehouse.connect() as con:
        return MaterializeResult(metadata={"dagster/row_count": load_working_calendar(con)})
