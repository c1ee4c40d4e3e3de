"""The appeals chain on an incremental run: it rewrites only the appeals the new day touched and
ends as a full rebuild would; a day loaded again or a day older than those seen rebuilds every
appeal (macros/appeals_increment.sql). The real load path, DuckDB and dbt, in a temp folder."""

import pytest
from appeal_files import appeal, event, write_jsonl
from dbt_commands import Dbt

from catalog.appeals import load_appeals, load_events
from ingest.duck import connect

pytestmark = pytest.mark.integration

DAY1, DAY2, DAY3, DAY0 = "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-04"
CHAIN = {
    "staging.stg_eotinish__appeal_events": "event_id",
    "intermediate.int_appeals__current": "appeal_id",
    "intermediate.int_appeal_lifecycle": "appeal_id",
    "marts.fct_appeal_events": "event_id",
}
# A mark on every stored row of one appeal: a run that rewrites that appeal wipes it.
MARKS = {
    "staging.stg_eotinish__appeal_events": "copies_received = -1",
    "intermediate.int_appeals__current": "snapshot_count = -1",
    "intermediate.int_appeal_lifecycle": "event_count = -1",
    "marts.fct_appeal_events": "copies_received = -1",
}
MARKED = {
    "staging.stg_eotinish__appeal_events": "copies_received",
    "intermediate.int_appeals__current": "snapshot_count",
    "intermediate.int_appeal_lifecycle": "event_count",
    "marts.fct_appeal_events": "copies_received",
}


@pytest.fixture(scope="module")
def dbt_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("dbt")


@pytest.fixture
def dbt(dbt_folder, warehouse_paths) -> Dbt:
    return Dbt(dbt_folder, warehouse_paths)


def land(paths, name, day, rows):
    write_jsonl(paths.landing / "eotinish" / f"{name}_{day}.jsonl", rows)


def load(paths, days):
    con = connect(paths.warehouse_db, memory_limit="1GB")
    try:
        load_appeals(con, paths.landing, days).raise_for_errors()
        load_events(con, paths.landing, days).raise_for_errors()
    finally:
        con.close()  # dbt opens the file next: DuckDB allows one writing process


def run_chain(dbt, *args):
    dbt("run", "--select", "+int_appeal_lifecycle", "+fct_appeal_events", *args)


def chain(paths) -> dict[str, list[tuple]]:
    con = connect(paths.warehouse_db, memory_limit="1GB")
    try:
        return {
            table: con.execute(f"select * from {table} order by {key}").fetchall()
            for table, key in CHAIN.items()
        }
    finally:
        con.close()


def mark(paths, appeal_id, tables=tuple(MARKS)):
    con = connect(paths.warehouse_db, memory_limit="1GB")
    try:
        for table in tables:
            assignment = MARKS[table]
            con.execute(f"update {table} set {assignment} where appeal_id = ?", [appeal_id])
    finally:
        con.close()


def marked_appeals(paths) -> dict[str, set[str]]:
    con = connect(paths.warehouse_db, memory_limit="1GB")
    try:
        return {
            table: {
                a
                for (a,) in con.execute(
                    f"select distinct appeal_id from {table} where {column} = -1"
                ).fetchall()
            }
            for table, column in MARKED.items()
        }
    finally:
        con.close()


