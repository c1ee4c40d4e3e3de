"""UN Comtrade v1 records for the Kazakhstan–Tajikistan pair: monthly partitions, replaced per
Comtrade slice (reporter, frequency, period). How the periods map to partitions and the revision
rules: ingest/comtrade.py; the columns: ingest/comtrade_schema.py."""

from pathlib import Path

import duckdb

from expectations.comtrade import validate_comtrade_records
from ingest import comtrade, feeds, revisions
from ingest.comtrade_schema import (
    COMTRADE_COLUMNS,
    DESCRIPTIONS,
    FLOW_CODES,
    FREQ_CODES,
    NON_NEGATIVE,
    REQUIRED_VALUES,
)
from ingest.loads import LoadReport

COMTRADE = feeds.Feed(
    name="comtrade_records",
    source_columns=COMTRADE_COLUMNS,
    landing_subdir="trade",
    file_patterns=("*.csv", "*.json"),
    partition_sql=lambda path: comtrade.partition_of_period_sql("period"),
    partition_column="period",
    partition_message="period is not YYYYMM (freqCode M) or YYYY (freqCode A)",
    # Comtrade revises whole reporter-periods: that is the unit a newer file replaces.
    slice_columns=("reporterCode", "freqCode", "period"),
    validator=validate_comtrade_records,
    non_negative=tuple(NON_NEGATIVE),
    revision_guard=revisions.RevisionGuard(
        value_sql="""sum("primaryValue") filter (where "cmdCode" = 'TOTAL')""",
        value_label="TOTAL USD",
        total_row_sql=""""cmdCode" = 'TOTAL'""",
        # Each flow has its own TOTAL row: a revision dropping the imports (TOTAL included) or
        # shrinking them past the limit is held although the exports keep the slice's figures.
        part_sql='"flowCode"',
        part_label="flow",
        consistency_sql=comtrade.TOTAL_EQUALS_CHAPTERS_SQL,
    ),
    partitioning="monthly",
    group="trade",
    description="UN Comtrade v1 goods records for the Kazakhstan (398) – Tajikistan (762) pair, both "
    "reporters (mirror statistics of the same flows), monthly (freqCode M, period YYYYMM, "
    "refMonth 1..12) and annual (freqCode A, period YYYY, refMonth 52). Includes TOTAL rows "
    "(aggrLevel 0), HS chapters (aggrLevel 2) and HS 4/6-digit lines, plus breakdown rows "
    "(customsCode <> 'C00', motCode <> 0, partner2Code <> 0) that must never be added to the "
    "plain rows. A newer file for the same reporter/freq/period slice replaces the older one.",
    check_description="Great Expectations suite `comtrade_records` over every partition "
    "loaded: columns and types, flow codes, non-negative values, period matching "
    "frequency and partition, known M49 codes, unique record key, rows present.",
    deps=(("ref", "country_codes"),),
    summary=comtrade.summarise_load,
    column_descriptions=DESCRIPTIONS,
    required=tuple(REQUIRED_VALUES),
    accepted_values={"freqCode": FREQ_CODES, "flowCode": FLOW_CODES},
)


def load_comtrade(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, partition_keys: list[str], **kwargs
) -> LoadReport:
    """Load monthly partitions ('2023-03-01') of Comtrade records (see ingest.feeds); each
    published partition carries its totals."""
    report = feeds.load_feed(con, COMTRADE, landing_dir, partition_keys, **kwargs)
    comtrade.summarise_load(con, report, partition_keys)
    return report


def landing_files(landing_dir: Path) -> list[Path]:
    """Comtrade files in a landing root (they live in its `trade/` folder)."""
    return COMTRADE.landing_files(landing_dir)


def file_partitions(path: Path) -> set[str]:
    return feeds.file_partitions(COMTRADE, path)


def files_partitions(paths: list[Path]) -> dict[Path, set[str]]:
    return feeds.files_partitions(COMTRADE, paths)
