"""fct_trade_flows on an incremental run replaces everything its Dagster partition window holds,
deletions included, and nothing outside it: the real load path, DuckDB and dbt, in a temp folder.

The load path replaces a Comtrade slice (reporter, frequency, period) with its newest version, so
what leaves the fact's input is what a revision no longer holds: here Tajikistan's January,
revised to a split by transport mode only (no all-modes rows, so none of the plain rows the fact
keeps), and a commodity line Kazakhstan withdrew from February."""

import json
import subprocess
from pathlib import Path

import pytest
from comtrade_files import month_records, record, write_csv
from dbt_commands import Dbt

from catalog.trade import load_comtrade
from ingest.duck import connect
from ingest.reference import load_country_codes

pytestmark = pytest.mark.integration

JAN, FEB, MAR = "2023-01-01", "2023-02-01", "2023-03-01"
PERIODS = ("202301", "202302", "202303")
RAIL, ROAD = 3100, 3200


def tj_records(period: str) -> list[dict]:
    """Tajikistan's view of the same month (reporter 762, partner 398)."""
    return [
        record(762, 398, r["flowCode"], period, r["cmdCode"], r["primaryValue"])
        for r in month_records(period)
    ]


def by_transport_mode(rows: list[dict]) -> list[dict]:
    """The same trade split half by rail, half by road, without the all-modes rows."""
    return [
        {**row, "motCode": mode, "motDesc": str(mode), "primaryValue": row["primaryValue"] / 2}
        for row in rows
        for mode in (RAIL, ROAD)
    ]


def load(paths, keys):
    con = connect(paths.warehouse_db, memory_limit="1GB")
    try:
        load_country_codes(con)
        load_comtrade(con, paths.landing, keys).raise_for_errors()
    finally:
        con.close()  # dbt opens the file next: DuckDB allows one writing process


@pytest.fixture(scope="module")
def dbt_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dbt")


@pytest.fixture
def dbt(dbt_folder, warehouse_paths) -> Dbt:
    return Dbt(dbt_folder, warehouse_paths)


def fact(paths):
    con = connect(paths.warehouse_db, memory_limit="1GB")
    try:
        return sorted(
            con.execute("""
            select reporter_code, period, flow_code, cmd_code, trade_value_usd::double, _load_id
            from marts.fct_trade_flows
        """).fetchall()
        )
    finally:
        con.close()


