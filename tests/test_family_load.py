"""Digital Family Map loads: the extracts are hashed in the read (no IIN, no name), and bad inputs
(a member of an unknown family, a bad code, a truncated file) are rejected with the file, line and
column, leaving what was published unchanged."""

import csv
import os
from datetime import date

from catalog.family import load_family_feed
from demo.appeals import make_iin
from ingest.family_schema import SOURCES
from ingest.privacy import find_iin_values

MONTH = "2023-01-01"
HEAD = make_iin(date(1980, 4, 2), False, 11)
SPOUSE = make_iin(date(1983, 7, 9), True, 12)
CHILD = make_iin(date(2015, 1, 20), False, 13)
STRANGER = make_iin(date(1990, 3, 3), True, 14)


def folder(paths):
    path = paths.landing / "family"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write(path, source, rows):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([c for c, _ in SOURCES[source]])
        writer.writerows(rows)
    return path


def registry_rows(relation_of_child="CHILD"):
    family = f"FAM-{HEAD}"
    return [
        [HEAD, family, "HEAD", "M", "1980-04-02", "", "MARRIED", "750000000", "Ахметов", "Нурлан"],
        [SPOUSE, family, "SPOUSE", "F", "1983-07-09", "", "MARRIED", "750000000", "Ахметова", "Асель"],
        [CHILD, family, relation_of_child, "M", "2015-01-20", "", "SINGLE", "750000000", "Ахметов", "Арман"],
    ]


def load(con, paths, name, months=(MONTH,)):
    return load_family_feed(con, name, paths.landing, list(months))


def published(con, table):
    return con.execute(f"select count(*) from raw.{table}").fetchone()[0]


def test_extracts_are_hashed_in_the_read(warehouse, warehouse_paths):
    write(folder(warehouse_paths) / "family_civil_registry_2023-01.csv", "civil_registry", registry_rows())
    write(
        folder(warehouse_paths) / "family_income_2023-01.csv",
        "income",
        [[HEAD, "SALARY", "310000.50", "0"], [SPOUSE, "SALARY", "190000", ""]],
    )
    load(warehouse, warehouse_paths, "family_civil_registry").raise_for_errors()
    load(warehouse, warehouse_paths, "family_income").raise_for_errors()
    columns = {
        c
        for (c,) in warehouse.execute(
            "select column_name from duckdb_columns() where table_name = 'family_civil_registry'"
        ).fetchall()
    }
    assert {"member_key", "family_key"} <= columns
    assert not columns & {"member_iin", "family_id", "last_name", "first_name"}
    assert published(warehouse, "family_civil_registry") == 3 and published(warehouse, "family_income") == 2
    assert (
        warehouse.execute("select typeof(income_kzt) from raw.family_income limit 1").fetchone()[0]
        == "DECIMAL(14,2)"
    )
    assert find_iin_values(warehouse) == []


def test_member_of_an_unknown_family_is_rejected(warehouse, warehouse_paths):
    """A member absent from the month's civil registry (income of a stranger), and a registry
    member whose family has no head: both months rejected, naming file, line and column."""
    write(folder(warehouse_paths) / "family_civil_registry_2023-01.csv", "civil_registry", registry_rows())
    path = write(
        folder(warehouse_paths) / "family_income_2023-01.csv",
        "income",
        [[HEAD, "SALARY", "310000", "0"], [STRANGER, "SALARY", "100000", "0"]],
    )
    load(warehouse, warehouse_paths, "family_civil_registry").raise_for_errors()
    report = load(warehouse, warehouse_paths, "family_income")
    (outcome,) = report.partitions
    assert outcome.status == "rejected"
    issue = next(i for i in outcome.issues if i.check == "member_in_civil_registry")
    assert (issue.file, issue.row, issue.column) == (str(path), 3, "member_key")
    assert STRANGER not in str(issue)  # the value is the keyed hash, never the IIN
    assert published(warehouse, "family_income") == 0

    orphan = registry_rows() + [
        [STRANGER, "FAM-unknown", "CHILD", "F", "1990-03-03", "", "SINGLE", "750000000", "X", "Y"]
    ]
    write(folder(warehouse_paths) / "family_civil_registry_2023-02.csv", "civil_registry", orphan)
    report = load(warehouse, warehouse_paths, "family_civil_registry", months=("2023-02-01",))
    issues = [i for p in report.partitions for i in p.issues if i.check == "family_has_one_head"]
    assert [(i.row, i.column) for i in issues] == [(5, "family_key")]


def test_bad_code_is_rejected_with_file_line_and_column(warehouse, warehouse_paths):
    path = write(
        folder(warehouse_paths) / "family_civil_registry_2023-01.csv",
        "civil_registry",
        registry_rows(relation_of_child="COUSIN"),
    )
    report = load(warehouse, warehouse_paths, "family_civil_registry")
    (outcome,) = report.partitions
    assert outcome.status == "rejected"
    issue = next(i for i in outcome.issues if i.column == "relation_to_head")
    assert (issue.file, issue.row) == (str(path), 4)
    assert published(warehouse, "family_civil_registry") == 0


def test_truncated_file_changes_nothing_published(warehouse, warehouse_paths):
    path = write(
        folder(warehouse_paths) / "family_civil_registry_2023-01.csv", "civil_registry", registry_rows()
    )
    load(warehouse, warehouse_paths, "family_civil_registry").raise_for_errors()
    before = warehouse.execute(
        "select member_key, relation_to_head from raw.family_civil_registry order by all"
    ).fetchall()
    # A newer copy of the month cut in the middle of a line (a transfer that stopped).
    text = path.read_text()
    path.write_text(text[: len(text) - 25])
    os.utime(path, (1e9 + 10, 2e9))
    report = load(warehouse, warehouse_paths, "family_civil_registry")
    (outcome,) = report.partitions
    assert outcome.status == "rejected", outcome
    assert any(i.file == str(path) and i.row is not None for i in outcome.issues), outcome.issues
    assert HEAD not in str(outcome.issues) and CHILD not in str(outcome.issues)
    after = warehouse.execute(
        "select member_key, relation_to_head from raw.family_civil_registry order by all"
    ).fetchall()
    assert after == before
