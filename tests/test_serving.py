"""The serving copy: a publish killed half way leaves nothing behind after the next publish;
readers of the Parquet copy never see a missing file or a mix of two builds while publishes run;
a build's folder is deleted only when two newer builds exist; the paths analysts used still work.
Real DuckDB on temporary folders."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.serving import (
    BUILDS,
    CURRENT_FILE,
    CURRENT_LINK,
    TableDocs,
    current_build,
    publish_serving_copy,
)

ROWS = 20_000


def make_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    set_generation(con, 0)
    return con


def set_generation(con, generation: int) -> None:
    """Every row of both tables carries the generation: a read mixing two publishes shows two."""
    for table in ("mart_a", "dim_b"):
        con.execute(
            f"create or replace table marts.{table} as "
            f"select i, {generation} as generation, repeat('x', 50) as pad from range({ROWS}) t(i)"
        )


def publish(con, root: Path):
    return publish_serving_copy(con, root / "serving" / "serving.duckdb", root / "serving" / "parquet")


def serving_entries(root: Path) -> set[str]:
    serving = root / "serving"
    return {str(p.relative_to(serving)) for p in serving.rglob("*")}


def expected_entries(root: Path) -> set[str]:
    """What a clean serving folder holds: the database, the pointer, the table links, builds."""
    parquet = root / "serving" / "parquet"
    builds = {f"parquet/{BUILDS}/{b.name}" for b in (parquet / BUILDS).iterdir()}
    files = {f"{b}/{t}.parquet" for b in builds for t in ("mart_a", "dim_b")}
    return (
        {
            "serving.duckdb",
            "parquet",
            f"parquet/{BUILDS}",
            f"parquet/{CURRENT_LINK}",
            f"parquet/{CURRENT_FILE}",
            "parquet/mart_a.parquet",
            "parquet/dim_b.parquet",
        }
        | builds
        | files
    )


def test_the_copy_carries_the_descriptions_given(tmp_path):
    """Descriptions become DuckDB comments on the copy's tables and columns; a description of a
    column the table lacks, or an empty one, writes nothing; quotes survive; a column is matched
    whatever the case of its name, as DuckDB matches identifiers."""
    con = make_warehouse(tmp_path / "warehouse.duckdb")
    docs = {
        "mart_a": TableDocs(
            "One row per i; the analyst's table", {"I": "The key", "gone": "no such column", "pad": ""}
        )
    }
    publish_serving_copy(con, tmp_path / "serving.duckdb", tmp_path / "parquet", docs=docs)
    with duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True) as serving:
        tables = dict(serving.execute("select table_name, comment from duckdb_tables()").fetchall())
        columns = serving.execute(
            "select table_name, column_name, comment from duckdb_columns() where comment is not null"
        ).fetchall()
    assert tables == {"mart_a": "One row per i; the analyst's table", "dim_b": None, "serving_info": None}
    assert columns == [("mart_a", "i", "The key")]


def test_the_paths_analysts_use_read_the_current_build(tmp_path):
    con = make_warehouse(tmp_path / "warehouse.duckdb")
    copy = publish(con, tmp_path)
    parquet = tmp_path / "serving" / "parquet"
    assert current_build(parquet) == copy.build_dir.resolve()
    assert (parquet / CURRENT_FILE).read_text().strip() == copy.build_dir.name
    assert len(pd.read_parquet(parquet / "mart_a.parquet")) == ROWS
    assert len(pd.read_parquet(parquet / "current" / "dim_b.parquet")) == ROWS
    with duckdb.connect(str(copy.database), read_only=True) as serving:
        assert serving.execute("select count(*) from marts.mart_a").fetchone() == (ROWS,)
        assert serving.execute("select parquet_build from serving_info").fetchone() == (copy.build_dir.name,)


def test_the_former_layout_is_replaced_in_place(tmp_path):
    """A serving folder of the former layout (plain files in parquet/) is taken over."""
    parquet = tmp_path / "serving" / "parquet"
    parquet.mkdir(parents=True)
    (parquet / "mart_a.parquet").write_text("old")
    (parquet / "mart_gone.parquet").write_text("old")
    publish(make_warehouse(tmp_path / "warehouse.duckdb"), tmp_path)
    assert (parquet / "mart_a.parquet").is_symlink()
    assert not (parquet / "mart_gone.parquet").exists()
    assert serving_entries(tmp_path) == expected_entries(tmp_path)


def test_leftovers_of_a_killed_publish_are_removed_by_the_next(tmp_path):
    serving = tmp_path / "serving"
    parquet = serving / "parquet"
    con = make_warehouse(tmp_path / "warehouse.duckdb")
    publish(con, tmp_path)
    # What a publish killed at various points leaves (the former layout's names too).
    (serving / ".serving.duckdb.dead0001.tmp").write_bytes(b"x" * 100)
    (serving / ".serving.duckdb.dead0001.tmp.wal").write_bytes(b"x")
    (serving / ".parquet.dead0002.tmp").mkdir()
    (serving / ".parquet.dead0002.tmp" / "mart_a.parquet").write_bytes(b"x")
    (serving / ".parquet.dead0003.old").mkdir()
    (parquet / BUILDS / ".20240101T000000000000Z-dead0004.tmp").mkdir()
    (parquet / BUILDS / ".20240101T000000000000Z-dead0004.tmp" / "mart_a.parquet").write_bytes(b"x")
    (parquet / ".current.dead0005.tmp").symlink_to("builds/nowhere")
    (parquet / ".CURRENT.dead0005.tmp").write_text("x")
    (parquet / ".mart_a.parquet.dead0005.tmp").symlink_to("current/mart_a.parquet")

    copy = publish(con, tmp_path)

    assert len(copy.removed_leftovers) == 8
    assert serving_entries(tmp_path) == expected_entries(tmp_path)


@pytest.mark.slow
def test_publishes_killed_with_sigkill_leave_nothing_after_the_next(tmp_path):
    """Eight publishes killed at different moments (a process of their own, SIGKILL), then one
    that completes: the serving folder holds exactly a clean copy."""
    warehouse = tmp_path / "warehouse.duckdb"
    make_warehouse(warehouse).close()
    script = textwrap.dedent(f"""
        import duckdb, sys
        from pathlib import Path
        from ingest.serving import publish_serving_copy
        con = duckdb.connect({str(warehouse)!r})
        root = Path({str(tmp_path)!r})
        print("start", flush=True)
        while True:
            publish_serving_copy(con, root / "serving" / "serving.duckdb", root / "serving" / "parquet")
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    leftovers_seen = 0
    for kill in range(8):
        process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
        assert process.stdout.readline().strip() == "start"
        time.sleep(0.15 + 0.11 * kill)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
        leftovers_seen += any(p.name.startswith(".") for p in (tmp_path / "serving").rglob("*"))
    with duckdb.connect(str(warehouse)) as con:
        publish(con, tmp_path)
    assert serving_entries(tmp_path) == expected_entries(tmp_path)
    assert len(list((tmp_path / "serving" / "parquet" / BUILDS).iterdir())) <= 2
    print(f"kills that left temporary files: {leftovers_seen} of 8")