def test_incremental_run_removes_slices_and_lines_gone_upstream(warehouse_paths, dbt):
    land = warehouse_paths.trade_landing
    write_csv(land / "kz_v1.csv", [r for p in PERIODS for r in month_records(p)])
    write_csv(land / "tj_v1.csv", [r for p in PERIODS for r in tj_records(p)])
    load(warehouse_paths, [JAN, FEB, MAR])
    dbt("run", "--select", "+fct_trade_flows")
    # A mark on March's stored rows: a run that rebuilt more than its window would wipe it.
    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB")
    try:
        con.execute("update marts.fct_trade_flows set _load_id = 'march, stored' where period = '202303'")
    finally:
        con.close()
    before = fact(warehouse_paths)
    assert {(r[0], r[1]) for r in before} == {(c, p) for c in (398, 762) for p in PERIODS}

    # Revisions of January and February: Tajikistan's January by transport mode only; Kazakhstan's
    # February without the chapter 27 line (its value moved to chapter 10, totals unchanged, so
    # the revision guard publishes both).
    write_csv(land / "tj_v2.csv", by_transport_mode(tj_records("202301")))
    february = [r for r in month_records("202302") if r["cmdCode"] != "27"]
    for row in february:
        if row["cmdCode"] == "10":
            row["primaryValue"] = 50e6
    write_csv(land / "kz_v2.csv", february)
    load(warehouse_paths, [JAN, FEB])
    # As the Dagster asset dbt_incremental passes the window of partitions 2023-01..2023-02 (in
    # the environment; vars min_period / max_period would do the same by hand).
    dbt("run", "--select", "fct_trade_flows", DBT_MIN_PERIOD="202301", DBT_MAX_PERIOD="202302")
    after = fact(warehouse_paths)

    assert [r for r in after if (r[0], r[1]) == (762, "202301")] == []
    assert [r for r in after if (r[0], r[1], r[3]) == (398, "202302", "27")] == []
    assert sorted((r[2], r[3], r[4]) for r in after if (r[0], r[1]) == (398, "202302")) == [
        ("M", "72", 15e6),
        ("M", "TOTAL", 15e6),
        ("X", "10", 50e6),
        ("X", "TOTAL", 50e6),
    ]
    # Untouched: Kazakhstan's January and Tajikistan's February (in the window, not revised) come
    # back the same, and March, outside the window, is not even rewritten (its mark stays).
    untouched = {(398, "202301"), (762, "202302"), (398, "202303"), (762, "202303")}
    assert [r for r in after if (r[0], r[1]) in untouched] == [r for r in before if (r[0], r[1]) in untouched]
    assert {r[5] for r in after if r[1] == "202303"} == {"march, stored"}

    # The fact's tests check the run's window (macros/partition_window.sql): a duplicate row in
    # March passes a test of January..February and fails a test without a window.
    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB")
    try:
        ((march_id,),) = con.execute(
            "select min(trade_flow_id) from marts.fct_trade_flows where period = '202303'"
        ).fetchall()
        con.execute(
            "insert into marts.fct_trade_flows select * from marts.fct_trade_flows where trade_flow_id = ?",
            [march_id],
        )
    finally:
        con.close()
    checks = ["--select", "fct_trade_flows,test_name:column_values", "--store-failures"]
    dbt("test", *checks, DBT_MIN_PERIOD="202301", DBT_MAX_PERIOD="202302")
    with pytest.raises(subprocess.CalledProcessError):
        dbt("test", *checks)
    results = json.loads((dbt.target / "run_results.json").read_text())["results"]
    tests = [r for r in results if r["unique_id"].startswith("test.")]
    assert [(r["unique_id"].split(".")[2], r["status"]) for r in tests] == [
        ("column_values_fct_trade_flows", "fail")
    ]
    # and what fails is that duplicate, nothing else of the table's checks
    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB", read_only=True)
    try:
        ((schema,),) = con.execute(
            "select table_schema from information_schema.tables "
            "where table_name = 'column_values_fct_trade_flows'"
        ).fetchall()
        failures = con.execute(
            f"select column_name, failure, value, n_records from {schema}.column_values_fct_trade_flows"
        ).fetchall()
    finally:
        con.close()
    assert failures == [("trade_flow_id", "duplicate", str(march_id), 2)]


def commodity_mix(paths) -> list[dict]:
    """The mart's rows; without `_built_at`, the start of the dbt run that wrote the row."""
    con = connect(paths.warehouse_db, memory_limit="1GB")
    try:
        cursor = con.execute("select * exclude (_built_at) from marts.mart_commodity_mix")
        names = [c[0] for c in cursor.description]
        return sorted((dict(zip(names, row, strict=True)) for row in cursor.fetchall()), key=repr)
    finally:
        con.close()


