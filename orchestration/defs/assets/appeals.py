"""eOtinish appeals and history events: daily partitions, validated by their Great Expectations
suites as blocking checks, the applicant's identifiers hashed in the read."""

from dagster import AssetCheckSpec, AssetExecutionContext, AssetKey, BackfillPolicy, MetadataValue, asset

from ingest.eotinish import APPEALS, EVENTS, load_appeals, load_events
from orchestration.defs.assets.loading import report_load
from orchestration.defs.partitions import daily_partitions
from orchestration.defs.resources import TRANSIENT_RETRY, WRITER_POOL, WarehouseResource

APPEALS_KEY = AssetKey(["raw", APPEALS.name])
EVENTS_KEY = AssetKey(["raw", EVENTS.name])
APPEALS_CHECK = "eotinish_appeals_suite"
EVENTS_CHECK = "eotinish_appeal_events_suite"
COMMON = {
    "partitions_def": daily_partitions,
    "backfill_policy": BackfillPolicy.single_run(),
    "group_name": "appeals",
    "kinds": {"python", "duckdb"},
    "pool": WRITER_POOL,
    "retry_policy": TRANSIENT_RETRY,
    "deps": [AssetKey(["ref", "kato_units"])],
}


@asset(
    key=APPEALS_KEY,
    check_specs=[AssetCheckSpec(
        APPEALS_CHECK, asset=APPEALS_KEY, blocking=True,
        description="Great Expectations suite `eotinish_appeals`: known states, types, channels and "
        "forms, KATO codes that exist, deadline on or after the start, one snapshot per appeal "
        "and day, no IIN-shaped value left in any text column.")],
    description="eOtinish appeals as exported each day (a snapshot of each appeal created or "
    "changed that day). The IIN is replaced by a keyed hash; names, contacts and free text are "
    "never read.",
    **COMMON,
)
def raw_eotinish_appeals(context: AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.connect() as con:
        report = load_appeals(con, warehouse.paths.landing, context.partition_keys)
        day_counts = _day_counts(con, context.partition_keys) if not report.rejected else {}
    yield from report_load(context, report, APPEALS_CHECK, warehouse, day_counts)


@asset(
    key=EVENTS_KEY,
    check_specs=[AssetCheckSpec(
        EVENTS_CHECK, asset=EVENTS_KEY, blocking=True,
        description="Great Expectations suite `eotinish_appeal_events`: known event types and "
        "states, every event in its own day's file or later (then flagged late), unique event ids "
        "per file, no IIN-shaped value left.")],
    description="eOtinish appeal history events as received each day; late, out-of-order and "
    "re-sent events are kept as received (is_late flags them) and resolved in dbt.",
    **COMMON,
)
def raw_eotinish_appeal_events(context: AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.connect() as con:
        report = load_events(con, warehouse.paths.landing, context.partition_keys)
        late = {}
        if not report.rejected:
            (events, late_events) = con.execute(
                "select count(*), count(*) filter (where is_late) from raw.eotinish_appeal_events "
                "where list_contains(?, _partition_date::varchar)", [context.partition_keys]).fetchone()
            late = {"events_received": events, "late_events": late_events}
    yield from report_load(context, report, EVENTS_CHECK, warehouse, late)


def _day_counts(con, days: list[str]) -> dict:
    """Appeals filed and answered in the loaded days, and the share answered by the deadline."""
    filed, answered, on_time = con.execute("""
        with latest as (
            select * from raw.eotinish_appeals
            where list_contains(?, _partition_date::varchar)
            qualify row_number() over (partition by id order by modified_date desc) = 1
        )
        select
            count(*) filter (where list_contains(?, start_date::date::varchar)),
            count(*) filter (where list_contains(?, finish_date::date::varchar)),
            count(*) filter (where list_contains(?, finish_date::date::varchar)
                             and finish_date::date <= deadline)
        from latest
    """, [days, days, days, days]).fetchone()
    return {
        "appeals_filed": filed,
        "appeals_answered": answered,
        "on_time_rate": MetadataValue.float(round(on_time / answered, 4) if answered else 0.0),
    }
