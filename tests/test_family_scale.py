"""The national-scale family generator (demo/family_national.py, the bench's data): its files load
through every family feed as they are, its IINs are valid and unique across chunks of families,
every family has one head, and the same seed writes the same files."""

import hashlib

import duckdb
import pytest

from catalog.family import FAMILY_FEEDS, PROACTIVE_EVENTS, landing_days, landing_months
from demo.family_national import write_scale_family
from ingest.feeds import load_feed
from ingest.privacy import is_valid_iin
from ingest.reference import load_kato

FAMILIES, CHUNK = 1_500, 600  # three chunks: the IIN serials must not repeat across them


@pytest.mark.slow  # loads through DuckDB and GX
def test_scale_files_load_through_every_family_feed(warehouse, warehouse_paths):
    folder = warehouse_paths.landing / "family"
    paths = write_scale_family(folder, families=FAMILIES, months=2, seed=3, chunk=CHUNK)
    assert len(paths) == 2 * 10 + 59  # ten extracts a month, one events file a day (Jan + Feb)
    load_kato(warehouse)
    months, days = (
        sorted(landing_months(warehouse_paths.landing)),
        sorted(landing_days(warehouse_paths.landing)),
    )
    assert months == ["2023-01-01", "2023-02-01"]
    for feed in FAMILY_FEEDS:
        report = load_feed(
            warehouse, feed, warehouse_paths.landing, days if feed is PROACTIVE_EVENTS else months
        )
        report.raise_for_errors()
        assert not report.rejected, feed.name

    registry = duckdb.connect().execute(
        "select member_iin, family_id, relation_to_head, filename from read_csv(?, all_varchar = true, "
        "filename = true)",
        [str(folder / "family_civil_registry_*.csv")],
    )
    rows = registry.fetchall()
    for month in ("2023-01", "2023-02"):
        iins = [r[0] for r in rows if month in r[3]]
        assert len(iins) == len(set(iins)) > 3 * FAMILIES * 0.9  # ~3.1 people per family
        assert all(is_valid_iin(iin) for iin in iins)
        heads = [r[1] for r in rows if month in r[3] and r[2] == "HEAD"]
        assert len(heads) == len(set(heads)) == len({r[1] for r in rows if month in r[3]})
    (published,) = warehouse.execute("select count(*) from raw.family_civil_registry").fetchone()
    assert published == len(rows)


def test_same_seed_same_files(tmp_path):
    def digest(folder):
        write_scale_family(folder, families=300, months=1, seed=5, chunk=200)
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}

    assert digest(tmp_path / "a") == digest(tmp_path / "b")
