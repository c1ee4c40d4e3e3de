"""The bilateral agenda feed (data/bilateral/*.yaml): the reviewed files load and validate; a
malformed entry is rejected with its file, line and field, leaving the loaded tables as they were;
reloading changes nothing."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from catalog.reference import load_bilateral
from ingest.bilateral import BUNDLED_BILATERAL_DIR, TABLES, read_bilateral_file, summarise_bilateral
from ingest.duck import connect
from ingest.loads import LoadError
from ingest.settings import WarehousePaths

# Loads through DuckDB and Great Expectations, seconds each: not in `make test-fast`.
pytestmark = pytest.mark.slow

TABLE_NAMES = list(TABLES)


def snapshot(con) -> dict[str, list[tuple]]:
    """Every loaded row except the load time."""
    return {
        table: con.execute(f"select * exclude (_loaded_at) from raw.{table} order by all").fetchall()
        for table in TABLE_NAMES
    }


@pytest.fixture
def folder(tmp_path) -> Path:
    """A copy of the bundled files to break."""
    return Path(shutil.copytree(BUNDLED_BILATERAL_DIR, tmp_path / "bilateral"))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A warehouse with the bundled files loaded, and their rows: shared by the tests whose loads
    are rejected (which must leave it as it is) and the idempotence test."""
    root = tmp_path_factory.mktemp("bilateral_warehouse")
    paths = WarehousePaths(root=root / "warehouse", landing=root / "landing")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in paths.export_env().items():
            patch.setenv(name, value)
        con = connect(paths.warehouse_db, memory_limit="1GB")
        load_bilateral(con)
        yield con, snapshot(con)
        con.close()


def load_statuses(con) -> list[str]:
    return [
        status
        for (status,) in con.execute(
            "select status from meta.loads where feed = 'bilateral' order by started_at"
        ).fetchall()
    ]


