"""eOtinish loads: both export formats, privacy (no IIN or free text ever reaches the warehouse),
late and re-sent events, idempotence, and each bad input."""

import dataclasses
import gzip
import hashlib
import hmac
import json

import pytest
from appeal_files import APPEAL_COLUMNS, EVENT_COLUMNS, IIN, appeal, event, write_csv, write_jsonl
from conftest import TEST_HASH_KEY

from catalog.appeals import APPEALS, load_appeals, load_events
from ingest import feeds
from ingest import landing as landing_checks
from ingest.loads import LoadError
from ingest.privacy import MissingHashKey, find_iin_values

# Loads through DuckDB and Great Expectations, seconds each: not in `make test-fast`.
pytestmark = pytest.mark.slow

DAY, NEXT_DAY = "2024-03-05", "2024-03-06"


def landing(paths):
    return paths.landing / "eotinish"


def load_both(con, paths, days):
    return (load_appeals(con, paths.landing, days), load_events(con, paths.landing, days))


def test_appeals_load_from_jsonl_and_csv_without_personal_data(warehouse, warehouse_paths):
    write_jsonl(landing(warehouse_paths) / f"appeals_{DAY}.jsonl", [appeal(1, DAY), appeal(2, DAY)])
    write_csv(landing(warehouse_paths) / f"appeals_{NEXT_DAY}.csv", [appeal(3, NEXT_DAY)], APPEAL_COLUMNS)

    report = load_appeals(warehouse, warehouse_paths.landing, [DAY, NEXT_DAY])

    report.raise_for_errors()
    columns = {
        name
        for (name,) in warehouse.execute(
            "select column_name from duckdb_columns() where table_name = 'eotinish_appeals'"
        ).fetchall()
    }
    assert "applicant_key" in columns
    assert not columns & {
        "applicant_iin",
        "applicant_name",
        "applicant_phone",
        "applicant_email",
        "applicant_address",
        "data",
    }
    keys = warehouse.execute("select distinct applicant_key from raw.eotinish_appeals").fetchall()
    expected = hmac.new(TEST_HASH_KEY.encode(), IIN.encode(), hashlib.sha256).hexdigest()
    assert keys == [(expected,)]  # the same person keeps one key: repeat appeals can be counted
    assert find_iin_values(warehouse) == []
    rows = warehouse.execute(
        "select _partition_date::varchar, count(*) from raw.eotinish_appeals group by 1 order by 1"
    ).fetchall()
    assert rows == [(DAY, 2), (NEXT_DAY, 1)]


def test_hash_key_is_required_outside_the_demo(warehouse, warehouse_paths, monkeypatch):
    monkeypatch.delenv("APPEALS_HASH_KEY")
    monkeypatch.setenv("APPEALS_HASH_KEY_FILE", str(warehouse_paths.root / "no_such_key"))
    write_jsonl(landing(warehouse_paths) / f"appeals_{DAY}.jsonl", [appeal(1, DAY)])
    with pytest.raises(MissingHashKey, match="APPEALS_HASH_KEY"):
        load_appeals(warehouse, warehouse_paths.landing, [DAY])


def test_late_out_of_order_and_resent_events(warehouse, warehouse_paths):
    first = appeal(1, DAY)
    write_jsonl(
        landing(warehouse_paths) / f"appeal_events_{DAY}.jsonl",
        [
            event("e3", first["id"], "CLOSED", f"{DAY}T17:00:00"),  # before its ASSIGNED in the file
            event("e1", first["id"], "CREATED", f"{DAY}T09:01:00"),
            event("e2", first["id"], "ASSIGNED", f"{DAY}T10:00:00"),
        ],
    )
    write_csv(
        landing(warehouse_paths) / f"appeal_events_{NEXT_DAY}.csv",
        [
            event("e0", "24030100000007", "ANSWERED", "2024-03-01T12:00:00"),  # late by four days
            event("e2", first["id"], "ASSIGNED", f"{DAY}T10:00:00"),  # re-sent
        ],
        EVENT_COLUMNS,
    )

    load_events(warehouse, warehouse_paths.landing, [DAY, NEXT_DAY]).raise_for_errors()

    rows = warehouse.execute("""
        select id, _partition_date::varchar, is_late from raw.eotinish_appeal_events order by 2, 1
    """).fetchall()
    assert rows == [
        ("e1", DAY, False),
        ("e2", DAY, False),
        ("e3", DAY, False),
        ("e0", NEXT_DAY, True),
        ("e2", NEXT_DAY, True),
    ]
    assert find_iin_values(warehouse) == []  # the free-text message quoting the IIN was dropped


