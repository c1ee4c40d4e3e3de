"""meta.loads tells the truth: a published partition always has its load record (it is written in
the publishing transaction, so a kill -9 at any moment leaves both or neither), and a load that
stops half way records its partitions as failed."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest
from comtrade_files import month_records, write_csv

from catalog.trade import load_comtrade
from ingest.duck import insert_rows

MONTHS = [f"2023-{m:02d}-01" for m in range(1, 13)]


def test_a_load_that_stops_half_way_records_its_partitions_as_failed(warehouse, warehouse_paths):
    write_csv(warehouse_paths.trade_landing / "kz_2023_01.csv", month_records("202301"))

    def broken_validator(frame, label):
        raise RuntimeError("the validation service went away")

    with pytest.raises(RuntimeError):
        load_comtrade(warehouse, warehouse_paths.landing, ["2023-01-01"], validator=broken_validator)

    rows = warehouse.execute(
        "select partition_key, status, message, files from meta.loads order by 1"
    ).fetchall()
    assert [(key, status) for key, status, _, _ in rows] == [("2023-01-01", "failed")]
    assert "the validation service went away" in rows[0][2]
    assert rows[0][3][0].endswith("kz_2023_01.csv")
    assert warehouse.execute("select count(*) from raw.comtrade_records").fetchone() == (0,)


def test_a_partition_whose_load_record_cannot_be_written_is_not_published(warehouse, warehouse_paths):
    """The record is written in the publishing transaction: when it fails, the publish rolls back
    (a meta.loads that refuses every write stands in for a kill between the two)."""
    warehouse.execute("""
        create schema if not exists meta;
        create table meta.loads (
            load_id varchar primary key, feed varchar not null, partition_key varchar,
            status varchar not null, files varchar[], rows_published bigint, rows_quarantined bigint,
            message varchar, started_at timestamp not null, finished_at timestamp not null,
            hash_key_fingerprint varchar, refuses_writes varchar not null
        )
    """)
    write_csv(warehouse_paths.trade_landing / "kz_2023_01.csv", month_records("202301"))

    with pytest.raises(duckdb.ConstraintException):
        load_comtrade(warehouse, warehouse_paths.landing, ["2023-01-01"])

    assert warehouse.execute("select count(*) from raw.comtrade_records").fetchone() == (0,)
    assert warehouse.execute("select count(*) from meta.published_slices").fetchone() == (0,)


LOADER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from catalog.trade import load_comtrade
    from ingest.duck import connect
    from ingest.reference import load_country_codes

    import great_expectations  # (its import takes seconds: the kills must fall in the load)

    con = connect(Path(sys.argv[1]), memory_limit="1GB")
    load_country_codes(con)
    print("ready", flush=True)
    load_comtrade(con, Path(sys.argv[2]), sys.argv[3].split(","))
""")


@pytest.mark.integration
def test_a_kill_at_any_moment_leaves_no_published_partition_without_its_record(warehouse_paths):
    """Fault injection: the load of a year is killed with SIGKILL after a random delay, five times
    over (each trial on what the previous one left); then the warehouse is checked."""
    for month in range(1, 13):
        write_csv(
            warehouse_paths.trade_landing / f"kz_2023_{month:02d}.csv", month_records(f"2023{month:02d}")
        )
    database = warehouse_paths.root / "killed.duckdb"
    database.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    chance = random.Random(20231201)
    for trial in range(5):
        # Each trial lands a new version of every month, so each has work to publish.
        for month in range(1, 13):
            write_csv(
                warehouse_paths.trade_landing / f"kz_2023_{month:02d}.csv",
                month_records(f"2023{month:02d}", scale=1 + trial / 10),
            )
        process = subprocess.Popen(
            [sys.executable, "-c", LOADER, str(database), str(warehouse_paths.landing), ",".join(MONTHS)],
            stdout=subprocess.PIPE,
            env=env,
        )
        assert process.stdout.readline().strip() == b"ready"
        time.sleep(chance.uniform(1.0, 8.0))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    with duckdb.connect(str(database)) as con:
        unrecorded = con.execute("""
            select s.partition_key, s.load_id from meta.published_slices as s
            left join meta.loads as l
                on l.load_id = s.load_id || '/' || s.partition_key and l.status = 'published'
            where s.feed = 'comtrade_records' and l.load_id is null
        """).fetchall()
        assert unrecorded == []
        (published,) = con.execute("select count(*) from meta.loads where status = 'published'").fetchone()
        assert published > 0, "no kill fell after a publish: the trials proved nothing"
        # No month half replaced: each published month holds exactly one file version, whole.
        torn = con.execute("""
            select period, count(distinct _file_sha256), count(*) from raw.comtrade_records
            group by 1 having count(distinct _file_sha256) > 1 or count(*) <> 5
        """).fetchall()
        assert torn == []


def test_insert_rows_writes_every_row_across_statements():
    """Many rows to a statement (ingest.duck.insert_rows), the last statement shorter; an
    `insert or replace` replaces by key as row by row would."""
    with duckdb.connect() as con:
        con.execute("create table t (k integer primary key, v varchar)")
        insert_rows(con, "insert into t (k, v)", [(k, f"v{k}") for k in range(5)], chunk=2)
        insert_rows(con, "insert or replace into t", [(1, "new"), (7, None)], chunk=2)
        assert con.execute("select * from t order by k").fetchall() == [
            (0, "v0"),
            (1, "new"),
            (2, "v2"),
            (3, "v3"),
            (4, "v4"),
            (7, None),
        ]
        insert_rows(con, "insert into t", [])  # nothing to insert: no statement
        assert con.execute("select count(*) from t").fetchone() == (6,)
