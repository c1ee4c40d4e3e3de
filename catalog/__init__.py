"""Every feed the warehouse loads, declared once: one module per source (trade, appeals, land,
family).

A declaration (an `ingest.feeds.Feed`) says what the files look like, which columns carry personal
data and how they are hashed or dropped, how rows map to partitions and slices, which Great
Expectations suite validates them, and what the orchestration makes of the feed: its Dagster
partitions, group, description, blocking check, dependencies, summary for the UI and how old its
last load may be. From these alone come the loader (ingest.feeds.load_feed), the Dagster assets,
checks, freshness checks and jobs (orchestration.defs), and the report's feed list.

Layers: catalog/ imports ingest/ (how to load) and expectations/ (how to validate); neither of
those imports catalog/, and orchestration/ composes it. Adding a feed: README, "Adding a feed".
"""

from datetime import timedelta

from catalog.appeals import APPEALS, EVENTS
from catalog.family import FAMILY_FEEDS
from catalog.land import LAND_FEEDS
from catalog.trade import COMTRADE
from ingest.feeds import Feed

# Feeds with partitions, in the order a full build loads them (detections are placed against the
# contours of published subsoil sites, so sites come first; the family extracts are checked
# against the civil registry of their month, so it comes first).
FEEDS: tuple[Feed, ...] = (COMTRADE, APPEALS, EVENTS, *LAND_FEEDS, *FAMILY_FEEDS)
FEEDS_BY_NAME = {feed.name: feed for feed in FEEDS}

# How old a group's last successful load may be before its feeds count as stale (None: no
# schedule): Comtrade publishes monthly with a month's lag, eOtinish exports daily (a weekend of
# slack), land monitoring quarterly with the quarter's compilation; the bilateral files are
# reviewed by hand; the Digital Family Map's extracts come monthly (a fortnight of slack) and its
# proactive-service events daily, so a family load older than 45 days is stale.
GROUP_MAX_AGE: dict[str, timedelta | None] = {
    "trade": timedelta(days=45),
    "appeals": timedelta(days=2),
    "land": timedelta(days=120),
    "family": timedelta(days=45),
    "bilateral": None,
}

# The loads without partitions (reference files, the reviewed bilateral YAML) by the name they
# have in meta.loads, with their group.
UNPARTITIONED_LOADS = {
    "trade_reference": "trade",
    "bilateral": "bilateral",
}


def group_of(load_name: str) -> str | None:
    """The group of a name in meta.loads: a feed's, or an unpartitioned load's."""
    if load_name in FEEDS_BY_NAME:
        return FEEDS_BY_NAME[load_name].group
    return UNPARTITIONED_LOADS.get(load_name)


def feeds_of(partitioning: str) -> list[Feed]:
    return [feed for feed in FEEDS if feed.partitioning == partitioning]