def test_reloading_the_same_day_changes_nothing(warehouse, warehouse_paths):
    write_jsonl(landing(warehouse_paths) / f"appeals_{DAY}.jsonl", [appeal(1, DAY)])
    load_appeals(warehouse, warehouse_paths.landing, [DAY]).raise_for_errors()
    before = warehouse.execute("select * from raw.eotinish_appeals").fetchall()
    again = load_appeals(warehouse, warehouse_paths.landing, [DAY])
    assert again.partitions[0].status == "unchanged"
    assert warehouse.execute("select * from raw.eotinish_appeals").fetchall() == before


def test_a_correction_of_an_empty_day_is_published_beside_another_empty_day(warehouse, warehouse_paths):
    """Exports saying "nothing this day" have the same bytes every day: a later empty day must not
    pass for a later version of the corrected day (which was then left 'unchanged')."""
    folder = landing(warehouse_paths)
    write_csv(folder / f"appeals_{DAY}.csv", [], APPEAL_COLUMNS)
    load_appeals(warehouse, warehouse_paths.landing, [DAY]).raise_for_errors()
    write_csv(folder / f"appeals_{DAY}.csv", [appeal(1, DAY), appeal(2, DAY)], APPEAL_COLUMNS)
    write_csv(folder / f"appeals_{NEXT_DAY}.csv", [], APPEAL_COLUMNS)
    report = load_appeals(warehouse, warehouse_paths.landing, [DAY, NEXT_DAY])
    report.raise_for_errors()
    assert [(p.partition_key, p.status) for p in report.partitions][0] == (DAY, "published")
    assert warehouse.execute("select count(*) from raw.eotinish_appeals").fetchone() == (2,)


def reject_revision(warehouse, paths, rows, *, csv=False):
    """Publish a good day, land a bad re-export of it, and return the load error."""
    write_jsonl(landing(paths) / f"appeals_{DAY}.jsonl", [appeal(1, DAY), appeal(2, DAY)])
    load_appeals(warehouse, paths.landing, [DAY]).raise_for_errors()
    before = warehouse.execute("select * from raw.eotinish_appeals order by all").fetchall()
    (landing(paths) / f"appeals_{DAY}.jsonl").unlink()
    if csv:
        write_csv(landing(paths) / f"appeals_{DAY}.csv", rows, APPEAL_COLUMNS)
    else:
        write_jsonl(landing(paths) / f"appeals_{DAY}.jsonl", rows)
    report = load_appeals(warehouse, paths.landing, [DAY])
    assert [p.status for p in report.partitions] == ["rejected"]
    assert warehouse.execute("select * from raw.eotinish_appeals order by all").fetchall() == before
    assert find_iin_values(warehouse) == []  # quarantined records are hashed too
    with pytest.raises(LoadError) as error:
        report.raise_for_errors()
    return str(error.value)


def test_unknown_state(warehouse, warehouse_paths):
    message = reject_revision(
        warehouse, warehouse_paths, [appeal(1, DAY), appeal(2, DAY, current_state="LOST")]
    )
    assert f"appeals_{DAY}.jsonl, line 2, column current_state" in message and "'LOST'" in message


def test_kato_code_that_does_not_exist(warehouse, warehouse_paths):
    message = reject_revision(
        warehouse, warehouse_paths, [appeal(1, DAY, location_id="999999999"), appeal(2, DAY)]
    )
    assert f"appeals_{DAY}.jsonl, line 1, column location_id" in message


def test_deadline_before_start(warehouse, warehouse_paths):
    message = reject_revision(
        warehouse, warehouse_paths, [appeal(1, DAY), appeal(2, DAY, deadline="2024-03-01")], csv=True
    )
    assert f"appeals_{DAY}.csv, line 3" in message and "deadline" in message


