"""Tests of demo.appeals: the bundled eOtinish demo set, seeds and the scale writer."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import holidays
import pytest

from demo.appeals import (
    is_valid_iin,
    main,
    write_bundled_appeals,
    write_reference_seeds,
    write_scale_appeals,
)
from ingest.eotinish_schema import (
    APPEAL_SOURCE_COLUMNS,
    APPEAL_STATES,
    EVENT_SOURCE_COLUMNS,
    EVENT_TYPES,
    WORKING_STATES,
)

START, DAYS = date(2024, 1, 1), 40
APPEAL_COLS = {n: t for n, t in APPEAL_SOURCE_COLUMNS}
EVENT_COLS = {n: t for n, t in EVENT_SOURCE_COLUMNS}
KATO_FILES = [
    Path(__file__).resolve().parent.parent / "data/reference/kato_2022-10-17_ru.csv",
    Path("/work/shared/reference/kato_2022-10-17_ru.csv"),
]


def _columns_sql(cols: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{n}': '{t}'" for n, t in cols.items()) + "}"


def _read(con: duckdb.DuckDBPyConnection, out: Path, prefix: str, cols: dict[str, str]) -> str:
    """A UNION of the JSON Lines and CSV files of one kind, with the file's day."""
    spec = _columns_sql(cols)
    return f"""
        SELECT *, regexp_extract(filename, '(\\d{{4}}-\\d{{2}}-\\d{{2}})', 1)::DATE AS file_day
        FROM read_json('{out}/{prefix}_*.jsonl', format = 'newline_delimited', columns = {spec},
                       filename = true)
        UNION ALL BY NAME
        SELECT *, regexp_extract(filename, '(\\d{{4}}-\\d{{2}}-\\d{{2}})', 1)::DATE AS file_day
        FROM read_csv('{out}/{prefix}_*.csv', header = true, columns = {spec}, filename = true,
                      quote = '"', escape = '"')"""


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("appeals")
    return out, write_bundled_appeals(out, START, DAYS)


@pytest.fixture(scope="module")
def con(bundled: tuple[Path, list[Path]]) -> duckdb.DuckDBPyConnection:
    out, _ = bundled
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    c.execute(f"CREATE TABLE appeals AS {_read(c, out, 'appeals', APPEAL_COLS)}")
    c.execute(f"CREATE TABLE events AS {_read(c, out, 'appeal_events', EVENT_COLS)}")
    return c


def _one(con: duckdb.DuckDBPyConnection, q: str) -> object:
    return con.execute(q).fetchone()[0]


def test_deterministic_bytes_and_file_names(tmp_path: Path) -> None:
    a = write_bundled_appeals(tmp_path / "a", START, 5)
    b = write_bundled_appeals(tmp_path / "b", START, 5)
    assert [p.name for p in a] == [p.name for p in b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b, strict=True))
    names = [p.name for p in a]
    assert names[:2] == ["appeals_2024-01-01.jsonl", "appeal_events_2024-01-01.jsonl"]
    assert "appeals_2024-01-04.csv" in names
    assert write_bundled_appeals(tmp_path / "c", START, 5, seed=1)[0].read_bytes() != a[0].read_bytes()


@pytest.mark.slow
def test_headers_and_keys_equal_the_contract(bundled) -> None:
    _, paths = bundled
    import json

    kinds = {"appeals": list(APPEAL_COLS), "appeal_events": list(EVENT_COLS)}
    seen = set()
    for p in paths:
        cols = kinds[p.name.rsplit("_", 1)[0]]
        if p.suffix == ".csv":
            with p.open(encoding="utf-8") as fh:
                assert next(csv.reader(fh)) == cols
        else:
            with p.open(encoding="utf-8") as fh:
                for line in list(fh)[:50]:
                    assert list(json.loads(line)) == cols
        seen.add((p.name.rsplit("_", 1)[0], p.suffix))
    assert seen == {
        ("appeals", ".csv"),
        ("appeals", ".jsonl"),
        ("appeal_events", ".csv"),
        ("appeal_events", ".jsonl"),
    }


