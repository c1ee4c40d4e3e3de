"""The bilateral agenda: events and the commitments made at them, kept as reviewed YAML files in
data/bilateral/ and validated (Great Expectations, expectations/bilateral.py) before they replace
the raw tables together."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from catalog.reference import load_bilateral
from ingest.bilateral import summarise_bilateral
from ingest.loads import LoadError
from orchestration.defs.resources import TRANSIENT_RETRY, WRITER_POOL, WarehouseResource

EVENTS = AssetKey(["raw", "bilateral_events"])
COMMITMENTS = AssetKey(["raw", "bilateral_commitments"])
INDICATOR_VALUES = AssetKey(["raw", "bilateral_indicator_values"])
CHECK = "bilateral_suite"


@multi_asset(
    specs=[
        AssetSpec(
            EVENTS,
            group_name="bilateral",
            kinds={"python", "duckdb"},
            description="Bilateral events (visits, agreements, memoranda, forums, cultural "
            "days) from data/bilateral/events.yaml, with their sources.",
        ),
        AssetSpec(
            COMMITMENTS,
            group_name="bilateral",
            kinds={"python", "duckdb"},
            description="Commitments made or reaffirmed at the events, with indicator, "
            "target and deadline (data/bilateral/commitments.yaml).",
        ),
        AssetSpec(
            INDICATOR_VALUES,
            group_name="bilateral",
            kinds={"python", "duckdb"},
            description="Reviewed measurements of the commitments' indicators other than "
            "trade (data/bilateral/indicator_values.yaml).",
        ),
    ],
    check_specs=[
        AssetCheckSpec(
            CHECK,
            asset=EVENTS,
            blocking=True,
            description="Great Expectations suites of the three files: known event types, dates that "
            "parse, parties and source URLs present, unique ids, commitment targets positive, "
            "deadlines after their event, commitments and values that refer to existing entries.",
        )
    ],
    pool=WRITER_POOL,
    retry_policy=TRANSIENT_RETRY,
    name="raw_bilateral",
)
def raw_bilateral(context: AssetExecutionContext, warehouse: WarehouseResource):
    # load_bilateral validates first, records the attempt in meta.loads either way, and replaces the
    # three tables only when the files pass.
    with warehouse.connect() as con:
        try:
            counts = load_bilateral(con)
        except LoadError as error:
            yield AssetCheckResult(
                check_name=CHECK,
                asset_key=EVENTS,
                passed=False,
                severity=AssetCheckSeverity.ERROR,
                metadata={"problems": MetadataValue.md(_issues_table(error.issues))},
            )
            raise Failure(description=str(error), allow_retries=False) from error
        summary = summarise_bilateral(con)
    for key in (EVENTS, COMMITMENTS, INDICATOR_VALUES):
        rows = counts.get(key.path[-1], 0)
        extra = (
            {
                k: MetadataValue.json(v) if isinstance(v, dict) else v
                for k, v in summary.items()
                if v is not None
            }
            if key == EVENTS
            else {}
        )
        yield MaterializeResult(asset_key=key, metadata={"dagster/row_count": rows, **extra})
    yield AssetCheckResult(check_name=CHECK, asset_key=EVENTS, passed=True)


def _issues_table(issues) -> str:
    lines = ["| file | line | field | problem | value |", "|---|---|---|---|---|"]
    lines += [
        f"| {i.file.rsplit('/', 1)[-1]} | {i.row} | {i.column} | {i.message} | {i.value} |"
        for i in issues[:20]
    ]
    return "\n".join(lines)
