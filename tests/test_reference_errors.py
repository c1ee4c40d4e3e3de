"""The loads of the published reference figures when a file is bad: the trade aggregates load after
a first rejected load."""

from catalog.reference import TRADE_REFERENCE_FILE, load_trade_reference


def test_the_trade_aggregates_load_after_a_first_rejected_load(warehouse, tmp_path):
    lines = TRADE_REFERENCE_FILE.read_text().splitlines()
    columns = lines[0].split(",")
    first = lines[1].split(",")
    first[columns.index("reporting_side")] = "XX"
    bad = tmp_path / "kz_tj_trade_reference.csv"
    bad.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n")

    rejected = load_trade_reference(warehouse, bad)
    assert [p.status for p in rejected.partitions] == ["rejected"]
    assert not warehouse.execute(
        "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'trade_reference'"
    ).fetchone()[0]

    report = load_trade_reference(warehouse)
    report.raise_for_errors()
    assert [p.status for p in report.partitions] == ["published"]
    (rows,) = warehouse.execute("select count(*) from raw.trade_reference").fetchone()
    assert rows == len(lines) - 1
    assert load_trade_reference(warehouse).partitions[0].status == "unchanged"