def test_value_sets_and_volumes(con) -> None:
    for col, allowed in (("current_state", APPEAL_STATES), ("current_working_state", WORKING_STATES)):
        vals = {r[0] for r in con.execute(f"SELECT DISTINCT {col} FROM appeals").fetchall()}
        assert vals <= set(allowed), col
    ev_types = {r[0] for r in con.execute("SELECT DISTINCT type FROM events").fetchall()}
    assert ev_types <= set(EVENT_TYPES) and {"FORWARD", "ANSWER", "PROLONG"} <= ev_types
    per_day = dict(
        con.execute("""SELECT start_date::DATE, count(DISTINCT id) FROM appeals
                                  GROUP BY 1""").fetchall()
    )
    assert per_day[date(2024, 1, 10)] > 3 * per_day[date(2024, 1, 13)]  # Wednesday vs Saturday
    assert _one(con, "SELECT count(*) FILTER (is_duplicate_of IS NOT NULL) FROM appeals") > 0
    assert _one(con, "SELECT count(*) FILTER (appeal_character = 'COLLECTIVE') FROM appeals") > 0
    assert _one(con, "SELECT count(DISTINCT language_id) FROM appeals") >= 2


def test_locations_are_real_kato_codes(con) -> None:
    kato = next((p for p in KATO_FILES if p.exists()), None)
    if kato is None:
        pytest.skip("KATO classifier file not available")
    with kato.open(encoding="utf-8-sig") as fh:
        codes = {row["code"] for row in csv.DictReader(fh, delimiter=";")}
    used = {r[0] for r in con.execute("SELECT DISTINCT location_id FROM appeals").fetchall()}
    assert used and used <= codes
    assert all(len(c) == 9 for c in used)


def _add_working_days(d: date, n: int) -> date:
    kz = holidays.country_holidays("KZ")
    while n:
        d += timedelta(days=1)
        if d.weekday() < 5 and d not in kz:
            n -= 1
    return d


def test_deadlines_are_15_working_days_plus_prolongation(con) -> None:
    rows = con.execute("""SELECT DISTINCT start_date::DATE, prolong_days, deadline FROM appeals
                          """).fetchall()
    assert any(p > 0 for _, p, _ in rows)
    for start, prolong, deadline in rows:
        assert deadline == _add_working_days(start, 15 + prolong), (start, prolong)


def test_iins_are_valid_and_some_repeat(con) -> None:
    iins = [r[0] for r in con.execute("SELECT DISTINCT applicant_iin FROM appeals").fetchall()]
    assert iins and all(is_valid_iin(i) for i in iins)
    repeat = _one(
        con,
        """SELECT count(*) FROM (SELECT applicant_iin FROM appeals
                          GROUP BY 1 HAVING count(DISTINCT id) > 1)""",
    )
    assert repeat > 0.05 * len(iins)
    assert _one(con, "SELECT count(*) FROM appeals WHERE data SIMILAR TO '.*\\d{12}.*'") > 0


def test_late_out_of_order_and_resent_events(con, bundled) -> None:
    late = _one(con, "SELECT avg((date::DATE < file_day)::INT) FROM events")
    assert 0.01 < late < 0.06
    assert _one(con, "SELECT max(file_day - date::DATE) FROM events") <= 10 + 7
    resent = _one(con, "SELECT count(*) FROM (SELECT id FROM events GROUP BY 1 HAVING count(*) > 1)")
    assert resent > 0
    out, _ = bundled
    # within a file rows are not in time order
    p = out / "appeal_events_2024-01-10.jsonl"
    dates = [
        r[0]
        for r in con.execute(f"""SELECT date FROM read_json('{p}',
             columns = {_columns_sql(EVENT_COLS)})""").fetchall()
    ]
    assert dates != sorted(dates)
    # an appeal's snapshot appears again on each day it changed
    assert _one(con, "SELECT max(n) FROM (SELECT count(*) n FROM appeals GROUP BY id)") >= 3


