"""A row a load reports is named by its physical line (the header is line 1 of a CSV), where
DuckDB numbers records: a blank line, or a quoted value holding a line break, before a bad row
once made its line too small, in the messages, quarantine and meta.loads alike."""

import gzip
import json

import pytest
from appeal_files import appeal
from comtrade_files import month_records

from catalog.appeals import load_appeals
from catalog.trade import load_comtrade
from ingest import feeds, source_lines
from ingest.privacy import find_iin_values

# Loads through DuckDB and Great Expectations, seconds each: not in `make test-fast`.
pytestmark = pytest.mark.slow

JAN = "2023-01-01"
DAY = "2024-03-05"
BROKEN = "398,too,few,fields\n"  # a line DuckDB's CSV reader rejects


def csv_lines(rows: list[dict]) -> list[str]:
    """The lines of a Comtrade CSV of `rows`, header first (a value with a line break spans two)."""
    import csv
    import io

    from ingest.comtrade_schema import COLUMN_NAMES

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().splitlines(keepends=True)


def bad_january() -> list[dict]:
    """January with a row whose trade value is no number (its 4th row), and a line break in the
    description of its 2nd row."""
    rows = month_records("202301")
    rows[1]["cmdDesc"] = "Cereals\nand grains"
    rows[3]["primaryValue"] = "abc"
    return rows


def where_reported(con, name: str, check: str) -> list[tuple]:
    """(line, the line the kept record says, message) of the quarantined rows of check `check`."""
    return con.execute(
        "select source_row, (record->>'_source_row')::bigint, message from quarantine.comtrade_records "
        "where source_file like ? and check_name = ? order by 1",
        [f"%{name}", check],
    ).fetchall()


def loads_message(con) -> str:
    (message,) = con.execute(
        "select message from meta.loads where feed = 'comtrade_records' and status = 'rejected'"
    ).fetchone()
    return message


def assert_named(con, report, name: str, line: int, column: str, check: str) -> None:
    text = "\n".join(issue.describe() for issue in report.issues)
    assert f"{name}, line {line}, column {column}" in text, text
    assert f"{name}, line {line}, column {column}" in loads_message(con)
    assert [(row, kept) for row, kept, _ in where_reported(con, name, check)] == [(line, line)]


def test_a_blank_line_before_a_bad_value(warehouse, warehouse_paths):
    rows = month_records("202301")
    rows[3]["primaryValue"] = "abc"
    lines = csv_lines(rows)  # the bad row is record 5, after a blank line 4: line 6
    (warehouse_paths.trade_landing / "kz_2023_01.csv").write_text("".join([*lines[:3], "\n", *lines[3:]]))

    report = load_comtrade(warehouse, warehouse_paths.landing, [JAN])

    assert [p.status for p in report.partitions] == ["rejected"]
    assert_named(warehouse, report, "kz_2023_01.csv", 6, "primaryValue", "not_decimal")


@pytest.mark.parametrize("read_once", [False, True])
def test_a_value_across_lines_before_a_bad_value(warehouse, warehouse_paths, monkeypatch, read_once):
    if read_once:
        monkeypatch.setattr(feeds, "STAGE_GROUP_ROWS", 1)  # the file read once, typed
    lines = csv_lines(bad_january())  # record 3 spans lines 3-4: the bad record 5 is line 6
    (warehouse_paths.trade_landing / "kz_2023_01.csv").write_text("".join(lines))

    report = load_comtrade(warehouse, warehouse_paths.landing, [JAN])

    assert [p.status for p in report.partitions] == ["rejected"]
    assert_named(warehouse, report, "kz_2023_01.csv", 6, "primaryValue", "not_decimal")


