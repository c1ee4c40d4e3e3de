"""A Comtrade revision is judged per flow within its slice (reporter, frequency, period): a revision
that drops a whole flow, or one flow's TOTAL row, or shrinks one flow past the limit is held back,
although the slice as a whole keeps a TOTAL row and shrinks less than the limit."""

import pytest
from comtrade_files import record, write_csv

from catalog.trade import load_comtrade
from ingest.revisions import accept

pytestmark = pytest.mark.slow

PERIOD, JAN = "202301", "2023-01-01"
EXPORTS = {f"{chapter:02d}": 10e6 for chapter in range(1, 13)}  # 12 chapters, 120M
IMPORTS = {"72": 6e6, "27": 4e6}  # 10M


def month(exports=EXPORTS, imports=IMPORTS, import_total=True) -> list[dict]:
    rows = []
    for flow, chapters in {"X": exports, "M": imports}.items():
        if not chapters:
            continue
        if flow == "X" or import_total:
            rows.append(record(398, 762, flow, PERIOD, "TOTAL", sum(chapters.values())))
        rows += [record(398, 762, flow, PERIOD, cmd, value) for cmd, value in chapters.items()]
    return rows


def by_flow(con):
    return con.execute("""
        select "flowCode", count(*), sum("primaryValue") filter (where "cmdCode" = 'TOTAL')::double,
            list_distinct(list(regexp_extract(_source_file, '[^/]+$')))
        from raw.comtrade_records group by 1 order by 1
    """).fetchall()


def publish_then_revise(con, paths, revision: list[dict]):
    write_csv(paths.trade_landing / "kz_2023_01.csv", month())
    load_comtrade(con, paths.landing, [JAN]).raise_for_errors()
    before = by_flow(con)
    assert before == [("M", 3, 10e6, ["kz_2023_01.csv"]), ("X", 13, 120e6, ["kz_2023_01.csv"])]
    write_csv(paths.trade_landing / "kz_2023_01_rev.csv", revision)
    return load_comtrade(con, paths.landing, [JAN]), before


def held_messages(report) -> list[str]:
    assert [p.status for p in report.partitions] == ["rejected"]
    messages = [i.message for i in report.issues if i.check == "revision_held"]
    assert messages, report.issues
    return messages


def test_a_revision_dropping_a_whole_flow_is_held(warehouse, warehouse_paths):
    # 13 of 16 rows (-18.75 %), TOTAL 120M of 130M (-7.7 %), the export TOTAL still there.
    report, before = publish_then_revise(warehouse, warehouse_paths, month(imports={}))

    messages = held_messages(report)
    assert any("flow M" in m and "0 rows" in m and "kz_2023_01_rev.csv" in m for m in messages), messages
    assert not any("flow X" in m for m in messages), messages
    assert by_flow(warehouse) == before


def test_a_revision_dropping_one_flows_total_row_is_held(warehouse, warehouse_paths):
    report, before = publish_then_revise(warehouse, warehouse_paths, month(import_total=False))

    messages = held_messages(report)
    assert any("flow M" in m and "WITHOUT a total row" in m for m in messages), messages
    assert by_flow(warehouse) == before


def test_a_revision_shrinking_one_flows_total_past_the_limit_is_held(warehouse, warehouse_paths):
    # imports 10M -> 5M (-50 %), the slice 130M -> 125M (-3.8 %); every row still there.
    halved = {cmd: value / 2 for cmd, value in IMPORTS.items()}
    report, before = publish_then_revise(warehouse, warehouse_paths, month(imports=halved))

    messages = held_messages(report)
    assert any("flow M" in m and "5,000,000.00" in m and "10,000,000.00" in m for m in messages), messages
    assert by_flow(warehouse) == before


def test_a_revision_within_the_limit_for_every_flow_is_published(warehouse, warehouse_paths):
    revised = {cmd: value * 0.9 for cmd, value in IMPORTS.items()}  # -10 %
    report, _ = publish_then_revise(warehouse, warehouse_paths, month(imports=revised))

    report.raise_for_errors()
    assert by_flow(warehouse) == [
        ("M", 3, pytest.approx(9e6), ["kz_2023_01_rev.csv"]),
        ("X", 13, 120e6, ["kz_2023_01_rev.csv"]),
    ]


def test_an_accepted_revision_dropping_a_flow_is_published_and_judged_from_then_on(
    warehouse, warehouse_paths
):
    report, _ = publish_then_revise(warehouse, warehouse_paths, month(imports={}))
    held_messages(report)
    accept(warehouse, "comtrade_records", warehouse_paths.trade_landing / "kz_2023_01_rev.csv")
    load_comtrade(warehouse, warehouse_paths.landing, [JAN]).raise_for_errors()
    assert by_flow(warehouse) == [("X", 13, 120e6, ["kz_2023_01_rev.csv"])]

    # The imports come back in a later revision: nothing was lost, it is published.
    write_csv(warehouse_paths.trade_landing / "kz_2023_01_rev2.csv", month())
    load_comtrade(warehouse, warehouse_paths.landing, [JAN]).raise_for_errors()
    assert [row[:3] for row in by_flow(warehouse)] == [("M", 3, 10e6), ("X", 13, 120e6)]
