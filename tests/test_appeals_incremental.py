"""The appeals chain on an incremental run: it rewrites only the appeals the new day touched and
ends as a full rebuild would; a day loaded again or a day older than those seen rebuilds every
appeal (macros/appeals_increment.sql). The real load path, DuckDB and dbt, in a temp folder."""

import pytest
from appeal_files import appeal, event, write_jsonl
from dbt_commands import Dbt

from catalog.appeals import load_appeals, load_events
from ingest.duck import connect
from ingest.reference import load_working_calendar

pytestmark = pytest.mark.integration

DAY0, DAY1, DAY2, DAY3, DAY4 = "2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08"
CHAIN = {
    "staging.stg_eotinish__appeal_events": "event_id",
    "intermediate.int_appeals__current": "appeal_id",
    "intermediate.int_appeal_lifecycle": "appeal_id",
    "marts.fct_appeal_events": "event_id",
}
WATERMARK_COLUMNS = {
    "staging.stg_eotinish__appeal_events": ("_last_loaded_at",),
    "intermediate.int_appeals__current": ("_last_loaded_at",),
    "intermediate.int_appeal_lifecycle": ("_snapshots_loaded_at", "_events_loaded_at"),
    "marts.fct_appeal_events": ("_events_loaded_at", "_snapshots_loaded_at"),
}
# A mark (-1 in this column) on every stored row of one appeal: a run that rewrites that
# appeal wipes it.
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


def load(paths, days, loaders=(load_appeals, load_events)):
    con = connect(paths.warehouse_db, memory_limit="1GB")
    try:
        for loader in loaders:
            loader(con, paths.landing, days).raise_for_errors()
    finally:
        con.close()  # dbt opens the file next: DuckDB allows one writing process


def run_chain(dbt, *args):
    dbt("run", "--select", "+int_appeal_lifecycle", "+fct_appeal_events", *args)


def table_rows(paths, tables: dict[str, str]) -> dict[str, list[dict]]:
    """Every row of each table ({table: its key}), as {column: value}, in key order; without
    `_built_at`, the start of the dbt run that wrote the row (a rebuild gives it another)."""
    con = connect(paths.warehouse_db, memory_limit="1GB")
    try:
        rows = {}
        for table, key in tables.items():
            result = con.execute(f"select * from {table} order by {key}")
            names = [column[0] for column in result.description]
            rows[table] = [
                {name: value for name, value in zip(names, row, strict=True) if name != "_built_at"}
                for row in result.fetchall()
            ]
        return rows
    finally:
        con.close()


def chain(paths) -> dict[str, list[dict]]:
    """Every row of the four models."""
    return table_rows(paths, CHAIN)


