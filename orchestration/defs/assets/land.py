"""Space monitoring of agricultural land and subsoil use: five feeds with quarterly partitions,
each validated by its Great Expectations suite as a blocking check. Geometry (validity, area,
centroid, detections inside their licensed contour) is computed in the load (ingest/land.py)."""

from dagster import (
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from ingest.land import (
    LAND_OBSERVATIONS,
    LAND_PARCEL_EVENTS,
    LAND_PARCELS,
    SUBSOIL_DETECTIONS,
    SUBSOIL_SITES,
    load_land_feed,
    quarter_of_partition,
)
from ingest.loads import LoadError
from ingest.reference import load_land_reference
from orchestration.defs.assets.loading import report_load
from orchestration.defs.partitions import quarterly_partitions
from orchestration.defs.resources import TRANSIENT_RETRY, WRITER_POOL, WarehouseResource

KATO = AssetKey(["ref", "kato_units"])
COMMON = {
    "partitions_def": quarterly_partitions,
    "backfill_policy": BackfillPolicy.single_run(),
    "group_name": "land",
    "kinds": {"python", "duckdb"},
    "pool": WRITER_POOL,
    "retry_policy": TRANSIENT_RETRY,
}


def _key(feed) -> AssetKey:
    return AssetKey(["raw", feed.name])


def _check(feed, description: str) -> list[AssetCheckSpec]:
    return [AssetCheckSpec(f"{feed.name}_suite", asset=_key(feed), blocking=True, description=description)]


def _load(context: AssetExecutionContext, warehouse: WarehouseResource, feed, summary_sql: str | None):
    """Load the run's quarters of one feed; metadata from `summary_sql` over the loaded quarters."""
    quarters = [quarter_of_partition(key) for key in context.partition_keys]
    with warehouse.connect() as con:
        report = load_land_feed(con, feed.name, warehouse.paths.landing, quarters)
        extra = {}
        if summary_sql and not report.rejected:
            cursor = con.execute(summary_sql.format(table=feed.table), [quarters])
            names = [d[0] for d in cursor.description]
            extra = {
                name: MetadataValue.float(float(value)) if isinstance(value, float) else value
                for name, value in zip(names, cursor.fetchone(), strict=True)
                if value is not None
            }
    yield from report_load(context, report, f"{feed.name}_suite", warehouse, extra)


IN_QUARTERS = "from {table} where list_contains(?, _partition_quarter)"


@asset(
    key=_key(LAND_PARCELS),
    check_specs=_check(LAND_PARCELS, "Great Expectations suite `land_parcels`: KATO district codes "
                       "that exist, known land categories, holder and tenure types, areas positive and "
                       "below 100,000 ha, lease end after start, one row per parcel per file, and at "
                       "most 5% invalid polygons (invalid ones are kept and flagged)."),
    description="Cadastral parcels of agricultural land as each quarter's file lists them (a "
    "snapshot per parcel registered or changed), with geometry validity, area, centroid and the "
    "stated-vs-drawn area flag computed with shapely.",
    deps=[KATO],
    **COMMON,
)
def raw_land_parcels(context: AssetExecutionContext, warehouse: WarehouseResource):
    yield from _load(context, warehouse, LAND_PARCELS, """
        select count(*) as parcels, round(sum(area_ha), 1) as stated_hectares,
            count(*) filter (where not geometry_is_valid) as invalid_geometries,
            count(*) filter (where area_mismatch) as area_mismatches
    """ + IN_QUARTERS)


@asset(
    key=_key(LAND_OBSERVATIONS),
    check_specs=_check(LAND_OBSERVATIONS, "Great Expectations suite `land_observations`: known "
                       "usage classes and satellites, the date inside its season, shares and NDVI in "
                       "range, measures present unless NO_DATA, one observation per parcel and season "
                       "per file."),
    description="Seasonal satellite observations of each parcel: usage class (used, partly used, "
    "unused), vegetation index and used share.",
    deps=[_key(LAND_PARCELS)],
    **COMMON,
)
def raw_land_observations(context: AssetExecutionContext, warehouse: WarehouseResource):
    yield from _load(context, warehouse, LAND_OBSERVATIONS, """
        select count(*) as observations,
            count(*) filter (where usage_class = 'UNUSED') as unused,
            round(avg(used_share), 4) as mean_used_share
    """ + IN_QUARTERS)


@asset(
    key=_key(LAND_PARCEL_EVENTS),
    check_specs=_check(LAND_PARCEL_EVENTS, "Great Expectations suite `land_parcel_events`: known "
                       "event types, reasons, channels and new holders, areas positive, recorded on or "
                       "after the event, unique event ids per file."),
    description="Events of a parcel's history: notice to an idle holder, withdrawal (returned to "
    "the state), redistribution, back in use.",
    deps=[_key(LAND_PARCELS)],
    **COMMON,
)
def raw_land_parcel_events(context: AssetExecutionContext, warehouse: WarehouseResource):
    yield from _load(context, warehouse, LAND_PARCEL_EVENTS, """
        select count(*) as events,
            round(sum(area_ha) filter (where event_type = 'WITHDRAWN'), 1) as hectares_withdrawn,
            round(sum(area_ha) filter (where event_type = 'REDISTRIBUTED'), 1) as hectares_redistributed
    """ + IN_QUARTERS)


@asset(
    key=_key(SUBSOIL_SITES),
    check_specs=_check(SUBSOIL_SITES, "Great Expectations suite `subsoil_sites`: KATO codes that "
                       "exist, known licence types and minerals, licensed area positive, end after "
                       "start, at most 5% invalid contours."),
    description="Subsoil-use licences with their licensed contour (a snapshot per licence issued or "
    "changed in the quarter), with contour validity and area.",
    deps=[KATO],
    **COMMON,
)
def raw_subsoil_sites(context: AssetExecutionContext, warehouse: WarehouseResource):
    yield from _load(context, warehouse, SUBSOIL_SITES, """
        select count(*) as licences, count(*) filter (where not geometry_is_valid) as invalid_contours
    """ + IN_QUARTERS)


@asset(
    key=_key(SUBSOIL_DETECTIONS),
    check_specs=_check(SUBSOIL_DETECTIONS, "Great Expectations suite `subsoil_detections`: known "
                       "activity types and satellites, confidence 0..1, a readable point, a licence "
                       "number that a published site has, unique detection ids per file."),
    description="Activity detected from space near licensed subsoil sites, each tested against its "
    "licence's contour in force on the detection date (on the edge counts as inside).",
    deps=[_key(SUBSOIL_SITES)],
    **COMMON,
)
def raw_subsoil_detections(context: AssetExecutionContext, warehouse: WarehouseResource):
    yield from _load(context, warehouse, SUBSOIL_DETECTIONS, """
        select count(*) as detections,
            count(*) filter (where not inside_contour) as outside_licensed_contour,
            round(sum(disturbed_area_ha) filter (where not inside_contour), 2) as disturbed_hectares_outside
    """ + IN_QUARTERS)


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


LAND_RAW_KEYS = [_key(feed) for feed in (LAND_PARCELS, LAND_OBSERVATIONS, LAND_PARCEL_EVENTS,
                                          SUBSOIL_SITES, SUBSOIL_DETECTIONS)]