def test_a_build_is_deleted_only_when_two_newer_builds_exist(tmp_path):
    con = make_warehouse(tmp_path / "warehouse.duckdb")
    copies = [publish(con, tmp_path)]
    for _ in range(3):
        copies.append(publish(con, tmp_path))
        newest, previous = copies[-1], copies[-2]
        assert newest.build_dir.exists() and previous.build_dir.exists()  # superseded once: kept
        if len(copies) >= 3:
            assert not copies[-3].build_dir.exists()  # superseded twice: gone
            assert copies[-1].pruned_builds == [copies[-3].build_dir]
    assert sorted(p.name for p in (tmp_path / "serving" / "parquet" / BUILDS).iterdir()) == [
        copies[-2].build_dir.name,
        copies[-1].build_dir.name,
    ]


@pytest.mark.slow
def test_readers_never_see_a_missing_file_or_a_torn_read_while_publishes_run(tmp_path):
    """30 publishes back to back while two readers read. The promise (ingest/serving.py) is for a
    reader that ends its read within a build cycle (a build's folder goes when two newer builds
    exist): so each publish waits until every reader has finished a read begun after the
    previous publish. Without that wait, a reader thread starved of CPU for two publishes (a
    quarter of a second each here) lost its build's files (CI, 2026-12-03); in production
    a build cycle is minutes."""
    con = make_warehouse(tmp_path / "warehouse.duckdb")
    publish(con, tmp_path)
    parquet = tmp_path / "serving" / "parquet"
    stop = threading.Event()
    reads, errors = [], []
    # per reader, the start time of its last finished read
    finished_read_started = [0.0, 0.0]

    def reader(index, path_of):
        reader_con = duckdb.connect()
        while not stop.is_set():
            started = time.monotonic()
            try:
                seen = []
                for path in path_of():
                    seen += reader_con.execute(
                        "select count(*), count(distinct generation), any_value(generation) "
                        "from read_parquet(?)",
                        [str(path)],
                    ).fetchall()
                reads.append(seen)
            except Exception as error:  # a missing file or a half-written one
                errors.append(repr(error))
            finished_read_started[index] = started

    def resolved():
        """Several tables of one build: resolve the pointer once, read them all."""
        build = current_build(parquet)
        return build / "mart_a.parquet", build / "dim_b.parquet", build / "*.parquet"

    def table_link():
        """What an analyst who never heard of builds does: the former path of one table."""
        return parquet / "mart_a.parquet", parquet / "*.parquet"

    threads = [threading.Thread(target=reader, args=args) for args in enumerate((resolved, table_link))]
    for thread in threads:
        thread.start()
    try:
        published = time.monotonic()
        for generation in range(1, 31):
            deadline = time.monotonic() + 60
            while min(finished_read_started) < published:
                assert time.monotonic() < deadline, "a reader did not finish a read in 60 s"
                time.sleep(0.01)
            set_generation(con, generation)
            publish(con, tmp_path)
            published = time.monotonic()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert len(reads) > 20
    for seen in reads:
        if len(seen) == 3:  # through the resolved pointer: every table whole, all from one build
            whole = [(ROWS, 1), (ROWS, 1), (2 * ROWS, 1)]
            assert [(rows, generations) for rows, generations, _ in seen] == whole
            assert len({generation for _, _, generation in seen}) == 1
        else:  # through the table links: each table whole (two links may each open another build)
            assert [rows for rows, _, _ in seen] == [ROWS, 2 * ROWS] and seen[0][1] == 1
    print(f"{len(reads)} reads during 30 publishes, none missing or torn")


