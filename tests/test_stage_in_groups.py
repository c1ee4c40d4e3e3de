"""A window's files read alike are staged by one statement each group (ingest.feeds.scan_files):
each row keeps its own file's line or record number, each file its own rejects, and a group that
fails is read again file by file so that only the file at fault is refused."""

from pathlib import Path

import duckdb
import pytest
from appeal_files import APPEAL_COLUMNS, appeal, write_jsonl
from appeal_files import write_csv as write_appeals_csv
from comtrade_files import month_records, record, write_csv, write_json

from catalog.appeals import APPEALS, load_appeals
from catalog.trade import COMTRADE, load_comtrade
from ingest import feeds, landing
from ingest.comtrade_schema import COLUMN_NAMES
from ingest.privacy import register_pii_hash

# Loads through DuckDB and Great Expectations, seconds each: not in `make test-fast`.
pytestmark = pytest.mark.slow


def sources(paths: list[Path], work_dir: Path) -> list[feeds.SourceFile]:
    return [feeds.SourceFile.open(path, landing.inspect(path), work_dir) for path in paths]


def numbers(scan: feeds.FileScan, column: str) -> list[tuple[int, int, str]]:
    """(file, row number, `column`'s value) of each row the scan reads, by file and number."""
    with duckdb.connect() as con:
        register_pii_hash(con, demo_ok=True)  # the eOtinish read hashes and redacts
        return con.execute(
            f'select _file_index, _source_row, "{column}" from ({scan.sql}) order by 1, 2'
        ).fetchall()


def statements_recorded(monkeypatch, name: str = "_stage_files") -> list[tuple[int, bool]]:
    """(files, read) of each statement ingest.feeds' `name` (_stage_files, _partitions_in) runs
    from now on."""
    calls = []
    reads = getattr(feeds, name)

    def recording(con, feed, files, found):
        done = reads(con, feed, files, found)
        calls.append((len(files), done))
        return done

    monkeypatch.setattr(feeds, name, recording)
    return calls


def test_rows_are_numbered_within_their_own_file(tmp_path):
    jan, feb = month_records("202301"), month_records("202302")[:4]
    csvs = [write_csv(tmp_path / "jan.csv", jan), write_csv(tmp_path / "feb.csv", feb)]
    envelopes = [write_json(tmp_path / "jan.json", jan), write_json(tmp_path / "feb.json", feb)]
    days = [
        write_jsonl(tmp_path / "appeals_2024-03-05.jsonl", [appeal(n, "2024-03-05") for n in (1, 2, 3)]),
        write_jsonl(tmp_path / "appeals_2024-03-06.jsonl", [appeal(4, "2024-03-06")]),
    ]
    # CSV: line 1 is the header; JSON: record n. Each number is its own record's.
    commodities = [(0, n, r["cmdCode"]) for n, r in enumerate(jan)]
    commodities += [(1, n, r["cmdCode"]) for n, r in enumerate(feb)]
    assert numbers(feeds.scan_files(COMTRADE, sources(csvs, tmp_path)), "cmdCode") == [
        (file, n + 2, code) for file, n, code in commodities
    ]
    assert numbers(feeds.scan_files(COMTRADE, sources(envelopes, tmp_path)), "cmdCode") == [
        (file, n + 1, code) for file, n, code in commodities
    ]
    appeals = numbers(feeds.scan_files(APPEALS, sources(days, tmp_path)), "id")
    assert [(file, n) for file, n, _ in appeals] == [(0, 1), (0, 2), (0, 3), (1, 1)]
    expected = [appeal(n, "2024-03-05") for n in (1, 2, 3)] + [appeal(4, "2024-03-06")]
    assert [number for *_, number in appeals] == [str(a["id"]) for a in expected]
    # files not read alike are not read together
    with pytest.raises(ValueError):
        feeds.scan_files(COMTRADE, sources([csvs[0], envelopes[1]], tmp_path))