def test_a_record_missing_a_key_and_one_that_is_not_an_object(warehouse, warehouse_paths):
    """A missing key is not a null: each is reported with its line and key (and the record that
    is no object at all), whatever the other records hold."""
    missing = {k: v for k, v in appeal(2, DAY).items() if k != "org_id"}
    path = landing(warehouse_paths) / f"appeals_{DAY}.jsonl"
    write_jsonl(path, [appeal(1, DAY, org_id=None), missing])
    path.write_text(path.read_text() + "[1, 2]\n")

    report = load_appeals(warehouse, warehouse_paths.landing, [DAY])

    issues = [(i.row, i.column, i.check) for p in report.partitions for i in p.issues]
    assert (2, "org_id", "missing_column") in issues
    assert any(row == 3 and check == "missing_column" for row, _, check in issues)
    assert not any(row == 1 and check == "missing_column" for row, _, check in issues)


def test_broken_jsonl_file(warehouse, warehouse_paths):
    write_jsonl(landing(warehouse_paths) / f"appeals_{DAY}.jsonl", [appeal(1, DAY)])
    load_appeals(warehouse, warehouse_paths.landing, [DAY]).raise_for_errors()
    path = landing(warehouse_paths) / f"appeals_{DAY}.jsonl"
    path.write_text(path.read_text() + '{"id": "2403050000009", "reg_number": \n')

    report = load_appeals(warehouse, warehouse_paths.landing, [DAY])

    assert report.rejected
    with pytest.raises(LoadError, match=f"appeals_{DAY}.jsonl"):
        report.raise_for_errors()
    assert warehouse.execute("select count(*) from raw.eotinish_appeals").fetchone() == (1,)


@pytest.mark.parametrize("blank_lines", [False, True])
def test_a_malformed_json_line_is_named_by_its_own_line(warehouse, warehouse_paths, blank_lines):
    """DuckDB's message names a line, not always the right one ("line 3" for a bad line 2); the
    load finds the first malformed line itself, blank lines counted."""
    good = [json.dumps(appeal(i, DAY), ensure_ascii=False) for i in (1, 2, 3)]
    lines = [good[0], '{"id": "x", oops}', good[1], good[2]]
    if blank_lines:
        lines = [good[0], "", good[1], "", '{"id": "x", oops}', good[2]]
    landing(warehouse_paths).mkdir(parents=True, exist_ok=True)
    (landing(warehouse_paths) / f"appeals_{DAY}.jsonl").write_text("\n".join(lines) + "\n")
    report = load_appeals(warehouse, warehouse_paths.landing, [DAY])
    (issue,) = report.issues
    bad_line = lines.index('{"id": "x", oops}') + 1
    assert (issue.check, issue.row) == ("unreadable_file", bad_line)
    assert f"appeals_{DAY}.jsonl, line {bad_line}: malformed JSON (" in issue.describe()


@pytest.mark.parametrize("odd_line", ["[" * 5000 + "]" * 5000, '"\\ud800"'])
def test_a_line_python_reads_otherwise_than_duckdb_keeps_duckdbs_message(
    warehouse, warehouse_paths, odd_line
):
    """A line nested deeper than Python's parser goes (DuckDB reads it) does not stop the load; a
    lone surrogate (DuckDB refuses it, Python does not) does not make the load name a later line."""
    good = [json.dumps(appeal(i, DAY), ensure_ascii=False) for i in (1, 2)]
    landing(warehouse_paths).mkdir(parents=True, exist_ok=True)
    path = landing(warehouse_paths) / f"appeals_{DAY}.jsonl"
    path.write_text("\n".join([good[0], odd_line, '{"id": "x", oops}', good[1]]) + "\n")
    report = load_appeals(warehouse, warehouse_paths.landing, [DAY])
    (issue,) = report.issues
    assert (issue.check, issue.row) == ("unreadable_file", None)
    assert f"appeals_{DAY}.jsonl" in issue.describe() and "Malformed JSON" in issue.message  # DuckDB's


def test_a_broken_csv_line_keeps_no_personal_data(warehouse, warehouse_paths):
    """A line the CSV reader cannot parse never went through the hashing in the read: it is
    reported by file, line and column, but its text is not kept anywhere, not even in the error."""
    path = write_csv(
        landing(warehouse_paths) / f"appeals_{DAY}.csv", [appeal(1, DAY), appeal(2, DAY)], APPEAL_COLUMNS
    )
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\n") + ',"one field too many\n'  # row 3: an extra, unterminated field
    path.write_text("".join(lines))

    report = load_appeals(warehouse, warehouse_paths.landing, [DAY])

    with pytest.raises(LoadError) as error:
        report.raise_for_errors()
    assert f"appeals_{DAY}.csv, line 3" in str(error.value)
    assert IIN not in str(error.value)
    assert find_iin_values(warehouse) == []
    (quarantined,) = warehouse.execute(
        "select count(*) from quarantine.eotinish_appeals where source_row = 3"
    ).fetchone()
    assert quarantined >= 1