def test_a_new_connection_sees_the_new_database_copy_unless_this_process_holds_the_old(tmp_path):
    """What the README says about the DuckDB file, checked: DuckDB caches a database per path in
    a process while any connection to it is open."""
    con = make_warehouse(tmp_path / "warehouse.duckdb")
    database = publish(con, tmp_path).database
    query = "select any_value(generation) from marts.mart_a"
    held = duckdb.connect(str(database), read_only=True)
    set_generation(con, 1)
    publish(con, tmp_path)
    assert held.execute(query).fetchone() == (0,)  # an open connection keeps its copy
    again = duckdb.connect(str(database), read_only=True)
    assert again.execute(query).fetchone() == (0,)  # same process, old copy still open: cached
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import duckdb; print(duckdb.connect({str(database)!r}, "
            f"read_only=True).execute({query!r}).fetchone()[0])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert other.stdout.strip() == "1"  # another process sees the new copy
    again.close()
    held.close()
    with duckdb.connect(str(database), read_only=True) as fresh:
        assert fresh.execute(query).fetchone() == (1,)  # every old connection closed: new copy


def test_a_publish_copies_again_only_the_tables_that_changed(tmp_path):
    """A table with the same columns, types and rows as at the last publish keeps its copy: its
    Parquet file is the last build's (a hard link), its table in the database file is the last
    file's. A changed table (a value, or only a column's name), a new one and one no longer
    published are each as the warehouse has them now."""
    con = make_warehouse(tmp_path / "warehouse.duckdb")
    first = publish(con, tmp_path)
    second = publish(con, tmp_path)  # nothing changed
    for table in ("mart_a", "dim_b"):
        assert (second.build_dir / f"{table}.parquet").samefile(first.build_dir / f"{table}.parquet")
    assert second.tables == first.tables == {"marts.dim_b": ROWS, "marts.mart_a": ROWS}

    con.execute("update marts.mart_a set pad = 'changed' where i = 7")
    con.execute("alter table marts.dim_b rename column generation to gen")  # same values
    con.execute("create table marts.fct_c as select 1 as one")
    third = publish(con, tmp_path)
    for table in ("mart_a", "dim_b"):
        assert not (third.build_dir / f"{table}.parquet").samefile(second.build_dir / f"{table}.parquet")
    assert third.tables["marts.fct_c"] == 1
    con.execute("drop table marts.fct_c")
    fourth = publish(con, tmp_path)
    assert (fourth.build_dir / "mart_a.parquet").samefile(third.build_dir / "mart_a.parquet")
    assert not (fourth.build_dir / "fct_c.parquet").exists() and "marts.fct_c" not in fourth.tables
    with duckdb.connect(str(fourth.database), read_only=True) as serving:
        assert serving.execute("select pad from marts.mart_a where i = 7").fetchone() == ("changed",)
        assert [c[0] for c in serving.execute("select * from marts.dim_b limit 0").description] == [
            "i",
            "gen",
            "pad",
        ]
        published = serving.execute("select table_name from duckdb_tables() order by 1").fetchall()
        assert published == [("dim_b",), ("mart_a",), ("serving_info",)]
    for table in ("mart_a", "dim_b"):  # the Parquet copies as the database's
        read = con.execute(f"select * from read_parquet('{fourth.build_dir / table}.parquet') order by i")
        assert read.fetchall() == con.execute(f"select * from marts.{table} order by i").fetchall()


def test_a_kept_table_is_the_warehouse_s_whatever_happened_to_the_last_copy(tmp_path, monkeypatch):
    """A publish that died between replacing the database file and switching the Parquet pointer,
    and a table of the database file changed by someone who opened it for writing: the next
    publish gives the warehouse's tables in both copies. A description no longer given is gone."""
    import ingest.serving as serving_module

    con = make_warehouse(tmp_path / "warehouse.duckdb")
    publish_serving_copy(
        con,
        tmp_path / "serving" / "serving.duckdb",
        tmp_path / "serving" / "parquet",
        docs={"mart_a": TableDocs("the A table", {"pad": "padding"})},
    )
    set_generation(con, 1)
    switch = serving_module._replace_symlink

    def dies(*args):
        raise OSError("killed")

    monkeypatch.setattr(serving_module, "_replace_symlink", dies)
    with pytest.raises(OSError):
        publish(con, tmp_path)
    monkeypatch.setattr(serving_module, "_replace_symlink", switch)
    with duckdb.connect(str(tmp_path / "serving" / "serving.duckdb")) as writer:  # an analyst writes
        writer.execute("delete from marts.dim_b where i < 10")
    copy = publish(con, tmp_path)  # nothing changed in the warehouse since the publish that died
    for table in ("mart_a", "dim_b"):
        wanted = con.execute(f"select * from marts.{table} order by i").fetchall()
        parquet = con.execute(f"select * from read_parquet('{copy.build_dir / table}.parquet') order by i")
        assert parquet.fetchall() == wanted
        with duckdb.connect(str(copy.database), read_only=True) as serving:
            assert serving.execute(f"select * from marts.{table} order by i").fetchall() == wanted
    with duckdb.connect(str(copy.database), read_only=True) as serving:
        comments = serving.execute(
            "select comment from duckdb_tables() where table_name = 'mart_a' union all "
            "select comment from duckdb_columns() where table_name = 'mart_a' and column_name = 'pad'"
        ).fetchall()
    assert comments == [(None,), (None,)]


def test_a_copy_mostly_free_space_is_not_started_from(tmp_path):
    """A large table replaced by a small one leaves the database file mostly free: the next
    publish starts from an empty file, which holds the same tables."""
    con = make_warehouse(tmp_path / "warehouse.duckdb")
    con.execute(
        "create table marts.fct_big as "
        "select i, md5(i::varchar) || md5((i + 1)::varchar) as pad from range(300000) t(i)"
    )
    publish(con, tmp_path)
    con.execute("create or replace table marts.fct_big as select 1 as i")
    publish(con, tmp_path)  # replaces fct_big: its old space is free in the copy
    big = (tmp_path / "serving" / "serving.duckdb").stat().st_size
    copy = publish(con, tmp_path)
    assert copy.database.stat().st_size < big / 2
    with duckdb.connect(str(copy.database), read_only=True) as serving:
        assert serving.execute("select * from marts.fct_big").fetchall() == [(1,)]
        assert serving.execute("select count(*) from marts.mart_a").fetchone() == (ROWS,)
