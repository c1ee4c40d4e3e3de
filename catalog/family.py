"""Digital Family Map (Цифровая карта семьи): one monthly extract per source database (civil
registry, income and pensions, property and vehicles, loans, employment, social benefits,
disability, health registrations, education, housing) and a daily file of proactive-service
events (ingest/family_schema.py). Members' IINs and family ids are replaced by keyed hashes in the
read, names are never read (ingest/privacy.py), and no family- or person-level table is published:
only the aggregate marts, with cells of fewer than 10 families suppressed (dbt, marts/family)."""

from pathlib import Path

from expectations import family as suites
from ingest import family, feeds
from ingest import family_schema as schema
from ingest.loads import LoadReport

DESCRIPTIONS = {
    "civil_registry": "members of each family by the civil registry (kinship to the head, sex, "
    "birth and death dates, marital status, region)",
    "income": "each member's monthly income and pension",
    "property": "real estate and vehicles each member owns, with their value",
    "loans": "each member's active loans, debt and 90-day arrears",
    "employment": "each member's employment status",
    "social_benefits": "benefits each member receives (one row per benefit)",
    "disability": "members with an established disability and its group",
    "health": "members' attachment to a clinic and health registrations",
    "education": "members' kindergarten, school or college enrolment and education level",
    "housing": "each family's dwelling: tenure, area, rooms, water, sewerage, heating",
}


def _personal(columns) -> dict:
    names = {column for column, _ in columns}
    return {
        "hashed": {k: v for k, v in schema.HASHED_COLUMNS.items() if k in names},
        "dropped": frozenset(schema.DROPPED_COLUMNS & names),
    }


def _ensure_registry(con, keys: list[str]) -> None:
    # The extracts are checked against the civil registry of the same month (none yet on a first
    # load: then every member is unknown and the month is rejected).
    feeds.ensure_tables(con, CIVIL_REGISTRY)


def _extract(source: str) -> feeds.Feed:
    name = schema.feed_name(source)
    registry = source == "civil_registry"
    return feeds.Feed(
        name=name,
        source_columns=schema.SOURCES[source],
        landing_subdir=family.LANDING_SUBDIR,
        file_patterns=(f"{name}_*.csv",),  # family_<source>_YYYY-MM.csv
        partition_sql=family.month_sql,
        partition_column=schema.PARTITION_COLUMN[source],
        partition_message=f"the file name carries no month (expected {name}_YYYY-MM.csv)",
        partition_sql_typed="_partition_month::varchar",  # a file replaces its whole month
        validator=suites.validator(source),
        non_negative=schema.NON_NEGATIVE.get(source, ()),
        derived_columns=(("_partition_month", "DATE", "_partition_key::date"),),
        file_partition=family.file_month,
        before_load=None if registry else _ensure_registry,
        partitioning="monthly",
        group="family",
        deps=(("ref", "kato_units"),) if registry else (("raw", "family_civil_registry"),),
        description=f"Digital Family Map: the monthly extract of {DESCRIPTIONS[source]}. Member "
        "IINs and family ids are replaced by keyed hashes in the read; names are never read.",
        check_description=f"Great Expectations suite `{name}`: known codes, one row per "
        + ("family" if source == "housing" else "member")
        + " and month, dates in range, "
        "plausible amounts"
        + (
            ""
            if registry
            else ", every "
            + ("family" if source == "housing" else "member")
            + " in the civil registry extract of "
            "the same month"
        )
        + (", every family with exactly one head" if registry else "")
        + ".",
        summary=family.summarise(name, "_partition_month"),
        required=("family_key",) if source == "housing" else ("member_key",),
        **_personal(schema.SOURCES[source]),
    )


CIVIL_REGISTRY = _extract("civil_registry")
EXTRACT_FEEDS = (CIVIL_REGISTRY, *(_extract(s) for s in schema.EXTRACTS if s != "civil_registry"))

PROACTIVE_EVENTS = feeds.Feed(
    name="family_proactive_events",
    source_columns=schema.EVENT_COLUMNS,
    landing_subdir=family.LANDING_SUBDIR,
    file_patterns=("family_proactive_events_*.csv",),
    partition_sql=family.day_sql,
    partition_column="event_id",
    partition_message="the file name carries no day (expected family_proactive_events_YYYY-MM-DD.csv)",
    partition_sql_typed="_partition_date::varchar",
    validator=suites.validate_proactive_events,
    non_negative=schema.NON_NEGATIVE["proactive_events"],
    derived_columns=(
        ("_partition_date", "DATE", "_partition_key::date"),
        ("event_date", "DATE", "event_time::date"),
    ),
    file_partition=family.file_day,
    partitioning="daily",
    group="family",
    deps=(("ref", "kato_units"),),
    description="Digital Family Map proactive services, as received each day: offers sent by SMS, "
    "the citizen's answer (accepted, declined, none by the deadline), assignment and payment, for "
    "up to nine benefit types. Member IINs and family ids are replaced by keyed hashes in the read.",
    check_description="Great Expectations suite `family_proactive_events`: known benefit and event "
    "types, KATO codes that exist, plausible amounts and every payment with one, every event in its "
    "own day's file or later, unique event ids per file.",
    summary=family.summarise_events,
    required=("event_id", "offer_id", "family_key", "member_key", "benefit_type", "event_type", "event_time"),
    **_personal(schema.EVENT_COLUMNS),
)
FAMILY_FEEDS = (*EXTRACT_FEEDS, PROACTIVE_EVENTS)
FEEDS_BY_NAME = {feed.name: feed for feed in FAMILY_FEEDS}


def load_family_feed(con, name: str, landing_dir: Path, keys: list[str], **kwargs) -> LoadReport:
    """Load months ('2023-01-01') of an extract, or days ('2023-01-05') of the events."""
    return feeds.load_feed(con, FEEDS_BY_NAME[name], landing_dir, keys, **kwargs)


def landing_months(landing_dir: Path) -> set[str]:
    return {
        m
        for feed in EXTRACT_FEEDS
        for path in feed.landing_files(landing_dir)
        if (m := family.file_month(path))
    }


def landing_days(landing_dir: Path) -> set[str]:
    return {d for path in PROACTIVE_EVENTS.landing_files(landing_dir) if (d := family.file_day(path))}
