"""One Dagster asset per declared feed (catalog/): its partitions, group, description, the
blocking check its Great Expectations suite answers, and the summary it shows after a load.
Nothing here is specific to a feed: a new declaration in catalog/ is a new asset."""

from dagster import (
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    MetadataValue,
    asset,
)

from catalog import FEEDS
from ingest.feeds import Feed, load_feed
from orchestration.defs.assets.loading import report_load
from orchestration.defs.partitions import PARTITIONS
from orchestration.defs.resources import TRANSIENT_RETRY, WRITER_POOL, WarehouseResource


def raw_key(feed: Feed) -> AssetKey:
    return AssetKey(["raw", feed.name])


def check_name(feed: Feed) -> str:
    return f"{feed.name}_suite"


def load_asset(feed: Feed) -> AssetsDefinition:
    key = raw_key(feed)

    @asset(
        key=key,
        partitions_def=PARTITIONS[feed.partitioning],
        # A backfill of many partitions is one run: process start-up and the GX import are paid
        # once, and each partition is still validated and published on its own.
        backfill_policy=BackfillPolicy.single_run(),
        group_name=feed.group,
        kinds={"python", "duckdb"},
        pool=WRITER_POOL,
        retry_policy=TRANSIENT_RETRY,
        deps=[AssetKey(list(dep)) for dep in feed.deps],
        check_specs=[
            AssetCheckSpec(check_name(feed), asset=key, blocking=True, description=feed.check_description)
        ],
        description=feed.description,
    )
    def load(context: AssetExecutionContext, warehouse: WarehouseResource):
        partitions = [feed.partition_of_key(k) for k in context.partition_keys]
        with warehouse.connect() as con:
            report = load_feed(con, feed, warehouse.paths.landing, partitions)
            published = any(p.status == "published" for p in report.partitions)
            summary = (
                feed.summary(con, report, partitions)
                if feed.summary and (published or not report.rejected)
                else {}
            )
            yield from report_load(context, report, check_name(feed), con, _metadata(summary))

    return load


def _metadata(summary: dict) -> dict:
    return {
        name: MetadataValue.float(value)
        if isinstance(value, float)
        else MetadataValue.json(value)
        if isinstance(value, dict)
        else value
        for name, value in summary.items()
    }


FEED_ASSETS = [load_asset(feed) for feed in FEEDS]