def mark(paths, appeal_id):
    con = connect(paths.warehouse_db, memory_limit="1GB")
    try:
        for table, column in MARKED.items():
            con.execute(f"update {table} set {column} = -1 where appeal_id = ?", [appeal_id])
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
    # below the least appeal the next day touches: outside the bounds of its scan (appeal_id_bounds)
    early = appeal(0, DAY1)
    land(warehouse_paths, "appeals", DAY1, [early, first, second, bystander])
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
    # The snapshots' scan is bounded by the touched appeals' least and greatest id (constants DuckDB
    # checks against each row group: macros/appeals_increment.sql, appeal_id_bounds).
    compiled = next(dbt.target.glob("compiled/**/int_appeals__current.sql")).read_text()
    assert f"appeal_id between '{first_id}' and '{new_id}'" in compiled and early["id"] < first_id

    # Only the bystander kept its marks, and the second appeal where it has no new row: the
    # models of its events were rewritten for its late event, its snapshot was not.
    assert marked_appeals(warehouse_paths) == {
        **dict.fromkeys(MARKED, {bystander_id}),
        "intermediate.int_appeals__current": {bystander_id, second_id},
    }
    events = {row["event_id"]: row for row in incremental["staging.stg_eotinish__appeal_events"]}
    assert {e for e in events if events[e]["appeal_id"] == second_id} == {"e3", "e7"}
    assert events["e1"]["copies_received"] == 2  # the re-send counted
    assert "e8" in events

    run_chain(dbt, "--full-refresh")
    rebuilt = chain(warehouse_paths)
    mark(warehouse_paths, bystander_id)

    assert without(incremental, bystander_id, second_id) == without(rebuilt, bystander_id, second_id)
    # the second appeal's rows outside int_appeals__current, rewritten, equal the rebuilt ones
    for table in CHAIN.keys() - {"intermediate.int_appeals__current"}:
        assert [r for r in incremental[table] if r["appeal_id"] == second_id] == [
            r for r in rebuilt[table] if r["appeal_id"] == second_id
        ]
    assert all(
        len(rows) > len(without(rebuilt, bystander_id, second_id)[t]) > 0 for t, rows in rebuilt.items()
    )

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
        assert "e8" not in {row["event_id"] for row in corrected[table]}
    run_chain(dbt, "--full-refresh")
    assert chain(warehouse_paths) == corrected

    # A new day after every day seen is incremental again, each feed on its own: the events
    # (the new appeal closed, an event of an appeal without a snapshot), then that appeal's
    # snapshot, loaded later. The lifecycle and the fact run first while the events' staging
    # lags behind its feed; they must still take those events when it catches up.
    mark(warehouse_paths, bystander_id)
    late_id = appeal(77, DAY3)["id"]
    land(
        warehouse_paths,
        "appeal_events",
        DAY3,
        [
            event("e11", new_id, "CLOSED", f"{DAY3}T09:00:00"),
            event("e12", late_id, "CREATED", f"{DAY3}T09:30:00"),
        ],
    )
    land(warehouse_paths, "appeals", DAY3, [appeal(77, DAY3)])
    load(warehouse_paths, [DAY3], loaders=(load_events,))
    load(warehouse_paths, [DAY3], loaders=(load_appeals,))
    dbt("run", "--select", "int_appeals__current", "int_appeal_lifecycle", "fct_appeal_events")
    run_chain(dbt)
    incremental = chain(warehouse_paths)
    assert marked_appeals(warehouse_paths) == dict.fromkeys(MARKED, {bystander_id})
    lifecycle = {row["appeal_id"]: row for row in incremental["intermediate.int_appeal_lifecycle"]}
    assert (lifecycle[late_id]["event_count"], lifecycle[new_id]["event_count"]) == (1, 3)
    run_chain(dbt, "--full-refresh")
    assert without(incremental, bystander_id) == without(chain(warehouse_paths), bystander_id)

    # The next day re-sends the bystander's second event under the second appeal (an export
    # error). The bystander keeps the event (its copy is the earlier one) and counts the copy:
    # it is rebuilt too, although no new row names it.
    for appeal_id in (bystander_id, first_id):
        mark(warehouse_paths, appeal_id)
    land(warehouse_paths, "appeal_events", DAY4, [event("e5", second_id, "ASSIGNED", f"{DAY1}T11:00:00")])
    load(warehouse_paths, [DAY4], loaders=(load_events,))
    run_chain(dbt)
    resent = chain(warehouse_paths)
    current = "intermediate.int_appeals__current"
    assert marked_appeals(warehouse_paths) == {
        **dict.fromkeys(MARKED, {first_id}),
        current: {bystander_id, first_id},
    }
    e5 = {row["event_id"]: row for row in resent["staging.stg_eotinish__appeal_events"]}["e5"]
    assert (e5["appeal_id"], e5["copies_received"]) == (bystander_id, 2)
    run_chain(dbt, "--full-refresh")
    rebuilt = chain(warehouse_paths)
    assert {t: without(resent, first_id)[t] for t in CHAIN if t != current} == {
        t: without(rebuilt, first_id)[t] for t in CHAIN if t != current
    }
    assert (
        without(resent, bystander_id, first_id)[current] == without(rebuilt, bystander_id, first_id)[current]
    )

    # An events file of a day older than those seen: a re-send of the bystander's first event,
    # under the second appeal (an export error), becomes the kept copy and moves the event. The
    # models that read events rebuild every appeal; int_appeals__current reads no event.
    for appeal_id in (bystander_id, first_id):
        mark(warehouse_paths, appeal_id)
    land(warehouse_paths, "appeal_events", DAY0, [event("e4", second_id, "CREATED", f"{DAY0}T23:00:00")])
    load(warehouse_paths, [DAY0], loaders=(load_events,))
    run_chain(dbt)
    backfilled = chain(warehouse_paths)
    assert marked_appeals(warehouse_paths) == {
        **dict.fromkeys(MARKED, set()),
        "intermediate.int_appeals__current": {bystander_id, first_id},
    }
    events = {row["event_id"]: row for row in backfilled["staging.stg_eotinish__appeal_events"]}
    e4 = events["e4"]
    assert (e4["appeal_id"], str(e4["partition_date"]), e4["copies_received"]) == (second_id, DAY0, 2)
    run_chain(dbt, "--full-refresh")
    rebuilt = chain(warehouse_paths)
    assert {t: r for t, r in backfilled.items() if t != current} == {
        t: r for t, r in rebuilt.items() if t != current
    }
    assert (
        without(backfilled, bystander_id, first_id)[current]
        == without(rebuilt, bystander_id, first_id)[current]
    )

    # Tables built before the load-time columns existed: the first run rebuilds every appeal (the
    # columns are added empty before the strategy runs, which must not take them for a watermark).
    stale = "24030100000001"
    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB")
    try:
        for table, columns in WATERMARK_COLUMNS.items():
            for column in columns:
                con.execute(f"alter table {table} drop column {column}")
            con.execute(f"insert into {table} select * replace ('{stale}' as appeal_id) from {table} limit 1")
    finally:
        con.close()
    run_chain(dbt)
    assert chain(warehouse_paths) == rebuilt