def line_of(path: Path, text: str) -> int:
    """1-based line of the first line containing `text`."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def replace_once(path: Path, old: str, new: str) -> int:
    content = path.read_text()
    assert content.count(old) >= 1, old
    line = line_of(path, old)
    path.write_text(content.replace(old, new, 1))
    return line


def test_bundled_files_load_and_validate(warehouse):
    counts = load_bilateral(warehouse)
    assert counts["bilateral_events"] >= 5 and counts["bilateral_commitments"] >= 3
    assert counts == {
        table: warehouse.execute(f"select count(*) from raw.{table}").fetchall()[0][0]
        for table in TABLE_NAMES
    }
    (visit,) = warehouse.execute("""
        select date, type, parties, _source_row, length(_file_sha256), _source_file
        from raw.bilateral_events where id = 'ev_2023_08_26_state_visit_astana'
    """).fetchall()
    assert visit[:3] == (date(2023, 8, 26), "state_visit", ["KZ", "TJ"])
    events_file = BUNDLED_BILATERAL_DIR / "events.yaml"
    assert visit[3] == line_of(events_file, "- id: ev_2023_08_26_state_visit_astana")
    assert visit[4] == 64 and visit[5].endswith("events.yaml")
    (target,) = warehouse.execute("""
        select indicator, target_value, deadline, deadline_is_assumed, reaffirmed_by
        from raw.bilateral_commitments where id = 'cm_trade_turnover_2bn_by_2027'
    """).fetchall()
    assert target[:4] == ("trade_turnover_usd", 2e9, date(2027, 12, 31), False)
    summary = summarise_bilateral(warehouse)
    assert summary["events"] == counts["bilateral_events"]
    assert summary["first_event"] <= "2023-08-26" <= summary["last_event"]
    ((status,),) = warehouse.execute("select status from meta.loads where feed = 'bilateral'").fetchall()
    assert status == "published"


def test_reloading_is_idempotent(loaded):
    con, before = loaded
    assert load_bilateral(con) == {table: len(rows) for table, rows in before.items()}
    assert snapshot(con) == before
    assert load_statuses(con)[-1] == "published"


def test_indicator_values_load_with_their_commitment(warehouse, folder):
    (folder / "indicator_values.yaml").write_text(
        "- commitment_id: cm_train_tajik_specialists\n"
        "  date: 2024-12-31\n"
        "  indicator: specialists_trained\n"
        "  value: 40\n"
        "  note: a test value\n"
    )
    assert load_bilateral(warehouse, folder)["bilateral_indicator_values"] == 1
    rows = warehouse.execute(
        "select commitment_id, date::varchar, value, _source_row from raw.bilateral_indicator_values"
    ).fetchall()
    assert rows == [("cm_train_tajik_specialists", "2024-12-31", 40.0, 1)]


def _missing_field(folder):
    path = folder / "events.yaml"
    entry = line_of(path, "- id: ev_2024_08_22_state_visit_dushanbe")
    lines = path.read_text().splitlines(keepends=True)
    place = next(n for n in range(entry, len(lines) + 1) if lines[n - 1].startswith("  place:"))
    del lines[place - 1]
    path.write_text("".join(lines))
    return "events.yaml", entry, "place"  # a field that is not there: the entry's line


def _unknown_type(folder):
    line = replace_once(folder / "events.yaml", "type: exhibition", "type: concert")
    return "events.yaml", line, "type"


def _bad_date(folder):
    line = replace_once(folder / "events.yaml", "date: 2024-08-22", "date: 2024-02-30")
    return "events.yaml", line, "date"


def _deadline_before_event(folder):
    line = replace_once(folder / "commitments.yaml", "deadline: 2027-12-31", "deadline: 2023-01-31")
    return "commitments.yaml", line, "deadline"


def _non_positive_target(folder):
    line = replace_once(folder / "commitments.yaml", "target_value: 2.0e9", "target_value: 0")
    return "commitments.yaml", line, "target_value"


def _unknown_event(folder):
    line = replace_once(
        folder / "commitments.yaml",
        "event_id: ev_2024_08_22_state_visit_dushanbe",
        "event_id: ev_2024_08_23_no_such_event",
    )
    return "commitments.yaml", line, "event_id"


def _unknown_reaffirming_event(folder):
    line = replace_once(
        folder / "commitments.yaml",
        "reaffirmed_by: [ev_2023_08_26_state_visit_astana]",
        "reaffirmed_by: [ev_2023_08_26_state_visit_astana, ev_2099_01_01_nothing]",
    )
    return "commitments.yaml", line, "reaffirmed_by"


def _wrong_type(folder):
    line = replace_once(folder / "commitments.yaml", "target_value: 2.0e9", "target_value: two billion")
    return "commitments.yaml", line, "target_value"


def _infinite_target(folder):
    line = replace_once(folder / "commitments.yaml", "target_value: 2.0e9", "target_value: inf")
    return "commitments.yaml", line, "target_value"


def _target_past_a_double(folder):
    line = replace_once(folder / "commitments.yaml", "target_value: 2.0e9", "target_value: 1e999")
    return "commitments.yaml", line, "target_value"


def _baseline_not_a_number(folder):
    line = replace_once(folder / "commitments.yaml", "baseline_value: 1.0e9", "baseline_value: nan")
    return "commitments.yaml", line, "baseline_value"


def _parties_not_a_list(folder):
    line = replace_once(folder / "events.yaml", "parties: [KZ, TJ]", "parties: KZ and TJ")
    return "events.yaml", line, "parties"


def _duplicate_id(folder):
    line = replace_once(
        folder / "events.yaml",
        "- id: ev_2023_08_26_tajik_goods_fair",
        "- id: ev_2023_08_26_tajik_culture_days",
    )
    return "events.yaml", line, "id"


def _missing_url(folder):
    line = replace_once(
        folder / "events.yaml", "source_url: https://www.president.tj", "source_url: www.president.tj"
    )
    return "events.yaml", line, "source_url"


def _yaml_syntax_error(folder):
    line = replace_once(
        folder / "events.yaml",
        "  title: Exhibition fair of Tajik goods in Astana",
        "  title: Exhibition fair: Tajik goods in Astana",
    )
    return "events.yaml", line, None


BREAKAGES = [
    _missing_field,
    _unknown_type,
    _bad_date,
    _deadline_before_event,
    _non_positive_target,
    _unknown_event,
    _unknown_reaffirming_event,
    _wrong_type,
    _infinite_target,
    _target_past_a_double,
    _baseline_not_a_number,
    _parties_not_a_list,
    _duplicate_id,
    _missing_url,
    _yaml_syntax_error,
]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=[b.__name__.strip("_") for b in BREAKAGES])
def test_malformed_entry_is_rejected_and_tables_are_unchanged(loaded, folder, breakage):
    con, before = loaded
    assert snapshot(con) == before
    file_name, line, column = breakage(folder)

    with pytest.raises(LoadError) as raised:
        load_bilateral(con, folder)

    where = f"{file_name}, line {line}" + (f", column {column}" if column else "")
    assert where in str(raised.value), str(raised.value)
    assert any(
        i.row == line and i.column == column and Path(i.file).name == file_name for i in raised.value.issues
    )
    assert snapshot(con) == before
    assert load_statuses(con)[-1] == "rejected"
    # Kept like any rejected load's rows: in quarantine.bilateral, with file, line and column.
    kept = con.execute(
        "select source_file, source_row, column_name from quarantine.bilateral where load_id = ?",
        [raised.value.load_id],
    ).fetchall()
    assert any(Path(f).name == file_name and r == line and c == column for f, r, c in kept), kept


def test_syntax_error_names_the_line_before_anything_is_loaded(warehouse, folder):
    path = folder / "commitments.yaml"
    line = replace_once(path, "  unit: USD per year", "  unit: USD per year\n bad_indent: x")
    with pytest.raises(LoadError, match=r"commitments.yaml, line \d+: YAML syntax error") as raised:
        load_bilateral(warehouse, folder)
    assert raised.value.issues[0].row in (line, line + 1)
    assert not warehouse.execute(
        "select count(*) from duckdb_tables() where table_name like 'bilateral_%'"
    ).fetchall()[0][0]


def test_two_entries_on_one_line_or_an_aliased_entry_are_named_as_such(tmp_path):
    """Valid YAML a line-numbered load cannot name entry by entry: said so, not 'field given twice'."""
    path = tmp_path / "events.yaml"
    path.write_text("[{id: a, title: x}, {id: b, title: y}]\n")
    _, issues = read_bilateral_file("bilateral_events", path)
    assert [(i.row, i.check) for i in issues] == [(1, "structure")], issues
    assert "two entries begin on line 1" in issues[0].message

    path.write_text("- &first\n  id: a\n  title: x\n- *first\n")
    _, issues = read_bilateral_file("bilateral_events", path)
    assert [(i.row, i.check) for i in issues] == [(1, "structure")], issues
    assert "repeats the entry of line 1 (a YAML alias)" in issues[0].message
