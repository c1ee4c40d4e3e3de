"""Secondary suppression of mart_family_level_transitions against mart_family_wellbeing: the
wellbeing mart publishes (nearly) the sums of a region's transitions into a level (this month's
families at it) and out of it (last month's), so neither those sums nor a withheld transition may
follow from the other mart by subtraction. The real marts, built by dbt on hand-made intermediate
tables in a temp DuckDB."""

import pytest
from dbt_commands import Dbt

from ingest.duck import connect

pytestmark = pytest.mark.integration

JAN, FEB = "2023-01-01", "2023-02-01"
# Nobody moves region; (region, January's level, February's): families. In region 11, 3 families
# go from B to A: before, A->A and B->B were published and the wellbeing mart gave B->A back
# (February's A less A->A).
MOVES = {
    ("11", "A", "A"): 30,
    ("11", "B", "A"): 3,
    ("11", "B", "B"): 20,
    ("11", "A", "B"): 15,
    ("15", "A", "A"): 40,
    ("15", "B", "A"): 12,
    ("15", "B", "B"): 40,
    ("15", "A", "B"): 25,
}


def test_no_withheld_transition_or_level_follows_from_the_other_mart(warehouse_paths, tmp_path):
    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB")
    try:
        con.execute("create schema intermediate")
        con.execute(
            "create table intermediate.int_family__levels "
            "(extract_month date, family_key varchar, level varchar)"
        )
        con.execute(
            "create table intermediate.int_family__indicator_values (extract_month date, family_key varchar, "
            "region_kato_2digit varchar, members integer, children integer)"
        )
        key = 0
        for (region, january, february), families in MOVES.items():
            for _ in range(families):
                key += 1
                for month, level in ((JAN, january), (FEB, february)):
                    con.execute(
                        "insert into intermediate.int_family__levels values (?, ?, ?)",
                        [month, f"f{key}", level],
                    )
                    con.execute(
                        "insert into intermediate.int_family__indicator_values values (?, ?, ?, 3, 1)",
                        [month, f"f{key}", region],
                    )
    finally:
        con.close()  # dbt opens the file next: DuckDB allows one writing process
    (tmp_path / "dbt").mkdir()
    Dbt(tmp_path / "dbt", warehouse_paths)(
        "run", "--select", "mart_family_wellbeing", "mart_family_level_transitions"
    )

    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB")
    try:
        wellbeing = {
            (str(month), region, level): withheld
            for month, region, level, withheld in con.execute(
                "select month, region_kato_2digit, level, is_suppressed from marts.mart_family_wellbeing"
            ).fetchall()
        }
        transitions = con.execute(
            "select month, region_kato_2digit, from_level, to_level, families, is_suppressed "
            "from marts.mart_family_level_transitions"
        ).fetchall()
    finally:
        con.close()
    assert not any(wellbeing.values())  # every level's families are published (all >= 10)
    cells = {(str(m), r, f, t): (n, withheld) for m, r, f, t, n, withheld in transitions}
    assert cells[(FEB, "11", "B", "A")] == (None, True)
    # Each level's families with the transitions into it (this month) and out of it (last month):
    # never exactly one of them withheld, or the others give it back.
    groups: dict[tuple, list[bool]] = {}
    for (month, region, from_level, to_level), (_, withheld) in cells.items():
        groups.setdefault((month, region, "into", to_level), []).append(withheld)
        groups.setdefault((month, region, "out of", from_level), []).append(withheld)
    for (month, region, side, level), parts in groups.items():
        margin_month = month if side == "into" else JAN
        margin = wellbeing.get((margin_month, region, level))
        assert margin is not None
        assert parts.count(True) + margin != 1, (month, region, side, level)
