"""Data tests that grow with the new rows (macros/tested_rows.sql): a test given new_rows_column
checks the rows loaded or built since its table's last passing run, a new key against the whole
table; a failing run records nothing; --full-refresh checks every row. The real load path, DuckDB
and dbt, in a temp folder."""

import subprocess
from datetime import UTC, datetime

import pytest
from appeal_files import appeal, write_jsonl
from dbt_commands import Dbt

from catalog.appeals import load_appeals
from ingest.duck import connect

pytestmark = pytest.mark.integration

DAY = "2024-03-05"
STAGING = "staging.stg_eotinish__appeals"  # a view over raw.eotinish_appeals; new_rows_column _loaded_at
SELECT = ["--select", "stg_eotinish__appeals"]


def sql(paths, query, *params):
    con = connect(paths.warehouse_db, memory_limit="1GB")
    try:
        return con.execute(query, list(params)).fetchall()
    finally:
        con.close()  # dbt opens the file next: DuckDB allows one writing process


def last_pass(paths):
    rows = sql(paths, "select tested_through from meta.dbt_tested_rows where relation_name = ?", STAGING)
    return rows[0][0] if rows else None


def plant(paths, loaded_at, **replace) -> None:
    """A copy of the first raw row, loaded at `loaded_at` (load id 'planted'): the same file and
    line, a duplicate key of the staging model."""
    changes = "".join(f", {value} as {column}" for column, value in replace.items())
    sql(
        paths,
        "insert into raw.eotinish_appeals select * replace "
        f"(?::timestamp as _loaded_at, 'planted' as _load_id{changes}) "
        "from raw.eotinish_appeals order by _source_row limit 1",
        loaded_at,
    )


def unplant(paths) -> None:
    sql(paths, "delete from raw.eotinish_appeals where _load_id = 'planted'")


def test_a_test_checks_the_rows_since_its_last_passing_run(warehouse_paths, tmp_path):
    (tmp_path / "dbt").mkdir()
    dbt = Dbt(tmp_path / "dbt", warehouse_paths)
    write_jsonl(
        warehouse_paths.landing / "eotinish" / f"appeals_{DAY}.jsonl", [appeal(1, DAY), appeal(2, DAY)]
    )
    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB")
    try:
        load_appeals(con, warehouse_paths.landing, [DAY]).raise_for_errors()
    finally:
        con.close()
    dbt("build", *SELECT)
    passed = last_pass(warehouse_paths)
    assert passed is not None
    ((loaded_at,),) = sql(warehouse_paths, "select max(_loaded_at) from raw.eotinish_appeals")
    assert loaded_at < passed

    # A bad row from before the last passing run is not checked again: the tests read the new rows.
    plant(warehouse_paths, str(loaded_at))
    dbt("test", *SELECT)
    assert last_pass(warehouse_paths) > passed
    # --full-refresh checks every row
    with pytest.raises(subprocess.CalledProcessError):
        dbt("build", "--full-refresh", *SELECT)
    # and so does a run whose tests or model differ from those the record was made with (its
    # fingerprint: here made stale by hand, as a changed test's arguments or view's SQL make it)
    sql(
        warehouse_paths,
        "update meta.dbt_tested_rows set fingerprint = 'another' where relation_name = ?",
        STAGING,
    )
    with pytest.raises(subprocess.CalledProcessError):
        dbt("test", *SELECT)
    unplant(warehouse_paths)

    # A new row whose key repeats an old row's fails; the failing run records nothing, so the next
    # run checks that row again and fails again, until it is gone.
    for changes in ({}, {"current_state": "null", "_source_row": "999"}):
        plant(warehouse_paths, str(datetime.now(UTC).replace(tzinfo=None)), **changes)
        passed = last_pass(warehouse_paths)
        for _ in range(2):
            with pytest.raises(subprocess.CalledProcessError):
                dbt("test", *SELECT)
            assert last_pass(warehouse_paths) == passed
        unplant(warehouse_paths)
        dbt("test", *SELECT)
        assert last_pass(warehouse_paths) > passed

    # A run on empty inputs (which builds the view empty) passes and records nothing.
    passed = last_pass(warehouse_paths)
    dbt("build", "--empty", *SELECT)
    assert last_pass(warehouse_paths) == passed

    # A table not yet rebuilt since its model gained the column (a `dbt test` before the build
    # after an upgrade): its rows are all checked, not asked for a column they lack.
    sql(
        warehouse_paths,
        f"create table staging.built_before as select * exclude (_loaded_at) from {STAGING}; "
        f"drop view {STAGING}; alter table staging.built_before rename to stg_eotinish__appeals",
    )
    dbt("test", *SELECT)
    assert last_pass(warehouse_paths) > passed
    dbt("build", *SELECT)
