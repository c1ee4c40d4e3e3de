"""The report: one self-contained HTML page per language (English, Russian, Kazakh) with charts
(and their PNGs) from the serving copy, after each build, for readers who will not open a SQL
prompt."""

import os

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from ingest.privacy import demo_key_in_use
from orchestration.defs.assets.publishing import serving_copy
from orchestration.defs.resources import TRANSIENT_RETRY, WRITER_POOL, WarehouseResource
from report import build_report, feed_status_from_loads


@asset(
    deps=[serving_copy],
    group_name="publishing",
    kinds={"html", "python"},
    # It reads the warehouse's load log (meta.loads) for the freshness table.
    pool=WRITER_POOL,
    retry_policy=TRANSIENT_RETRY,
    description="warehouse/report/index.html (ru/ and kk/ in Russian and Kazakh): turnover toward "
    "the $2 billion target with the target "
    "and projected paths, the mirror gap, commodity mix, appeals answered on time by agency and "
    "region, unused agricultural land by region, commitments and their status, and each feed's "
    "freshness and last validation; PNGs of the charts beside it.",
)
def report(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    paths = warehouse.paths
    with warehouse.connect() as con:
        feeds = feed_status_from_loads(con)
        # The demo banner: set by hand (WAREHOUSE_DEMO=1), or the appeals were hashed with the
        # public demo key, which only the bundled demo files may be (ingest/privacy.py).
        demo_data = os.environ.get("WAREHOUSE_DEMO") == "1" or demo_key_in_use(con)
    result = build_report(
        paths.serving_db,
        paths.report_dir,
        data_docs=paths.data_docs / "index.html",
        feed_status=feeds,
        demo_data=demo_data,
    )
    if result.problems:
        context.log.warning(f"report sections that failed: {result.problems}")
    return MaterializeResult(
        metadata={
            "report": MetadataValue.path(str(result.html)),
            "report_url": MetadataValue.url(result.html.resolve().as_uri()),
            "pages": MetadataValue.json({language: str(page) for language, page in result.pages.items()}),
            "main_figures": MetadataValue.md(result.figures_markdown()),
            "figures": MetadataValue.json(result.main_figures),
            "charts": MetadataValue.json({name: str(path) for name, path in result.pngs.items()}),
            "empty_sections": MetadataValue.json(list(result.empty_sections)),
            "sections_failed": MetadataValue.json(list(result.problems)),
            "seconds": round(result.seconds, 1),
        }
    )
