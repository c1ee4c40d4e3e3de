"""The reference loads guard what they publish: a KATO classifier or regions file cut short (at a
line end, so that DuckDB reads it without complaint) is refused with an error naming the file and
leaves the published table as it was; and a rejected land or trade reference row is kept in
quarantine with its values redacted: an IIN in a free-text column is nowhere in the warehouse."""

import pytest

from catalog.reference import TRADE_REFERENCE_FILE, load_land_reference, load_trade_reference
from ingest.loads import LoadError
from ingest.reference import KATO_FILE, LAND_REFERENCE_FILE, REGIONS_FILE, load_kato, load_regions

IIN = "900315300123"  # a valid IIN (date 1990-03-15, century digit 3, check digit 3)


def count(con, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchone()[0]


def cut_file(tmp_path, source, lines: int):
    """`source`'s first `lines` lines (the header included), cut at a line end."""
    path = tmp_path / source.name
    path.write_text("".join(source.read_text(encoding="utf-8").splitlines(True)[:lines]), encoding="utf-8")
    return path


def places_holding(con, text: str) -> list[str]:
    """Every column of every table of the database (temporary ones too) holding `text`."""
    columns = con.execute(
        "select database_name, schema_name, table_name, column_name from duckdb_columns() "
        "where not internal order by all"
    ).fetchall()
    found = []
    for database, schema, table, column in columns:
        name = f'"{database}"."{schema}"."{table}"'
        held = con.execute(
            f'select count(*) from {name} where contains(cast("{column}" as varchar), ?)', [text]
        ).fetchone()[0]
        if held:
            found.append(f"{schema}.{table}.{column}")
    return found


# --------------------------------------------------------------------------------------------
# KATO and regions cut short
# --------------------------------------------------------------------------------------------


def test_a_kato_file_cut_at_a_line_end_is_refused_and_the_table_kept(warehouse, tmp_path):
    units = load_kato(warehouse)
    codes = warehouse.execute("select * from ref.kato_units order by code").fetchall()
    cut = cut_file(tmp_path, KATO_FILE, 5000)

    with pytest.raises(LoadError, match=r"kato_2022-10-17_ru.csv") as raised:
        load_kato(warehouse, cut)

    assert "missing" in str(raised.value)
    assert count(warehouse, "ref.kato_units") == units
    assert warehouse.execute("select * from ref.kato_units order by code").fetchall() == codes
    # The same file again, and the first load, still load.
    assert load_kato(warehouse) == units


def test_a_kato_file_cut_mid_line_is_refused_naming_its_line(warehouse, tmp_path):
    units = load_kato(warehouse)
    lines = KATO_FILE.read_text(encoding="utf-8").splitlines(True)
    cut = tmp_path / KATO_FILE.name
    cut.write_text("".join(lines[:5000]) + lines[5000][:8], encoding="utf-8")

    with pytest.raises(LoadError, match=r"kato_2022-10-17_ru.csv, line 5001"):
        load_kato(warehouse, cut)
    assert count(warehouse, "ref.kato_units") == units


def test_a_kato_file_losing_published_codes_loads_when_accepted(warehouse, tmp_path):
    load_kato(warehouse)
    cut = cut_file(tmp_path, KATO_FILE, 5000)

    assert load_kato(warehouse, cut, accept_removed_codes=True) == 4999
    assert count(warehouse, "ref.kato_units") == 4999


def test_a_first_kato_load_missing_regions_of_the_published_regions_is_refused(warehouse, tmp_path):
    assert load_regions(warehouse) == 20
    cut = cut_file(tmp_path, KATO_FILE, 5000)

    with pytest.raises(LoadError, match=r"kato_2022-10-17_ru.csv.*region") as raised:
        load_kato(warehouse, cut)
    assert "ref.kz_regions" in str(raised.value)
    assert not warehouse.execute(
        "select count(*) from duckdb_tables() where schema_name = 'ref' and table_name = 'kato_units'"
    ).fetchone()[0]


def test_a_kato_unit_whose_parent_is_not_in_the_file_is_refused_naming_its_line(warehouse, tmp_path):
    lines = KATO_FILE.read_text(encoding="utf-8").splitlines(True)
    fields = lines[3].split(";")
    fields[1] = "999999"  # no unit has this id
    lines[3] = ";".join(fields)
    path = tmp_path / KATO_FILE.name
    path.write_text("".join(lines), encoding="utf-8")

    with pytest.raises(LoadError, match=r"kato_2022-10-17_ru.csv, line 4, column parent_id"):
        load_kato(warehouse, path)


def test_a_regions_file_cut_at_a_line_end_is_refused_and_the_table_kept(warehouse, tmp_path):
    assert load_regions(warehouse) == 20
    regions = warehouse.execute("select * from ref.kz_regions order by all").fetchall()
    cut = cut_file(tmp_path, REGIONS_FILE, 8)

    with pytest.raises(LoadError, match=r"kz_regions_kato_iso_2022.csv") as raised:
        load_regions(warehouse, cut)

    assert "missing" in str(raised.value)
    assert warehouse.execute("select * from ref.kz_regions order by all").fetchall() == regions
    assert load_regions(warehouse) == 20


def test_a_first_regions_load_missing_regions_of_the_classifier_is_refused(warehouse, tmp_path):
    load_kato(warehouse)
    cut = cut_file(tmp_path, REGIONS_FILE, 8)

    with pytest.raises(LoadError, match=r"kz_regions_kato_iso_2022.csv.*ref.kato_units"):
        load_regions(warehouse, cut)
    assert not warehouse.execute(
        "select count(*) from duckdb_tables() where schema_name = 'ref' and table_name = 'kz_regions'"
    ).fetchone()[0]
    assert load_regions(warehouse) == 20


# --------------------------------------------------------------------------------------------
# Quarantined records are redacted
# --------------------------------------------------------------------------------------------


def test_a_rejected_land_reference_row_keeps_no_iin_in_quarantine(warehouse, tmp_path):
    lines = LAND_REFERENCE_FILE.read_text().splitlines()
    header = lines[0].split(",")
    row = dict(zip(header, lines[1].split(","), strict=True))
    row["value"] = "not a number"
    row["note"] = f"applicant {IIN} asked"
    path = tmp_path / "kz_land_reference.csv"
    path.write_text("\n".join([lines[0], ",".join(row.values()), *lines[2:]]) + "\n")

    with pytest.raises(LoadError) as raised:
        load_land_reference(warehouse, path)

    (record,) = warehouse.execute(
        "select record from quarantine.kz_land_reference where load_id = ?", [raised.value.load_id]
    ).fetchone()
    assert record is not None and "applicant" in record  # the row is kept, its IIN redacted
    assert places_holding(warehouse, IIN) == []


def test_a_rejected_trade_reference_row_keeps_no_iin_in_quarantine(warehouse, tmp_path):
    lines = TRADE_REFERENCE_FILE.read_text().splitlines()
    columns = lines[0].split(",")
    first = lines[2].split(",")  # a row without a quoted field
    first[columns.index("reporting_side")] = "XX"
    first[columns.index("note")] = f"applicant {IIN} asked"
    bad = tmp_path / "kz_tj_trade_reference.csv"
    bad.write_text("\n".join([lines[0], lines[1], ",".join(first), *lines[3:]]) + "\n")

    report = load_trade_reference(warehouse, bad)

    assert [p.status for p in report.partitions] == ["rejected"]
    records = warehouse.execute(
        "select record from quarantine.trade_reference where record is not null"
    ).fetchall()
    assert records and all("applicant" in record for (record,) in records)
    assert IIN not in str(LoadError("trade_reference", report.issues))
    assert places_holding(warehouse, IIN) == []