def test_each_file_of_a_group_keeps_its_own_lines_and_rejects(warehouse, warehouse_paths, monkeypatch):
    land = warehouse_paths.trade_landing
    write_csv(land / "kz_2023_01.csv", month_records("202301"))
    february = month_records("202302")
    february[2]["flowCode"] = "Z"  # line 4
    write_csv(land / "kz_2023_02.csv", february)
    march = write_csv(land / "kz_2023_03.csv", month_records("202303"))
    lines = march.read_text().splitlines()
    lines[3] += ',"surplus field'  # line 4: a line the reader cannot parse
    march.write_text("\n".join(lines) + "\n")
    april = month_records("202304")
    del april[2]["flowCode"]
    write_json(land / "kz_2023_04.json", april)
    write_json(land / "kz_2023_05.json", month_records("202305"))
    months = ["2023-01-01", "2023-02-01", "2023-03-01", "2023-04-01", "2023-05-01"]
    statements = statements_recorded(monkeypatch)

    report = load_comtrade(warehouse, warehouse_paths.landing, months)

    assert sorted(statements) == [(2, True), (3, True)]  # the envelopes, the CSVs

    status = {p.partition_key: p.status for p in report.partitions}
    assert status == dict(
        zip(months, ["published", "rejected", "rejected", "rejected", "published"], strict=True)
    )
    issues = {p.partition_key: [i.describe() for i in p.issues] for p in report.partitions}
    assert any("kz_2023_02.csv, line 4, column flowCode" in i for i in issues["2023-02-01"])
    assert all("kz_2023_02.csv" in i for i in issues["2023-02-01"])
    assert any("kz_2023_03.csv, line 4: Value with unterminated quote" in i for i in issues["2023-03-01"])
    assert all("kz_2023_03.csv" in i for i in issues["2023-03-01"])
    assert any("kz_2023_04.json, record 3, column flowCode" in i for i in issues["2023-04-01"])
    published = warehouse.execute(
        "select period, _source_file, min(_source_row), max(_source_row), count(*) "
        "from raw.comtrade_records group by all order by all"
    ).fetchall()
    rows = len(month_records("202301"))
    assert [(p, Path(f).name, a, b, n) for p, f, a, b, n in published] == [
        ("202301", "kz_2023_01.csv", 2, rows + 1, rows),
        ("202305", "kz_2023_05.json", 1, rows, rows),
    ]


def test_a_group_that_fails_is_read_again_file_by_file(warehouse, warehouse_paths, monkeypatch):
    """Here a JSON Lines and a CSV export are put in one group on purpose: the group's statement
    fails, and each file is then staged alone and published."""
    folder = warehouse_paths.landing / "eotinish"
    write_jsonl(folder / "appeals_2024-03-05.jsonl", [appeal(1, "2024-03-05"), appeal(2, "2024-03-05")])
    write_appeals_csv(folder / "appeals_2024-03-06.csv", [appeal(3, "2024-03-06")], APPEAL_COLUMNS)
    monkeypatch.setattr(feeds, "reader_key", lambda source: "one group")
    staged_together = statements_recorded(monkeypatch)

    report = load_appeals(warehouse, warehouse_paths.landing, ["2024-03-05", "2024-03-06"])

    report.raise_for_errors()
    assert staged_together == [(2, False), (1, True), (1, True)]
    rows = warehouse.execute(
        "select _partition_date, count(*) from raw.eotinish_appeals group by 1 order by 1"
    ).fetchall()
    assert [(str(day), n) for day, n in rows] == [("2024-03-05", 2), ("2024-03-06", 1)]