def test_appeals_chain_incremental_runs_equal_a_full_rebuild(warehouse_paths, dbt):
    first, second, bystander = appeal(1, DAY1), appeal(2, DAY1), appeal(3, DAY1)
    new = appeal(5, DAY2)
    first_id, second_id, bystander_id, new_id = (a["id"] for a in (first, second, bystander, new))
    land(warehouse_paths, "appeals", DAY1, [first, second, bystander])
    land(
        warehouse_paths,
        "appeal_events",
        DAY1,
        [
            event("e1", first_id, "CREATED", f"{DAY1}T09:01:00"),
            event("e2", first_id, "ASSIGNED", f"{DAY1}T10:00:00"),
            event("e3", second_id, "CREATED", f"{DAY1}T09:02:00"),
            event("e4", bystander_id, "CREATED", f"{DAY0}T23:00:00"),  # exported a day late
            event("e5", bystander_id, "ASSIGNED", f"{DAY1}T11:00:00"),
        ],
    )
    load(warehouse_paths, [DAY1])
    run_chain(dbt)
    mark(warehouse_paths, bystander_id)
    mark(warehouse_paths, second_id)

    # The next day: a new snapshot of the first appeal and its answer, a re-send of its first
    # event, a late event of the second appeal placed before its first one, an event of an appeal
    # with no snapshot yet, and a new appeal.
    day2_events = [
        event("e6", first_id, "ANSWERED", f"{DAY2}T12:00:00"),
        event("e1", first_id, "CREATED", f"{DAY1}T09:01:00"),
        event("e7", second_id, "CREATED", f"{DAY1}T08:00:00"),
        event("e8", "24030600000099", "CREATED", f"{DAY2}T09:00:00"),
        event("e9", new_id, "CREATED", f"{DAY2}T09:05:00"),
        event("e10", new_id, "ASSIGNED", f"{DAY2}T10:00:00"),
    ]
    day2_appeals = [{**first, "current_state": "ANSWERED", "modified_date": f"{DAY2}T12:00:00"}, new]
    land(warehouse_paths, "appeals", DAY2, day2_appeals)
    land(warehouse_paths, "appeal_events", DAY2, day2_events)
    load(warehouse_paths, [DAY2])
    run_chain(dbt)
    incremental = chain(warehouse_paths)

    # Only the bystander kept its marks, and the second appeal where it has no new row: the
    # models of its events were rewritten for its late event, its snapshot was not.
    assert marked_appeals(warehouse_paths) == {
        **dict.fromkeys(MARKED, {bystander_id}),
        "intermediate.int_appeals__current": {bystander_id, second_id},
    }
    events = {row[0]: row for row in incremental["staging.stg_eotinish__appeal_events"]}
    assert {e for e in events if events[e][1] == second_id} == {"e3", "e7"}
    assert events["e1"][13] == 2  # copies_received: the re-send counted
    assert "e8" in events

    run_chain(dbt, "--full-refresh")
    rebuilt = chain(warehouse_paths)
    mark(warehouse_paths, bystander_id)

    def unmarked(rows_by_table):
        return {
            t: [r for r in rows if not {bystander_id, second_id} & set(r)]
            for t, rows in rows_by_table.items()
        }

    assert unmarked(incremental) == unmarked(rebuilt)
    # the second appeal's rows outside int_appeals__current, rewritten, equal the rebuilt ones
    for table in CHAIN.keys() - {"intermediate.int_appeals__current"}:
        assert [r for r in incremental[table] if second_id in r] == [
            r for r in rebuilt[table] if second_id in r
        ]
    assert all(len(rows) > len(unmarked(rebuilt)[t]) > 0 for t, rows in rebuilt.items())

    # Both of the next day's exports again, corrected: the event of an appeal without a snapshot
    # was sent by mistake, and the first appeal's state differs. No row of the corrected files
    # names that appeal; the day was seen already, so the run rebuilds every appeal (the marks
    # go) and the event leaves.
    land(warehouse_paths, "appeals", DAY2, [{**day2_appeals[0], "current_state": "ASSIGNED"}, new])
    land(warehouse_paths, "appeal_events", DAY2, [e for e in day2_events if e["id"] != "e8"])
    load(warehouse_paths, [DAY2])
    run_chain(dbt)
    corrected = chain(warehouse_paths)
    assert marked_appeals(warehouse_paths) == dict.fromkeys(MARKED, set())
    for table in ("staging.stg_eotinish__appeal_events", "marts.fct_appeal_events"):
        assert "e8" not in {row[0] for row in corrected[table]}
    run_chain(dbt, "--full-refresh")
    assert chain(warehouse_paths) == corrected

    # A new day after every day seen is incremental again; an events file of a day older than
    # those seen rebuilds every appeal of the models that read events.
    events_models = tuple(MARKS.keys() - {"intermediate.int_appeals__current"})
    mark(warehouse_paths, bystander_id, events_models)
    land(warehouse_paths, "appeal_events", DAY3, [event("e11", new_id, "CLOSED", f"{DAY3}T09:00:00")])
    load(warehouse_paths, [DAY3])
    run_chain(dbt)
    assert marked_appeals(warehouse_paths) == {
        **dict.fromkeys(events_models, {bystander_id}),
        "intermediate.int_appeals__current": set(),
    }
    # the bystander's first event arrived a day early, in a file nobody loaded until now
    land(warehouse_paths, "appeal_events", DAY0, [event("e4", bystander_id, "CREATED", f"{DAY0}T23:00:00")])
    load(warehouse_paths, [DAY0])
    run_chain(dbt)
    backfilled = chain(warehouse_paths)
    assert marked_appeals(warehouse_paths) == dict.fromkeys(MARKED, set())
    kept = {row[0]: row for row in backfilled["staging.stg_eotinish__appeal_events"]}["e4"]
    assert (str(kept[12]), kept[13]) == (DAY0, 2)  # the earlier copy is now the kept one
    run_chain(dbt, "--full-refresh")
    assert chain(warehouse_paths) == backfilled
