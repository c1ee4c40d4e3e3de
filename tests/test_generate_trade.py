"""Tests of demo.trade: the bundled KZ-TJ demo set and the scale CSV writer."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from demo.trade import (
    ANNUAL_YEARS,
    YEARS,
    generate_bundled_rows,
    main,
    write_bundled_dataset,
    write_scale_dataset,
)
from ingest.comtrade_schema import COLUMN_NAMES, COMTRADE_COLUMNS, RECORD_KEY

PLAIN = "customsCode = 'C00' AND motCode = 0 AND partner2Code = 0"
COLUMNS_SQL = "{" + ", ".join(f"'{n}': '{t}'" for n, t in COMTRADE_COLUMNS) + "}"
STRUCT_SQL = "STRUCT(" + ", ".join(f'"{n}" {t}' for n, t in COMTRADE_COLUMNS) + ")[]"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("bundled")
    return out, write_bundled_dataset(out)


@pytest.fixture(scope="module")
def con(bundled: tuple[Path, list[Path]]) -> duckdb.DuckDBPyConnection:
    """All bundled files read back by DuckDB with the v1 column types."""
    out, _ = bundled
    c = duckdb.connect()
    c.execute(f"""CREATE TABLE kz AS SELECT * FROM read_csv('{out}/comtrade_C_M_398_*.csv',
                  header = true, columns = {COLUMNS_SQL})""")
    c.execute(f"""CREATE TABLE kz_annual AS SELECT * FROM read_csv('{out}/comtrade_C_A_398_*.csv',
                  header = true, columns = {COLUMNS_SQL})""")
    c.execute(f"""CREATE TABLE tj AS SELECT unnest(data, recursive := true)
                  FROM read_json('{out}/comtrade_C_M_762_*.json',
                       columns = {{'elapsedTime': 'VARCHAR', 'count': 'BIGINT',
                                   'data': '{STRUCT_SQL}', 'error': 'VARCHAR'}})""")
    c.execute("CREATE TABLE monthly AS SELECT * FROM kz UNION ALL BY NAME SELECT * FROM tj")
    return c


def _yearly(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, int, str], float]:
    rows = con.execute(f"""
        SELECT refYear, reporterCode, flowCode, sum(primaryValue) / 1e6
        FROM monthly WHERE cmdCode = 'TOTAL' AND {PLAIN} AND flowCode IN ('M', 'X')
        GROUP BY ALL""").fetchall()
    return {(y, r, f): float(v) for y, r, f, v in rows}


@pytest.mark.slow
def test_file_names_and_deterministic_bytes(bundled, tmp_path: Path) -> None:
    out, paths = bundled
    names = {p.name for p in paths}
    assert names == (
        {f"comtrade_C_M_398_{y}.csv" for y in YEARS}
        | {f"comtrade_C_M_762_{y}.json" for y in YEARS}
        | {f"comtrade_C_A_398_{y}.csv" for y in ANNUAL_YEARS}
    )
    again = write_bundled_dataset(tmp_path)
    assert [p.name for p in again] == [p.name for p in paths]
    for a, b in zip(paths, again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    total = sum(p.stat().st_size for p in paths)
    assert total < 30_000_000


def test_other_seed_gives_other_values() -> None:
    a = generate_bundled_rows(seed=1)[(398, 2020)]
    b = generate_bundled_rows(seed=2)[(398, 2020)]
    assert [r.primary for r in a[:50]] != [r.primary for r in b[:50]]


def test_csv_header_is_the_v1_column_order(bundled) -> None:
    _, paths = bundled
    for p in paths:
        if p.suffix == ".csv":
            with p.open(newline="") as fh:
                header = next(csv.reader(fh))
            assert header == COLUMN_NAMES, p.name


def test_csv_booleans_and_quoting(bundled) -> None:
    out, _ = bundled
    with (out / "comtrade_C_M_398_2022.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["isReported"] for r in rows} == {"True"}
    assert {r["isAggregate"] for r in rows} == {"True", "False"}
    assert all(len(r) == len(COLUMN_NAMES) for r in rows)
    assert any("," in r["cmdDesc"] for r in rows)  # quoted by the CSV writer
    assert {r["classificationCode"] for r in rows} == {"H6"}
    with (out / "comtrade_C_M_398_2021.csv").open(newline="") as fh:
        assert {r["classificationCode"] for r in csv.DictReader(fh)} == {"H5"}


def test_json_envelope_has_data_list_and_every_key(bundled) -> None:
    out, _ = bundled
    text = (out / "comtrade_C_M_762_2023.json").read_text()
    env = json.loads(text)
    assert set(env) == {"elapsedTime", "count", "data", "error"}
    assert isinstance(env["data"], list) and env["count"] == len(env["data"]) > 1000
    assert env["error"] == ""
    for rec in env["data"]:
        assert list(rec) == COLUMN_NAMES
    assert "true" in text and "True" not in text
    imports = [r for r in env["data"] if r["flowCode"] == "M" and r["cmdCode"] == "TOTAL"]
    assert all(r["cifvalue"] == r["primaryValue"] and r["fobvalue"] < r["cifvalue"] for r in imports)


def test_values_basis_and_plain_codes(con) -> None:
    bad = con.execute(f"""
        SELECT count(*) FROM monthly WHERE {PLAIN} AND (
            (flowCode IN ('X', 'RX') AND (fobvalue IS DISTINCT FROM primaryValue
                                          OR cifvalue IS NOT NULL))
         OR (flowCode IN ('M', 'RM') AND (cifvalue IS DISTINCT FROM primaryValue
                                          OR coalesce(fobvalue, 0) > cifvalue))
         OR mosCode <> '0' OR typeCode <> 'C' OR NOT isReported
         OR refPeriodId <> refYear * 10000 + refMonth * 100 + 1)""").fetchone()[0]
    assert bad == 0
    flows = dict(con.execute("SELECT flowCode, count(*) FROM monthly GROUP BY 1").fetchall())
    assert set(flows) == {"M", "X", "RM", "RX"}
    assert flows["RX"] < flows["X"] / 50
    assert con.execute("SELECT count(*) FROM monthly").fetchone()[0] > 20_000


def test_every_reporter_flow_month_has_a_total(con) -> None:
    n = con.execute(f"""SELECT count(DISTINCT (reporterCode, flowCode, period)) FROM monthly
                        WHERE cmdCode = 'TOTAL' AND {PLAIN} AND flowCode IN ('M', 'X')""")
    assert n.fetchone()[0] == 2 * 2 * 12 * len(YEARS)


def test_chapters_sum_exactly_to_total(con) -> None:
    for table in ("monthly", "kz_annual"):
        checked, mismatched = con.execute(f"""
            WITH t AS (SELECT reporterCode, flowCode, period, primaryValue AS v FROM {table}
                       WHERE cmdCode = 'TOTAL' AND {PLAIN}),
                 c AS (SELECT reporterCode, flowCode, period, sum(primaryValue) AS v FROM {table}
                       WHERE aggrLevel = 2 AND {PLAIN} GROUP BY ALL)
            SELECT count(*), count(*) FILTER (WHERE t.v <> c.v OR c.v IS NULL)
            FROM t LEFT JOIN c USING (reporterCode, flowCode, period)""").fetchone()
        assert checked > 0 and mismatched == 0, table


def test_headings_and_subheadings_do_not_exceed_their_parents(con) -> None:
    over_chapter = con.execute(f"""
        WITH c AS (SELECT reporterCode, flowCode, period, cmdCode AS ch, primaryValue AS v
                   FROM monthly WHERE aggrLevel = 2 AND {PLAIN}),
             l AS (SELECT reporterCode, flowCode, period, left(cmdCode, 2) AS ch, aggrLevel,
                          sum(primaryValue) AS v
                   FROM monthly WHERE aggrLevel IN (4, 6) AND {PLAIN} GROUP BY ALL)
        SELECT count(*), count(*) FILTER (WHERE c.v IS NULL OR l.v > c.v)
        FROM l LEFT JOIN c USING (reporterCode, flowCode, period, ch)""").fetchone()
    assert over_chapter[0] > 1000 and over_chapter[1] == 0
    over_heading = con.execute(f"""
        WITH h AS (SELECT reporterCode, flowCode, period, cmdCode AS h4, primaryValue AS v
                   FROM monthly WHERE aggrLevel = 4 AND {PLAIN}),
             s AS (SELECT reporterCode, flowCode, period, left(cmdCode, 4) AS h4,
                          sum(primaryValue) AS v
                   FROM monthly WHERE aggrLevel = 6 AND {PLAIN} GROUP BY ALL)
        SELECT count(*), count(*) FILTER (WHERE h.v IS NULL OR s.v > h.v)
        FROM s LEFT JOIN h USING (reporterCode, flowCode, period, h4)""").fetchone()
    assert over_heading[0] > 1000 and over_heading[1] == 0
    leaf = con.execute("SELECT bool_and(isLeaf = (aggrLevel = 6)) FROM monthly").fetchone()[0]
    assert leaf
    for code in (
        "100199",
        "110100",
        "271019",
        "260300",
        "260800",
        "260700",
        "081310",
        "080620",
        "220110",
        "252329",
        "720839",
        "760110",
        "520100",
        "271600",
        "070310",
    ):
        assert con.execute("SELECT count(*) FROM monthly WHERE cmdCode = ?", [code]).fetchone()[0] > 0, code


def test_breakdown_rows_are_few_and_partial(con) -> None:
    n, over = con.execute(f"""
        WITH b AS (SELECT * FROM monthly WHERE NOT ({PLAIN})),
             c AS (SELECT reporterCode, flowCode, period, cmdCode, primaryValue AS v
                   FROM monthly WHERE {PLAIN})
        SELECT count(*), count(*) FILTER (WHERE c.v IS NULL OR b.primaryValue >= c.v)
        FROM b LEFT JOIN c USING (reporterCode, flowCode, period, cmdCode)""").fetchone()
    assert 5 <= n <= 200 and over == 0
    kinds = con.execute(f"""SELECT DISTINCT customsCode <> 'C00', motCode <> 0, partner2Code <> 0
                            FROM monthly WHERE NOT ({PLAIN})""").fetchall()
    assert len(kinds) == 3


def test_calibration_to_published_2022_and_h1_2023(con) -> None:
    y = _yearly(con)
    assert y[(2022, 398, "X")] == pytest.approx(877.6, rel=0.03)
    assert y[(2022, 398, "M")] == pytest.approx(501.4, rel=0.03)
    assert y[(2020, 398, "X")] == pytest.approx(693, rel=0.03)
    assert y[(2023, 762, "M")] == pytest.approx(893, rel=0.03)
    assert y[(2023, 762, "X")] == pytest.approx(255.8, rel=0.03)
    assert y[(2021, 762, "M")] == pytest.approx(820, rel=0.03)
    assert y[(2019, 762, "M")] + y[(2019, 762, "X")] == pytest.approx(957.5, rel=0.03)
    assert y[(2017, 398, "M")] + y[(2017, 398, "X")] == pytest.approx(800, rel=0.03)
    h1 = con.execute(f"""SELECT sum(primaryValue) / 1e6 FROM monthly
                         WHERE reporterCode = 398 AND refYear = 2023 AND refMonth <= 6
                           AND flowCode IN ('M', 'X') AND cmdCode = 'TOTAL' AND {PLAIN}""")
    assert float(h1.fetchone()[0]) > 500
    # Plausible growth after the last published year.
    kz = {yr: y[(yr, 398, "X")] + y[(yr, 398, "M")] for yr in YEARS}
    assert 1.05 < kz[2024] / kz[2023] < 1.2 and 1.05 < kz[2025] / kz[2024] < 1.2


def test_mirror_gap_between_sides(con) -> None:
    y = _yearly(con)
    signs = set()
    for yr in YEARS:
        for kz_flow, tj_flow in (("X", "M"), ("M", "X")):
            kz, tj = y[(yr, 398, kz_flow)], y[(yr, 762, tj_flow)]
            gap = abs(kz - tj) / max(kz, tj)
            assert 0 < gap <= 0.30, (yr, kz_flow, kz, tj)
            signs.add(tj > kz)
    assert signs == {True, False}  # TJ side higher in some years, lower in others


def test_seasonality_wheat_after_harvest_dried_fruit_in_autumn(con) -> None:
    def months(reporter: int, flow: str, chapter: str) -> dict[int, float]:
        return dict(
            con.execute(
                f"""SELECT refMonth, sum(primaryValue)::DOUBLE FROM monthly
                                   WHERE reporterCode = ? AND flowCode = ? AND cmdCode = ?
                                     AND {PLAIN} GROUP BY 1""",
                [reporter, flow, chapter],
            ).fetchall()
        )

    wheat = months(398, "X", "10")
    assert sum(wheat[m] for m in (9, 10, 11)) > 1.4 * sum(wheat[m] for m in (5, 6, 7))
    fruit = months(762, "X", "08")
    assert sum(fruit[m] for m in (9, 10, 11)) > 2 * sum(fruit[m] for m in (3, 4, 5))


def test_annual_files_equal_the_sum_of_months(con) -> None:
    checked, bad = con.execute(f"""
        WITH a AS (SELECT refYear, flowCode, cmdCode, primaryValue AS v FROM kz_annual
                   WHERE {PLAIN} AND aggrLevel <= 2),
             m AS (SELECT refYear, flowCode, cmdCode, sum(primaryValue) AS v FROM kz
                   WHERE {PLAIN} AND aggrLevel <= 2 GROUP BY ALL)
        SELECT count(*), count(*) FILTER (WHERE m.v IS NULL OR a.v <> m.v)
        FROM a LEFT JOIN m USING (refYear, flowCode, cmdCode)""").fetchone()
    assert checked > 500 and bad == 0
    meta = con.execute("""SELECT DISTINCT freqCode, refMonth, period = refYear::VARCHAR
                          FROM kz_annual""").fetchall()
    assert meta == [("A", 52, True)]


def test_record_keys_unique_in_bundled(con) -> None:
    key = ", ".join(RECORD_KEY)
    n, distinct = con.execute(f"""SELECT count(*), (SELECT count(*) FROM
                                  (SELECT DISTINCT reporterCode, {key} FROM monthly))
                                  FROM monthly""").fetchone()
    assert n == distinct


def test_scale_writer_exact_rows_unique_keys(tmp_path: Path) -> None:
    path = write_scale_dataset(tmp_path / "scale.csv", rows=50_000, progress=False, chunk_rows=20_000)
    with path.open(newline="") as fh:
        assert next(csv.reader(fh)) == COLUMN_NAMES
    c = duckdb.connect()
    c.execute(f"""CREATE TABLE s AS SELECT * FROM read_csv('{path}', header = true,
                  columns = {COLUMNS_SQL}, strict_mode = true)""")
    key = ", ".join(RECORD_KEY)
    n, distinct = c.execute(f"""SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT {key}
                                FROM s)) FROM s""").fetchone()
    assert n == distinct == 50_000
    stats = c.execute("""SELECT count(DISTINCT partnerCode), count(DISTINCT period),
                                bool_and(reporterCode = 398 AND aggrLevel = 6 AND isLeaf
                                         AND length(cmdCode) = 6 AND primaryValue > 0),
                                count(DISTINCT flowCode)
                         FROM s""").fetchone()
    assert stats[0] > 200 and stats[1] == 132 and stats[2] and stats[3] == 2
    # Same seed, same bytes; any row count, including one not divisible by the chunk size.
    again = write_scale_dataset(tmp_path / "again.csv", rows=50_000, progress=False, chunk_rows=20_000)
    assert again.read_bytes() == path.read_bytes()
    odd = write_scale_dataset(tmp_path / "odd.csv", rows=1_234, progress=False)
    assert sum(1 for _ in odd.open()) == 1_235


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scale", str(tmp_path / "s.csv"), "--rows", "1000", "--no-progress"]) == 0
    assert sum(1 for _ in (tmp_path / "s.csv").open()) == 1001
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "bundled" in capsys.readouterr().out