def test_a_group_is_staged_in_file_then_line_order(warehouse, warehouse_paths):
    """Rows staged in the order one file's read gives them, so that the same files give the same
    tables byte for byte (finding each file's first row reorders them inside the statement)."""
    for month in (1, 2, 3):
        rows = [record(398, 762, "X", f"20230{month}", f"{i:06d}", 1.0) for i in range(20_000)]
        write_csv(warehouse_paths.trade_landing / f"kz_2023_0{month}.csv", rows)
    feeds.register(warehouse, COMTRADE, warehouse_paths.landing)
    slices = warehouse.execute(
        feeds._WINNING_FILES_SQL + "select partition_key, slice, path, sha256 from changed order by 1, 3, 2",
        feeds._file_parameters(COMTRADE, warehouse_paths.landing),
    ).fetchall()

    feeds._stage(warehouse, COMTRADE, slices)

    staged = warehouse.execute("select _source_file, _source_row from feed_stage").fetchall()
    assert len(staged) == 60_000 and staged == sorted(staged)


def test_a_csv_column_named_file_index_does_not_mix_files_up(warehouse, warehouse_paths, monkeypatch):
    """The reader tells files apart by its `file_index`; a column of that name would hide it, so
    such files are read one by one."""
    columns = [*COLUMN_NAMES, "file_index"]
    for month, index in (("01", 1), ("02", 0)):  # each file's column names the other file
        rows = [{**r, "file_index": index} for r in month_records(f"2023{month}")]
        write_csv(warehouse_paths.trade_landing / f"kz_2023_{month}.csv", rows, columns=columns)
    statements = statements_recorded(monkeypatch)

    load_comtrade(warehouse, warehouse_paths.landing, ["2023-01-01", "2023-02-01"]).raise_for_errors()

    assert statements == [(1, True), (1, True)]
    files = warehouse.execute("select distinct period, _source_file from raw.comtrade_records").fetchall()
    assert sorted((period, Path(file).name) for period, file in files) == [
        ("202301", "kz_2023_01.csv"),
        ("202302", "kz_2023_02.csv"),
    ]


def test_groups_are_bounded_in_rows_and_files(monkeypatch):
    monkeypatch.setattr(feeds, "STAGE_GROUP_ROWS", 10)
    monkeypatch.setattr(feeds, "STAGE_GROUP_FILES", 3)
    files = [feeds._FileToStage(f"f{i}", f"sha{i}", [], None, ()) for i in range(6)]
    rows = {"sha0": 4, "sha1": 4, "sha2": 4, "sha3": 12, "sha4": 1, "sha5": 1}
    groups = [[f.path for f in group] for group in feeds._groups_of_files(files, rows)]
    assert groups == [["f0", "f1"], ["f2"], ["f3"], ["f4", "f5"]]
    monkeypatch.setattr(feeds, "STAGE_GROUP_ROWS", 100)
    groups = [[f.path for f in group] for group in feeds._groups_of_files(files, rows)]
    assert groups == [["f0", "f1", "f2"], ["f3", "f4", "f5"]]


def test_the_plan_reads_files_alike_together_and_each_keeps_its_months(warehouse_paths, monkeypatch):
    land = warehouse_paths.trade_landing
    jan = write_csv(land / "a.csv", month_records("202301"))
    feb_mar = write_csv(land / "b.csv", month_records("202302") + month_records("202303"))
    lines = feb_mar.read_text().splitlines()
    lines[3] += ",surplus"  # a line the plan's lenient read skips: the group still reads
    feb_mar.write_text("\n".join(lines) + "\n")
    apr = write_json(land / "c.json", month_records("202304"))
    may = write_json(land / "d.json", month_records("202305"))
    broken = land / "e.json"
    broken.write_text('{"data": [{"period": "202306"}, ')  # cut short: fails its group, read alone
    statements = statements_recorded(monkeypatch, "_partitions_in")

    found = feeds.files_partitions(COMTRADE, [jan, feb_mar, apr, may, broken])

    assert found == {
        jan: {"2023-01-01"},
        feb_mar: {"2023-02-01", "2023-03-01"},
        apr: {"2023-04-01"},
        may: {"2023-05-01"},
        broken: set(),
    }
    assert statements == [(2, True), (3, False), (1, True), (1, True), (1, False)]