def test_commodity_mix_incremental_runs_equal_a_full_rebuild(warehouse_paths, dbt):
    """mart_commodity_mix rebuilds only the slices whose rows changed in fct_trade_flows and the
    same slices a year later (their year-on-year columns), everything when a description in
    dim_commodity changed, and ends as a full rebuild would."""
    land = warehouse_paths.trade_landing
    wheat = "Wheat and meslin"

    def kazakhstan(period, scale=1.0, wheat_desc="Other, n.e.s.", without_27=False):
        rows = month_records(period, scale)
        if without_27:  # its value moved to chapter 10: totals unchanged, the revision guard passes
            rows = [{**r, "primaryValue": 50e6} if r["cmdCode"] == "10" else r for r in rows]
            rows = [r for r in rows if r["cmdCode"] != "27"]
        return [*rows, {**record(398, 762, "X", period, "1001", 3e6 * scale), "cmdDesc": wheat_desc}]

    # monthly and annual periods (an annual period's partition is its December)
    write_csv(land / "kz_v1.csv", [r for p in (*PERIODS, "202401", "2023", "2024") for r in kazakhstan(p)])
    write_csv(land / "tj_v1.csv", [r for p in PERIODS for r in tj_records(p)])
    load(warehouse_paths, [JAN, FEB, MAR, "2024-01-01", "2023-12-01", "2024-12-01"])
    dbt("seed", "--select", "hs_chapters")
    dbt("run", "--select", "+mart_commodity_mix")
    # Marks on stored rows: a run that rewrites a slice it should not would wipe them.
    con = connect(warehouse_paths.warehouse_db, memory_limit="1GB")
    try:
        # the descriptions the mart was built with: the next run reads its rows for them only if
        # dim_commodity's differ (macros/trade_slices.sql)
        columns = "cmd_code, cmd_desc, chapter_title, section_number, section_roman, section_title"
        dim, recorded = "marts.dim_commodity", "meta.commodity_mix_descriptions"
        for first, second in ((dim, recorded), (recorded, dim)):
            assert con.execute(
                f"select count(*) from (select {columns} from {first}"
                f" except all select {columns} from {second})"
            ).fetchone() == (0,)
        con.execute(
            "update marts.mart_commodity_mix set share_change_pp_yoy = -999 "
            "where period in ('202303', '202401', '2024')"
        )
        # A stale description the next run must not look for (dim_commodity unchanged since the
        # recorded descriptions): found, it would rebuild every slice and wipe the marks.
        con.execute("update marts.mart_commodity_mix set cmd_desc = 'stale' where period = '202303'")
    finally:
        con.close()

    # Revisions: Tajikistan's January by transport mode only (its slice leaves the fact),
    # Kazakhstan's January and year 2023 doubled, its February without chapter 27.
    write_csv(land / "tj_v2.csv", by_transport_mode(tj_records("202301")))
    write_csv(
        land / "kz_v2.csv",
        kazakhstan("202301", scale=2) + kazakhstan("202302", without_27=True) + kazakhstan("2023", scale=2),
    )
    load(warehouse_paths, [JAN, FEB, "2023-12-01"])
    dbt("run", "--select", "+mart_commodity_mix", DBT_MIN_PERIOD="202301", DBT_MAX_PERIOD="202312")
    incremental = commodity_mix(warehouse_paths)

    lines = {(r["reporter_code"], r["period"], r["cmd_code"]) for r in incremental}
    assert (762, "202301") not in {line[:2] for line in lines}
    assert (398, "202302", "27") not in lines
    # March was not rewritten (in the fact's window, but not changed); January 2024 and the year
    # 2024 were, as their year-on-year columns read January 2023 and the year 2023.
    assert {r["period"] for r in incremental if r["share_change_pp_yoy"] == -999} == {"202303"}
    wheat_2024 = [r for r in incremental if r["period"] in ("202401", "2024") and r["cmd_code"] == "1001"]
    assert [r["trade_value_prev_year_usd"] for r in wheat_2024] == [6e6, 6e6]  # doubled

    dbt("run", "--select", "mart_commodity_mix", "--full-refresh")
    rebuilt = commodity_mix(warehouse_paths)

    def unmarked(rows):
        marks = {"share_change_pp_yoy": None, "cmd_desc": None}
        return [{**r, **marks} if r["period"] == "202303" else r for r in rows]

    assert len(rebuilt) == len(incremental) > 0
    assert unmarked(incremental) == unmarked(rebuilt)

    # A new month that renames a commodity line: dim_commodity takes the latest description and
    # every stored row of that line must follow, so the run rebuilds every slice.
    write_csv(land / "kz_v3.csv", kazakhstan("202402", wheat_desc=wheat))
    load(warehouse_paths, ["2024-02-01"])
    dbt("run", "--select", "+mart_commodity_mix", DBT_MIN_PERIOD="202402", DBT_MAX_PERIOD="202402")
    incremental = commodity_mix(warehouse_paths)
    assert {r["cmd_desc"] for r in incremental if r["cmd_code"] == "1001"} == {wheat}
    dbt("run", "--select", "mart_commodity_mix", "--full-refresh")
    assert incremental == commodity_mix(warehouse_paths)
