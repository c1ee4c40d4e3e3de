"""The Parquet lake Spark reads (ingest/lake.py): a feed's partition is one folder holding exactly
its published rows with the warehouse's columns and types, replaced as a whole; the whole-warehouse
export writes every raw and ref table and drops partitions no longer published."""

from types import SimpleNamespace

import duckdb
import pytest

from ingest import lake

FEED = SimpleNamespace(
    name="things", table="raw.things", partition_sql_typed="_partition_day::varchar", partition_sql=None
)


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("create schema raw; create schema ref")
    con.execute("""
        create table raw.things as select * from (values
            (1, 'a', 1.50::decimal(18, 2), date '2024-01-01', timestamp '2024-01-02 03:04:05'),
            (2, 'b', 2.25::decimal(18, 2), date '2024-01-01', timestamp '2024-01-02 03:04:05'),
            (3, 'c', 3.00::decimal(18, 2), date '2024-01-02', timestamp '2024-01-03 00:00:00')
        ) as t(id, label, amount, _partition_day, _loaded_at)
    """)
    con.execute("create table ref.codes as select 1 as code, 'one' as name")
    yield con
    con.close()


def read(con, folder):
    return con.execute(f"select * from read_parquet('{folder}/**/*.parquet') order by id").fetchall()


def test_a_partition_is_its_published_rows_and_is_replaced_whole(con, tmp_path):
    lake.write_partition(con, FEED, "2024-01-01", tmp_path)
    folder = tmp_path / "raw" / "things" / "partition=2024-01-01"
    assert [row[0] for row in read(con, folder)] == [1, 2]
    types = dict(
        con.execute(
            f"select column_name, column_type from (describe select * from "
            f"read_parquet('{folder}/*.parquet'))"
        ).fetchall()
    )
    assert types["amount"] == "DECIMAL(18,2)" and types["_partition_day"] == "DATE"
    con.execute("delete from raw.things where id = 2")
    lake.write_partition(con, FEED, "2024-01-01", tmp_path)
    assert [row[0] for row in read(con, folder)] == [1]
    # nothing left beside the partition folders (no temporary or old folder)
    assert sorted(p.name for p in (tmp_path / "raw" / "things").iterdir()) == ["partition=2024-01-01"]


def test_export_all_writes_every_table_and_drops_gone_partitions(con, tmp_path):
    stale = tmp_path / "raw" / "things" / "partition=2023-12-31"
    stale.mkdir(parents=True)
    written = lake.export_all(con, [FEED], tmp_path)
    assert written == {"raw.things": 2, "ref.codes": 1}
    assert not stale.exists()
    assert [row[0] for row in read(con, tmp_path / "raw" / "things")] == [1, 2, 3]
    codes = con.execute(f"select * from read_parquet('{tmp_path}/ref/codes/*.parquet')").fetchall()
    assert codes == [(1, "one")]


def test_the_lake_is_written_for_spark_or_when_asked(monkeypatch):
    monkeypatch.delenv("WAREHOUSE_ENGINE", raising=False)
    monkeypatch.delenv("WAREHOUSE_LAKE", raising=False)
    assert not lake.lake_enabled()
    monkeypatch.setenv("WAREHOUSE_LAKE", "1")
    assert lake.lake_enabled()
    monkeypatch.delenv("WAREHOUSE_LAKE")
    monkeypatch.setenv("WAREHOUSE_ENGINE", "spark")
    assert lake.lake_enabled()
