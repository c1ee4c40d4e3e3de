"""The appeals chain on an incremental run gives what a full rebuild gives: the real loaders, DuckDB
and dbt in a temp folder, on the synthetic generator's days (re-sent and late events, repeat
applicants, appeals modified over several days).

History: every day but the last, loaded and built. Then the last day lands and the chain runs
incrementally; every row of every model it touches must equal a `--full-refresh` build over the
same raw tables, and an appeal the new day does not touch must not have been rewritten. Then a
day already built is replaced by a file with rows removed (a re-export): the incremental run must
drop what left raw, again equal to a full rebuild."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.appeals import load_appeals, load_events
from demo.appeals import write_scale_appeals
from ingest.duck import connect
from ingest.reference import load_kato, load_regions, load_working_calendar

pytestmark = pytest.mark.integration

PROJECT = Path(__file__).resolve().parent.parent / "dbt_project"
# What the new loads reach in the appeals chain, and the models whose rows are compared.
SELECT = "source:raw.eotinish_appeals+ source:raw.eotinish_appeal_events+"
# The first build: those models and everything they need (the working-day calendar).
SELECT_ALL = "@source:raw.eotinish_appeals @source:raw.eotinish_appeal_events"
MODELS = {
    "staging.stg_eotinish__appeal_events": "event_id",
    "intermediate.int_appeal_lifecycle": "appeal_id",
    "marts.fct_appeals": "appeal_id",
    "marts.fct_appeal_events": "event_id",
    "marts.mart_appeals_daily": "breakdown, region_kato_2digit, calendar_date",
    "marts.mart_appeals_sla": "executive_org_id, region_kato_2digit, category_id, month_start",
}


def dbt(tmp_path, *args, select=SELECT):
    subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            *args,
            "--quiet",
            "--project-dir",
            str(PROJECT),
            "--profiles-dir",
            str(PROJECT),
            "--target-path",
            str(tmp_path / "target"),
            "--select",
            select,
            "--indirect-selection",
            "cautious",
        ],
        check=True,
        env=dict(os.environ),
        cwd=PROJECT,
        timeout=900,
    )


def load(paths, days):
    con = connect(paths.warehouse_db, memory_limit="1GB")
    try:
        load_appeals(con, paths.landing, days).raise_for_errors()
        load_events(con, paths.landing, days).raise_for_errors()
    finally:
        con.close()  # dbt opens the file next: DuckDB allows one writing process


def rows(paths) -> dict[str, list[tuple]]:
    con = connect(paths.warehouse_db, memory_limit="1GB")
    try:
        return {
            model: con.execute(f"select * from {model} order by {order}").fetchall()
            for model, order in MODELS.items()
        }
    finally:
        con.close()


def assert_same(incremental: dict, full: dict):
    for model in MODELS:
        assert len(incremental[model]) == len(full[model]), model
        assert incremental[model] == full[model], model


@pytest.fixture
def history(warehouse_paths, tmp_path):
    """The generator's days in a source folder; all but the last landed, loaded and built."""
    source = tmp_path / "generated"
    write_scale_appeals(source, events=4_000, seed=11, progress=False, days=14)
    files = sorted(source.glob("*.jsonl"))
    days = sorted({p.stem.rsplit("_", 1)[1] for p in files})
    landing = warehouse_paths.landing / "eotinish"
    landing.mkdir(parents=True, exist_ok=True)
    for path in files:
        if not path.stem.endswith(days[-1]):
            (landing / path.name).write_bytes(path.read_bytes())
    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB")
    try:
        load_kato(con)
        load_regions(con)
        load_working_calendar(con)
    finally:
        con.close()
    load(warehouse_paths, days[:-1])
    dbt(tmp_path, "build", select=SELECT_ALL)
    return source, landing, days


def test_incremental_day_equals_full_rebuild(warehouse_paths, tmp_path, history):
    source, landing, days = history
    new_day = days[-1]
    for path in source.glob(f"*_{new_day}.jsonl"):
        (landing / path.name).write_bytes(path.read_bytes())
    load(warehouse_paths, [new_day])
    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB")
    try:
        # An appeal the new day reaches neither directly nor through its applicant, marked: an
        # incremental run must leave its row (and only move it to the new as_of_date).
        untouched = con.execute(
            f"""
            with new_ids as (
                select id::varchar as appeal_id from raw.eotinish_appeals where _partition_date = '{new_day}'
                union
                select appeal_id::varchar from raw.eotinish_appeal_events where _partition_date = '{new_day}'
            )
            select appeal_id from marts.fct_appeals
            where
                appeal_id not in (select appeal_id from new_ids)
                and is_open
                and (
                    applicant_key is null
                    or applicant_key not in (
                        select applicant_key from marts.fct_appeals
                        where appeal_id in (select appeal_id from new_ids) and applicant_key is not null
                    )
                )
            order by appeal_id limit 1
            """
        ).fetchone()[0]
        reg_number = con.execute(
            "select reg_number from marts.fct_appeals where appeal_id = ?", [untouched]
        ).fetchone()[0]
        con.execute("update marts.fct_appeals set reg_number = 'marked' where appeal_id = ?", [untouched])
        old_as_of = con.execute("select max(as_of_date) from marts.fct_appeals").fetchone()[0]
    finally:
        con.close()

    dbt(tmp_path, "build")  # incremental, with the models' tests
    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB")
    try:
        marked = con.execute(
            "select reg_number, as_of_date from marts.fct_appeals where appeal_id = ?", [untouched]
        ).fetchone()
        assert marked[0] == "marked"  # not rebuilt ...
        assert str(marked[1]) == new_day != str(old_as_of)  # ... but moved to the new as_of_date
        con.execute(
            "update marts.fct_appeals set reg_number = ? where appeal_id = ?", [reg_number, untouched]
        )
    finally:
        con.close()
    incremental = rows(warehouse_paths)

    dbt(tmp_path, "run", "--full-refresh")
    assert_same(incremental, rows(warehouse_paths))


def test_replaced_day_is_rebuilt_whole(warehouse_paths, tmp_path, history):
    """A re-export of a day already built, without some of its rows: they leave the chain."""
    source, landing, days = history
    day = days[-3]
    for kind in ("appeals", "appeal_events"):
        path = landing / f"{kind}_{day}.jsonl"
        lines = path.read_text().splitlines(keepends=True)
        path.unlink()  # a new file version: a new inode and content
        path.write_text("".join(lines[: len(lines) * 9 // 10]))  # the revision guard holds back > 20 %
    load(warehouse_paths, [day])
    dbt(tmp_path, "run")
    incremental = rows(warehouse_paths)
    dbt(tmp_path, "run", "--full-refresh")
    full = rows(warehouse_paths)
    assert_same(incremental, full)
    # the rows removed from the day are gone (a day's file removed from raw some events)
    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB")
    try:
        raw = con.execute("select count(distinct id) from raw.eotinish_appeal_events").fetchone()[0]
    finally:
        con.close()
    assert len(full["staging.stg_eotinish__appeal_events"]) == raw