def without(rows_by_table, *appeal_ids):
    """The rows of each table that name none of these appeals."""
    return {t: [r for r in rows if r["appeal_id"] not in appeal_ids] for t, rows in rows_by_table.items()}


def facts(paths) -> dict[str, dict]:
    """fct_appeals' rows by appeal id."""
    rows = table_rows(paths, {"marts.fct_appeals": "appeal_id"})["marts.fct_appeals"]
    return {row["appeal_id"]: row for row in rows}


def mark_facts(paths, appeal_ids):
    """A mark (-1 in event_count) on these appeals' rows of fct_appeals."""
    con = connect(paths.warehouse_db, memory_limit="1GB")
    try:
        con.execute(
            "update marts.fct_appeals set event_count = -1 where appeal_id in (select unnest(?))",
            [list(appeal_ids)],
        )
    finally:
        con.close()


def test_appeals_fact_incremental_runs_equal_a_full_rebuild(warehouse_paths, dbt):
    """fct_appeals rewrites the appeals whose snapshot or lifecycle changed, with every appeal of
    their applicants (under the old key and the new); every other row keeps its figures and takes
    the new as_of_date, an open one its new age and overdue flag too. A changed working calendar
    rebuilds every appeal."""
    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB")
    try:
        load_working_calendar(con)
    finally:
        con.close()
    iins = {key: f"9003153001{n:02d}" for n, key in enumerate(("k1", "k2", "k3", "k4"))}
    first_day = {
        "closed": appeal(1, DAY1, applicant_iin=iins["k1"]),  # no other appeal of its applicant
        "open": appeal(2, DAY1, applicant_iin=iins["k2"]),
        "later": appeal(3, DAY1, applicant_iin=iins["k3"]),  # its applicant's earlier one comes late
        "moved": appeal(4, DAY1, applicant_iin=iins["k4"]),  # its applicant is corrected the next day
        "second": appeal(5, DAY1, applicant_iin=iins["k4"]),
    }
    ids = {name: row["id"] for name, row in first_day.items()}
    land(warehouse_paths, "appeals", DAY1, list(first_day.values()))
    land(
        warehouse_paths,
        "appeal_events",
        DAY1,
        [event(f"c{n}", ids[name], "CREATED", f"{DAY1}T09:30:00") for n, name in enumerate(ids)]
        + [
            event(f"a{n}", ids[name], "ANSWERED", f"{DAY1}T15:00:00")
            for n, name in enumerate(("closed", "later", "moved", "second"))
        ],
    )
    load(warehouse_paths, [DAY1])
    dbt("run", "--select", "+fct_appeals")
    before = facts(warehouse_paths)
    assert not before[ids["later"]]["is_repeat_applicant"]
    assert before[ids["second"]]["is_repeat_applicant"]
    mark_facts(warehouse_paths, ids.values())

    # The next day: the open appeal is answered, an answered appeal of the third applicant started
    # before `later` arrives, `moved` gets the open appeal's applicant (`second` is no longer a
    # repeat), and a new appeal stays open.
    earlier = appeal(6, DAY0, applicant_iin=iins["k3"])
    fresh = appeal(7, DAY2, applicant_iin=iins["k2"])
    due = appeal(8, DAY1, deadline=DAY2, applicant_iin="900315300199")  # overdue from the next day
    moved = {**first_day["moved"], "applicant_iin": iins["k2"], "modified_date": f"{DAY2}T10:00:00"}
    land(warehouse_paths, "appeals", DAY2, [earlier, fresh, moved, due])
    land(
        warehouse_paths,
        "appeal_events",
        DAY2,
        [
            event("a9", ids["open"], "ANSWERED", f"{DAY2}T11:00:00"),
            event("a10", earlier["id"], "ANSWERED", f"{DAY2}T12:00:00"),
            event("c9", fresh["id"], "CREATED", f"{DAY2}T09:30:00"),
            event("c10", due["id"], "CREATED", f"{DAY1}T09:30:00"),
        ],
    )
    load(warehouse_paths, [DAY2])
    # The fact runs first while the lifecycle lags behind the snapshots: `moved` is rebuilt (its
    # new key is the open appeal's) and so must its old applicant's appeals be, now and later.
    dbt("run", "--select", "+int_appeals__current")
    dbt("run", "--select", "fct_appeals")
    assert not facts(warehouse_paths)[ids["second"]]["is_repeat_applicant"]
    dbt("run", "--select", "+fct_appeals")
    incremental = facts(warehouse_paths)
    assert {a for a, row in incremental.items() if row["event_count"] == -1} == {ids["closed"]}
    assert incremental[ids["later"]]["is_repeat_applicant"]
    assert not incremental[ids["second"]]["is_repeat_applicant"]
    assert {str(row["as_of_date"]) for row in incremental.values()} == {DAY2}
    assert incremental[due["id"]]["is_open"] and not incremental[due["id"]]["is_overdue_open"]
    dbt("run", "--select", "+fct_appeals", "--full-refresh")
    rebuilt = facts(warehouse_paths)
    assert rebuilt[ids["closed"]]["event_count"] == 2
    assert incremental == {**rebuilt, ids["closed"]: {**rebuilt[ids["closed"]], "event_count": -1}}

    # A day whose only row is an event of an appeal without a snapshot: no appeal of the fact
    # changes, but the data's last day moves, and with it the open appeal's age and overdue flag,
    # updated in place: no appeal is rebuilt (every mark stays). The open appeal is its applicant's
    # third and stays a repeat.
    mark_facts(warehouse_paths, rebuilt)
    land(
        warehouse_paths, "appeal_events", DAY3, [event("x1", "24030700000099", "CREATED", f"{DAY3}T09:00:00")]
    )
    load(warehouse_paths, [DAY3], loaders=(load_events,))
    dbt("run", "--select", "+fct_appeals")
    aged = facts(warehouse_paths)
    assert {a for a, row in aged.items() if row["event_count"] != -1} == set()
    assert aged[fresh["id"]]["working_days_open"] == rebuilt[fresh["id"]]["working_days_open"] + 1
    assert aged[fresh["id"]]["is_repeat_applicant"]
    assert aged[due["id"]]["is_overdue_open"]
    assert {str(row["as_of_date"]) for row in aged.values()} == {DAY3}
    dbt("run", "--select", "+fct_appeals", "--full-refresh")
    rebuilt = facts(warehouse_paths)
    assert aged == {a: {**row, "event_count": -1} for a, row in rebuilt.items()}

    # A new holiday in the working calendar (a reference reloaded): every appeal is rebuilt.
    mark_facts(warehouse_paths, rebuilt)
    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB")
    try:
        changed = con.execute(
            "update ref.kz_working_calendar set is_working_day = false "
            "where calendar_date = '2024-03-12' and is_working_day"
        ).fetchone()
        assert changed == (1,)
    finally:
        con.close()
    dbt("run", "--select", "+fct_appeals")
    recounted = facts(warehouse_paths)
    assert {a for a, row in recounted.items() if row["event_count"] == -1} == set()
    dbt("run", "--select", "+fct_appeals", "--full-refresh")
    assert recounted == facts(warehouse_paths)
    assert recounted[ids["closed"]]["default_deadline_date"] != aged[ids["closed"]]["default_deadline_date"]