def test_a_gzip_csv_with_a_value_across_lines_and_a_blank_line(warehouse, warehouse_paths):
    lines = csv_lines(bad_january())  # lines 3-4 one record, then a blank line 5: record 5 is line 7
    with gzip.open(warehouse_paths.trade_landing / "kz_2023_01.csv.gz", "wt", newline="") as handle:
        handle.write("".join([*lines[:5], "\n", *lines[5:]]))

    report = load_comtrade(warehouse, warehouse_paths.landing, [JAN])

    assert [p.status for p in report.partitions] == ["rejected"]
    assert_named(warehouse, report, "kz_2023_01.csv.gz", 7, "primaryValue", "not_decimal")


def test_a_rejected_line_and_the_rows_after_it(warehouse, warehouse_paths):
    """DuckDB numbers a rejected line by records and blank lines: both it and a bad row after it
    are named by their lines."""
    lines = csv_lines(bad_january())
    # header, record 2, record 3 on lines 3-4, a blank line 5, a short line 6, records on 7 and 8
    text = "".join([*lines[:4], "\n", BROKEN, *lines[4:]])
    (warehouse_paths.trade_landing / "kz_2023_01.csv").write_text(text)

    report = load_comtrade(warehouse, warehouse_paths.landing, [JAN])

    (broken,) = [i for i in report.issues if i.check.startswith("broken_csv:")]
    assert broken.row == 6, broken.describe()
    assert_named(warehouse, report, "kz_2023_01.csv", 8, "primaryValue", "not_decimal")
    assert [row for row, _, _ in where_reported(warehouse, "kz_2023_01.csv", broken.check)] == [6]


def test_blank_lines_in_json_lines_before_bad_values(warehouse, warehouse_paths):
    """Blank lines (DuckDB skips them) before a value the expectations refuse and one that is no
    date; the file carries personal data, which stays out of the messages and the quarantine."""
    records = [
        appeal(1, DAY),
        None,
        None,
        appeal(2, DAY, current_state="LOST"),
        None,
        appeal(3, DAY, deadline="soon"),
    ]
    folder = warehouse_paths.landing / "eotinish"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"appeals_{DAY}.jsonl").write_text(
        "".join(("   " if r is None else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)
    )

    report = load_appeals(warehouse, warehouse_paths.landing, [DAY])

    assert [p.status for p in report.partitions] == ["rejected"]
    text = "\n".join(issue.describe() for issue in report.issues)
    assert f"appeals_{DAY}.jsonl, line 4, column current_state" in text, text
    assert f"appeals_{DAY}.jsonl, line 6, column deadline" in text, text
    quarantined = warehouse.execute(
        "select source_row, (record->>'_source_row')::bigint from quarantine.eotinish_appeals order by 1"
    ).fetchall()
    assert quarantined == [(4, 4), (6, 6)]
    (message,) = warehouse.execute(
        "select message from meta.loads where feed = 'eotinish_appeals' and status = 'rejected'"
    ).fetchone()
    assert f"appeals_{DAY}.jsonl, line 4, column current_state" in message
    assert find_iin_values(warehouse) == []


def test_ordinary_rows_keep_their_numbers_and_unreadable_counts_stop_nothing():
    """Without blank lines or values across lines, a row's number is its line; a number the file
    does not reach is left out (the load then keeps the numbers it had)."""
    import io

    text = 'a,b\n1,"x"\n2,y\n3,z\n'
    assert source_lines.csv_lines(io.StringIO(text, newline=""), {2, 3, 4}) == ({2: 2, 3: 3, 4: 4}, {})
    assert source_lines.csv_lines(io.StringIO(text, newline=""), {9}) == ({}, {})
    crlf = 'a,b\r\n1,"x\r\ny"\r\n\r\n2,y\r\n'
    assert source_lines.csv_lines(io.StringIO(crlf, newline=""), {3}) == ({3: 5}, {})
    jsonl = io.BytesIO(b'\xef\xbb\xbf{"a": 1}\n \n\t\r\n{"a": 2}\n')
    assert source_lines.jsonl_lines(jsonl, {1, 2}) == {1: 1, 2: 4}