@pytest.mark.parametrize("layout", ["jsonl", "jsonl.gz", "csv"])
def test_a_file_named_by_its_day_is_registered_with_the_rows_its_scan_reads(
    warehouse, warehouse_paths, layout, tmp_path
):
    """Registration counts the rows of a day's export with the scan's reader alone (no hashing,
    redaction or key checks per row): as many as the full scan reads, a record missing a key or
    not an object included, CSV lines the lenient reader skips left out."""
    rows = [appeal(1, DAY), {k: v for k, v in appeal(2, DAY).items() if k != "org_id"}, appeal(3, DAY)]
    folder = landing(warehouse_paths)
    folder.mkdir(parents=True, exist_ok=True)
    if layout.startswith("jsonl"):  # gzip too: the day is read from the name without .gz
        lines = ("".join(json.dumps(row) + "\n" for row in rows) + "[1, 2]\n").encode()
        path = folder / f"appeals_{DAY}.{layout}"
        path.write_bytes(gzip.compress(lines) if layout.endswith(".gz") else lines)
        expected = 4
    else:
        path = write_csv(folder / f"appeals_{DAY}.csv", rows, APPEAL_COLUMNS)
        lines = path.read_text().splitlines(keepends=True)
        lines[2] = lines[2].rstrip("\n") + ',"one field too many\n'  # its quote runs to the end
        path.write_text("".join(lines))
        expected = 1

    load_appeals(warehouse, warehouse_paths.landing, [DAY])  # registers it (hashing key and all)

    (registered,) = warehouse.execute(
        "select sum(row_count) from meta.file_slices where feed = 'eotinish_appeals'"
    ).fetchone()
    source = feeds.SourceFile.open(path, landing_checks.inspect(path), tmp_path)
    scan = feeds.scan_file(APPEALS, source, lenient=True)
    (scanned,) = warehouse.execute(f"select count(*) from ({scan.sql})").fetchone()
    assert registered == scanned == expected
    # and the count comes from the reader alone: the full scan's query is not run
    unscanned = dataclasses.replace(scan, sql="select * from no_such_table")
    assert feeds._slice_counts(warehouse, APPEALS, path, unscanned) == [(DAY, DAY, expected)]


def test_a_row_with_personal_data_read_again_is_not_copied_from_its_line(
    warehouse, warehouse_paths, monkeypatch
):
    """A row of a file read typed that fails an expectation is read again for its quarantine
    record; in a feed with personal data never from its line (feeds._lines_read_again copies lines,
    in clear, into a file of their own), only by a scan that redacts its values as it reads them."""
    monkeypatch.setattr(feeds, "STAGE_GROUP_ROWS", 1)  # the file read once, typed
    rows = [appeal(number, DAY) for number in range(1, 6)]
    rows[2]["language_id"] = "xx"  # row 4: not a language the feed accepts
    write_csv(landing(warehouse_paths) / f"appeals_{DAY}.csv", rows, APPEAL_COLUMNS)
    read_again, lines_read = [], []
    rows_read_again, lines_at = feeds._rows_read_again, feeds.lines_at
    monkeypatch.setattr(
        feeds, "_rows_read_again", lambda *args: read_again.append(1) or rows_read_again(*args)
    )
    monkeypatch.setattr(feeds, "lines_at", lambda *args: lines_read.append(1) or lines_at(*args))

    report = load_appeals(warehouse, warehouse_paths.landing, [DAY])

    assert [p.status for p in report.partitions] == ["rejected"]
    assert (read_again, lines_read) == ([1], [])
    ((row, column, record),) = warehouse.execute(
        "select source_row, column_name, record from quarantine.eotinish_appeals"
    ).fetchall()
    assert (row, column, json.loads(record)["language_id"]) == (4, "language_id", "xx")
    assert not find_iin_values(warehouse)