def test_answers_after_deadline_and_open_at_end(con) -> None:
    last = con.execute("""SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER
                          (PARTITION BY id ORDER BY modified_date DESC) rn FROM appeals)
                          WHERE rn = 1""").df()
    answered = last[last.finish_date.notna()]
    late = (answered.finish_date.dt.date > answered.deadline.dt.date).mean()
    assert 0.01 < late < 0.2
    assert (last.current_state.isin(["CREATED", "ASSIGNED", "IN_PROGRESS", "PROLONGED"])).sum() > 0
    assert last.complaint_exist.any()


def test_snapshots_consistent_with_events(con) -> None:
    # every snapshot's state is the state of one of that appeal's events that day (or earlier)
    bad = _one(
        con,
        """SELECT count(*) FROM appeals a WHERE NOT EXISTS (
                       SELECT 1 FROM events e WHERE e.appeal_id = a.id
                       AND e.state = a.current_state AND e.date <= a.modified_date)""",
    )
    total = _one(con, "SELECT count(*) FROM appeals")
    assert bad < 0.02 * total  # only events arriving after the period are missing


def test_seeds_cover_every_id_used(con, tmp_path: Path) -> None:
    org_path, cat_path = write_reference_seeds(tmp_path)
    with org_path.open(encoding="utf-8") as fh:
        orgs = list(csv.DictReader(fh))
    with cat_path.open(encoding="utf-8") as fh:
        cats = list(csv.DictReader(fh))
    org_ids = {int(o["org_id"]) for o in orgs}
    assert {o["org_kind"] for o in orgs} <= {"ministry", "akimat", "agency", "court", "other"}
    assert all(o["parent_org_id"] == "" or int(o["parent_org_id"]) in org_ids for o in orgs)
    used = {
        r[0]
        for r in con.execute("""SELECT org_id FROM appeals UNION SELECT executive_org_id
             FROM appeals WHERE executive_org_id IS NOT NULL UNION SELECT actor_org_id FROM events
             UNION SELECT target_org_id FROM events WHERE target_org_id IS NOT NULL""").fetchall()
    }
    assert used <= org_ids
    top = {c["category_id"] for c in cats if c["parent_category_id"] == ""}
    subs = {c["category_id"]: c["parent_category_id"] for c in cats if c["parent_category_id"]}
    pairs = con.execute("SELECT DISTINCT issue_category_id, subissue_category_id FROM appeals").fetchall()
    assert all(i in top and subs[s] == i for i, s in pairs)
    committed = Path(__file__).resolve().parent.parent / "dbt_project/seeds"
    for p in (org_path, cat_path):
        assert (committed / p.name).read_bytes() == p.read_bytes()


@pytest.mark.slow
def test_scale_writer_small(tmp_path: Path) -> None:
    paths = write_scale_appeals(tmp_path, events=60_000, seed=3, progress=False)
    assert len(paths) == 2 * 14
    c = duckdb.connect()
    ev = _read(c, tmp_path, "appeal_events", EVENT_COLS).split("UNION ALL BY NAME")[0]
    ap = _read(c, tmp_path, "appeals", APPEAL_COLS).split("UNION ALL BY NAME")[0]
    n, distinct, late = c.execute(f"""SELECT count(*), count(DISTINCT id),
                                     avg((date::DATE < file_day)::INT) FROM ({ev})""").fetchone()
    assert 50_000 < n < 70_000 and distinct < n and 0.005 < late < 0.06
    iins, states = c.execute(f"""SELECT list(DISTINCT applicant_iin),
                                 list(DISTINCT current_state) FROM ({ap})""").fetchone()
    assert all(is_valid_iin(i) for i in iins) and set(states) <= set(APPEAL_STATES)
    bad = c.execute(f"SELECT count(*) FROM ({ap}) WHERE current_state IS NULL OR org_id IS NULL").fetchone()[
        0
    ]
    assert bad == 0
    assert datetime(2024, 1, 1) <= c.execute(f"SELECT min(date) FROM ({ev})").fetchone()[0]


def test_cli_seeds(tmp_path: Path) -> None:
    assert main(["seeds", str(tmp_path)]) == 0
    assert (tmp_path / "eotinish_organisations.csv").exists()
