"""Loading Comtrade files: both source formats, idempotence, revisions, and every kind of bad
input (clear error naming file, row and column; bad rows quarantined; published data intact).

These run the real DuckDB and the real Great Expectations suite on a few hand-made records."""

import errno
import gzip
import io
import json
from pathlib import Path

import pytest
from comtrade_files import month_records, record, write_csv, write_json
from load_probes import file_reads, staged_as

from catalog.trade import COMTRADE, file_partitions, load_comtrade
from ingest import comtrade, feeds
from ingest.comtrade import partition_periods
from ingest.comtrade_schema import COLUMN_NAMES
from ingest.loads import LoadError
from ingest.revisions import accept

# Loads through DuckDB and Great Expectations, seconds each: not in `make test-fast`.
pytestmark = pytest.mark.slow

JAN, FEB = "2023-01-01", "2023-02-01"


def published(con, period=None):
    sql = (
        'select period, "reporterCode", "flowCode", "cmdCode", "primaryValue"::double, _source_file '
        "from raw.comtrade_records"
    )
    if period:
        sql += f" where period = '{period}'"
    return sorted(con.execute(sql + " order by all").fetchall())


def quarantined(con):
    return con.execute(
        "select source_file, source_row, column_name, check_name, bad_value, record "
        "from quarantine.comtrade_records order by source_row"
    ).fetchall()


def load(con, paths, keys):
    return load_comtrade(con, paths.landing, keys)


# --- partitions ---------------------------------------------------------------------------------


def test_partition_periods_include_the_annual_period_in_december():
    assert partition_periods("2023-03-01") == ["202303"]
    assert partition_periods("2023-12-01") == ["202312", "2023"]
    with pytest.raises(ValueError):
        partition_periods("2023")


def test_file_partitions_reads_months_and_years(warehouse_paths):
    path = write_csv(
        warehouse_paths.trade_landing / "a.csv",
        month_records("202301") + [record(398, 762, "X", "2022", "TOTAL", 5.0)],
    )
    assert file_partitions(path) == {"2023-01-01", "2022-12-01"}


# --- good input ---------------------------------------------------------------------------------


def test_csv_and_json_envelope_load_the_same_records(warehouse, warehouse_paths):
    rows = month_records("202301")
    write_csv(warehouse_paths.trade_landing / "kz.csv", rows)
    tj_rows = [record(762, 398, r["flowCode"], "202301", r["cmdCode"], r["primaryValue"]) for r in rows]
    write_json(warehouse_paths.trade_landing / "tj.json", tj_rows)

    report = load(warehouse, warehouse_paths, [JAN])
    report.raise_for_errors()

    by_reporter = warehouse.execute("""
        select "reporterCode", count(*), sum("primaryValue")::double, count(distinct _source_file),
            bool_and("isReported"), max(_source_row)
        from raw.comtrade_records group by 1 order by 1
    """).fetchall()
    total = sum(r["primaryValue"] for r in rows)
    assert by_reporter == [
        (398, len(rows), total, 1, True, len(rows) + 1),
        (762, len(rows), total, 1, True, len(rows)),
    ]
    provenance = warehouse.execute("""
        select count(*) from raw.comtrade_records
        where _file_sha256 is null or _load_id is null or _loaded_at is null
    """).fetchone()
    assert provenance == (0,)


def test_loading_the_same_files_twice_changes_nothing(warehouse, warehouse_paths):
    write_csv(warehouse_paths.trade_landing / "kz.csv", month_records("202301") + month_records("202302"))
    first = load(warehouse, warehouse_paths, [JAN, FEB])
    assert [p.status for p in first.partitions] == ["published", "published"]
    before = warehouse.execute("select * from raw.comtrade_records order by all").fetchall()

    second = load(warehouse, warehouse_paths, [JAN, FEB])

    assert [p.status for p in second.partitions] == ["unchanged", "unchanged"]
    assert warehouse.execute("select * from raw.comtrade_records order by all").fetchall() == before


def test_a_copy_of_a_loaded_file_is_recognised_by_its_checksum(warehouse, warehouse_paths):
    write_csv(warehouse_paths.trade_landing / "kz.csv", month_records("202301"))
    load(warehouse, warehouse_paths, [JAN]).raise_for_errors()
    before = published(warehouse)

    write_csv(warehouse_paths.trade_landing / "kz_copy.csv", month_records("202301"))
    report = load(warehouse, warehouse_paths, [JAN])

    assert report.partitions[0].status == "unchanged"
    assert published(warehouse) == before


def test_a_newer_file_for_the_same_slice_replaces_it_whole(warehouse, warehouse_paths):
    write_csv(warehouse_paths.trade_landing / "kz_v1.csv", month_records("202301"))
    load(warehouse, warehouse_paths, [JAN]).raise_for_errors()
    revised = month_records("202301", scale=2.0)[:3]  # the revision also drops the import rows
    write_csv(warehouse_paths.trade_landing / "kz_v2.csv", revised)

    held = load(warehouse, warehouse_paths, [JAN])  # it loses 2 of 5 rows: held as partial
    assert [p.status for p in held.partitions] == ["rejected"]
    assert "kz_v2.csv" in held.issues[0].message and "3 rows" in held.issues[0].message
    assert {r[5].rsplit("/", 1)[-1] for r in published(warehouse)} == {"kz_v1.csv"}
    accept(warehouse, "comtrade_records", warehouse_paths.trade_landing / "kz_v2.csv")
    load(warehouse, warehouse_paths, [JAN]).raise_for_errors()

    rows = published(warehouse)
    assert len(rows) == 3
    assert {r[5].rsplit("/", 1)[-1] for r in rows} == {"kz_v2.csv"}
    assert sum(r[4] for r in rows) == sum(r["primaryValue"] for r in revised)


def test_partitions_without_files_are_reported_empty(warehouse, warehouse_paths):
    write_csv(warehouse_paths.trade_landing / "kz.csv", month_records("202301"))
    report = load(warehouse, warehouse_paths, [JAN, "2023-05-01"])
    assert {p.partition_key: p.status for p in report.partitions} == {JAN: "published", "2023-05-01": "empty"}


# --- bad input ----------------------------------------------------------------------------------


def load_good_then(warehouse, warehouse_paths, write_bad):
    """Publish a good January, land a bad revision of it, load again: return the error."""
    write_csv(warehouse_paths.trade_landing / "kz_2023_01.csv", month_records("202301"))
    load(warehouse, warehouse_paths, [JAN]).raise_for_errors()
    before = published(warehouse)

    write_bad(warehouse_paths.trade_landing)
    report = load(warehouse, warehouse_paths, [JAN])

    assert [p.status for p in report.partitions] == ["rejected"]
    assert published(warehouse) == before, "published data must stay exactly as it was"
    with pytest.raises(LoadError) as error:
        report.raise_for_errors()
    return str(error.value)


def bad_january(**changes_by_row):
    rows = month_records("202301")
    for index, changes in changes_by_row.items():
        rows[int(index.removeprefix("row"))].update(changes)
    return rows


def test_unknown_flow_code(warehouse, warehouse_paths):
    message = load_good_then(
        warehouse,
        warehouse_paths,
        lambda land: write_csv(land / "kz_2023_01_rev.csv", bad_january(row2={"flowCode": "Z"})),
    )
    # data row index 2 is line 4 of the file (line 1 is the header)
    assert "kz_2023_01_rev.csv, line 4, column flowCode" in message
    assert "'Z'" in message
    (bad,) = quarantined(warehouse)
    assert bad[1:5] == (4, "flowCode", "expect_column_values_to_be_in_set", "Z")
    assert json.loads(bad[5])["flowCode"] == "Z"  # the whole original record is kept


def test_negative_value(warehouse, warehouse_paths):
    message = load_good_then(
        warehouse,
        warehouse_paths,
        lambda land: write_csv(land / "kz_2023_01_rev.csv", bad_january(row1={"primaryValue": -100.0})),
    )
    assert "kz_2023_01_rev.csv, line 3, column primaryValue: value is negative" in message
    assert [q[2:4] for q in quarantined(warehouse)] == [("primaryValue", "negative_value")]


def test_non_numeric_value(warehouse, warehouse_paths):
    message = load_good_then(
        warehouse,
        warehouse_paths,
        lambda land: write_csv(land / "kz_2023_01_rev.csv", bad_january(row3={"netWgt": "12 t"})),
    )
    assert "kz_2023_01_rev.csv, line 5, column netWgt: not a valid double (value '12 t')" in message
    assert [q[1:5] for q in quarantined(warehouse)] == [(5, "netWgt", "not_double", "12 t")]


def test_every_bad_value_of_a_row_is_reported_with_its_own_check(warehouse, warehouse_paths):
    """The cast flags a row once, whatever it breaks; the flagged rows are then checked column by
    column (feeds._type_issues), so each bad value still gets its own issue. The flag is the load's
    own: Great Expectations does not see it."""
    write_csv(
        warehouse_paths.trade_landing / "kz_2023_01_rev.csv",
        bad_january(
            row1={"reporterCode": "398.5", "netWgt": "12 t", "primaryValue": -100.0},
            row3={"isLeaf": "maybe"},
        ),
    )
    columns_validated = []

    def validator(batch, label):
        columns_validated.append({name for name, *_ in batch.con.execute(f"describe {batch.sql}").fetchall()})
        return COMTRADE.validator(batch, label)

    report = load_comtrade(warehouse, warehouse_paths.landing, [JAN], validator=validator)

    assert [p.status for p in report.partitions] == ["rejected"]
    assert columns_validated and all("_type_issue" not in names for names in columns_validated)
    assert all({"primaryValue", "_source_file", "_source_row"} <= names for names in columns_validated)
    assert sorted(q[1:5] for q in quarantined(warehouse)) == [
        (3, "netWgt", "not_double", "12 t"),
        (3, "primaryValue", "negative_value", "-100.0"),
        (3, "reporterCode", "not_integer", "398.5"),
        (5, "isLeaf", "not_boolean", "maybe"),
    ]
    assert not warehouse.execute(
        "select * from information_schema.tables where table_name = 'type_issue_rows'"
    ).fetchall()


def test_duplicate_record_key(warehouse, warehouse_paths):
    def write_bad(land):
        rows = month_records("202301")
        write_csv(land / "kz_2023_01_rev.csv", rows + [dict(rows[1])])

    message = load_good_then(warehouse, warehouse_paths, write_bad)
    assert "expect_compound_columns_to_be_unique" in message
    rows = {q[1] for q in quarantined(warehouse)}
    assert rows == {3, len(month_records("202301")) + 2}  # both copies, by their line numbers


def test_missing_column(warehouse, warehouse_paths):
    columns = [c for c in COLUMN_NAMES if c != "primaryValue"]
    message = load_good_then(
        warehouse,
        warehouse_paths,
        lambda land: write_csv(land / "kz_2023_01_rev.csv", month_records("202301"), columns=columns),
    )
    assert "kz_2023_01_rev.csv, line 1, column primaryValue: column missing from the CSV header" in message
    assert [q[1:4] for q in quarantined(warehouse)] == [(1, "primaryValue", "missing_column")]


def test_missing_key_in_json_envelope(warehouse, warehouse_paths):
    def write_bad(land):
        rows = month_records("202301")
        del rows[2]["flowCode"]
        write_json(land / "kz_2023_01_rev.json", rows)

    message = load_good_then(warehouse, warehouse_paths, write_bad)
    assert "kz_2023_01_rev.json, record 3, column flowCode: key missing from the record" in message


def test_broken_csv_line(warehouse, warehouse_paths):
    def write_bad(land):
        path = write_csv(land / "kz_2023_01_rev.csv", month_records("202301"))
        lines = path.read_text().splitlines()
        lines[3] = lines[3] + ',"surplus field'  # an extra, unterminated field on line 4
        path.write_text("\n".join(lines) + "\n")

    message = load_good_then(warehouse, warehouse_paths, write_bad)
    assert "kz_2023_01_rev.csv, line 4" in message
    assert any(q[1] == 4 and q[3].startswith("broken_csv") for q in quarantined(warehouse))


def test_bad_period_is_reported_not_dropped(warehouse, warehouse_paths):
    message = load_good_then(
        warehouse,
        warehouse_paths,
        lambda land: write_csv(land / "kz_2023_01_rev.csv", bad_january(row4={"period": "2023-1"})),
    )
    assert (
        "kz_2023_01_rev.csv, line 6, column period: period is not YYYYMM (freqCode M) or YYYY (freqCode A)"
    ) in message


def test_unknown_partner_code(warehouse, warehouse_paths):
    message = load_good_then(
        warehouse,
        warehouse_paths,
        lambda land: write_csv(land / "kz_2023_01_rev.csv", bad_january(row0={"partnerCode": 999})),
    )
    assert "kz_2023_01_rev.csv, line 2, column partnerCode" in message
    # the country lists are checked as SQL (expectations.runner.in_long_list), under GX's name
    assert [q[1:5] for q in quarantined(warehouse)] == [
        (2, "partnerCode", "expect_column_values_to_be_in_set", "999")
    ]


def test_a_bad_month_does_not_hold_back_good_months(warehouse, warehouse_paths):
    bad_february = month_records("202302")
    bad_february[0]["flowCode"] = "??"
    write_csv(warehouse_paths.trade_landing / "kz.csv", month_records("202301") + bad_february)

    report = load(warehouse, warehouse_paths, [JAN, FEB])

    assert {p.partition_key: p.status for p in report.partitions} == {JAN: "published", FEB: "rejected"}
    assert {r[0] for r in published(warehouse)} == {"202301"}


def test_fixing_the_file_and_rerunning_publishes_it(warehouse, warehouse_paths):
    path = write_csv(warehouse_paths.trade_landing / "kz.csv", bad_january(row2={"flowCode": "Z"}))
    assert load(warehouse, warehouse_paths, [JAN]).partitions[0].status == "rejected"

    write_csv(path, month_records("202301"))
    report = load(warehouse, warehouse_paths, [JAN])

    assert report.partitions[0].status == "published"
    assert len(published(warehouse)) == len(month_records("202301"))
    statuses = warehouse.execute("select status from meta.loads order by finished_at").fetchall()
    assert statuses == [("rejected",), ("published",)]


def test_a_load_proceeds_in_windows_of_partitions(warehouse, warehouse_paths, monkeypatch):
    """Memory is bounded by a window of partitions: here 5 rows, one month. A row that belongs to
    no month still blocks every month of its file, whichever window they fall in."""
    monkeypatch.setenv("WAREHOUSE_LOAD_WINDOW_ROWS", "5")
    months = ["2023-01-01", "2023-02-01", "2023-03-01"]
    rows = month_records("202301") + month_records("202302") + month_records("202303")
    unplaceable = {**record(398, 762, "X", "2023", "TOTAL", 5.0), "freqCode": "M"}
    path = write_csv(warehouse_paths.trade_landing / "kz_2023_q1.csv", [*rows, unplaceable])

    blocked = load(warehouse, warehouse_paths, months)
    assert [p.status for p in blocked.partitions] == ["rejected"] * 3
    assert len(blocked.validations) == 3  # one window, one suite run, per month

    write_csv(path, rows)
    loaded = load(warehouse, warehouse_paths, months)
    assert [p.status for p in loaded.partitions] == ["published"] * 3
    assert len(published(warehouse)) == 15


def test_a_window_validated_in_several_batches_rejects_only_the_bad_month(
    warehouse, warehouse_paths, monkeypatch
):
    """One window of three months, validated in batches of one month (each batch's rows picked
    by its partitions): the bad row rejects its own month, not the window."""
    monkeypatch.setattr(feeds, "VALIDATION_BATCH_ROWS", 5)
    february = month_records("202302")
    february[2]["flowCode"] = "??"
    write_csv(
        warehouse_paths.trade_landing / "kz_2023_q1.csv",
        month_records("202301") + february + month_records("202303"),
    )

    report = load(warehouse, warehouse_paths, ["2023-01-01", "2023-02-01", "2023-03-01"])

    assert [v["partitions"] for v in report.validations] == ["2023-01-01", "2023-02-01", "2023-03-01"]
    statuses = {p.partition_key: p.status for p in report.partitions}
    assert statuses == {"2023-01-01": "published", "2023-02-01": "rejected", "2023-03-01": "published"}
    assert [(i.row, i.column) for i in report.rejected[0].issues] == [(9, "flowCode")]  # header, 5 rows, 3rd
    assert {r[0] for r in published(warehouse)} == {"202301", "202303"}


def temp_tables_left(con) -> list[str]:
    return [t for (t,) in con.execute("select table_name from duckdb_tables() where temporary").fetchall()]


def test_the_table_of_a_file_read_once_goes_once_its_last_window_is_over(
    warehouse, warehouse_paths, monkeypatch
):
    """Two files, each read once for two windows of one month: each window is a view over its
    file's table, and the first file's table is gone by the time the second file's windows
    stage."""
    monkeypatch.setenv("WAREHOUSE_LOAD_WINDOW_ROWS", "5")
    months = ["2023-01-01", "2023-02-01", "2023-03-01", "2023-04-01"]
    write_csv(warehouse_paths.trade_landing / "a.csv", month_records("202301") + month_records("202302"))
    write_csv(warehouse_paths.trade_landing / "b.csv", month_records("202303") + month_records("202304"))
    kinds = staged_as(monkeypatch)

    load(warehouse, warehouse_paths, months).raise_for_errors()

    assert [(w.kind, w.tables) for w in kinds] == [("VIEW", 1)] * 4
    assert not temp_tables_left(warehouse)
    assert len(published(warehouse)) == 20


@pytest.mark.parametrize("staging", ["windows", "beside_a_group"])
def test_a_file_read_typed_loads_as_if_read_as_text(warehouse, warehouse_paths, monkeypatch, staging):
    """A file read once is read typed (the text of a number is not kept, _typed_rows), across
    windows (feed_stage a view over it) or beside a group of small files (a table): the load
    publishes, names and quarantines what the same file read as text gives. The rows set aside
    keep their text as sent: a row that failed an expectation is read again from the file; a value
    that did not parse, and a row without a partition, were kept by the read."""
    january, february = month_records("202301"), month_records("202302")
    january[1] |= {"partnerCode": "0999", "netWgt": "1.50"}  # line 3: no such partner
    february[2]["netWgt"] = "12 t"  # line 9
    unplaceable = {**record(398, 762, "X", "2023", "TOTAL", 5.0), "freqCode": "M", "netWgt": "2.50"}
    path = write_csv(
        warehouse_paths.trade_landing / "kz_2023_q1.csv",
        january + february + month_records("202303") + [unplaceable],  # line 17
    )
    months = ["2023-01-01", "2023-02-01", "2023-03-01"]
    if staging == "windows":
        monkeypatch.setenv("WAREHOUSE_LOAD_WINDOW_ROWS", "5")
    else:
        monkeypatch.setattr(feeds, "STAGE_GROUP_ROWS", 10)
        write_csv(warehouse_paths.trade_landing / "kz_2023_04.csv", month_records("202304"))
        months.append("2023-04-01")

    def state():
        rows = warehouse.execute(
            "select * exclude (_load_id, _loaded_at) from raw.comtrade_records "
            "order by _source_file, _source_row"
        ).fetchall()
        set_aside = warehouse.execute(
            "select * exclude (load_id, quarantined_at) from quarantine.comtrade_records order by all"
        ).fetchall()
        return rows, set_aside

    kinds = staged_as(monkeypatch)
    lines_wanted = []
    lines_read_again = feeds._lines_read_again
    monkeypatch.setattr(
        feeds,
        "_lines_read_again",
        lambda con, feed, source, read, rows: (
            lines_wanted.append(rows) or lines_read_again(con, feed, source, read, rows)
        ),
    )
    typed = load(warehouse, warehouse_paths, months)
    assert lines_wanted == [[3]]  # not 9 or 17, whose text the read kept
    read_typed = state()
    expected = ["VIEW"] * 3 if staging == "windows" else ["LOCAL TEMPORARY"]
    assert [w.kind for w in kinds] == expected
    assert not warehouse.execute(
        "select count(*) from duckdb_tables() where temporary and table_name like '%as_sent%'"
    ).fetchone()[0]
    rows = {(q[2], q[3]): (q[6], json.loads(q[7])) for q in read_typed[1]}
    assert rows.keys() == {(3, "partnerCode"), (9, "netWgt"), (17, "period")}
    value, sent = rows[3, "partnerCode"]
    assert (value, sent["partnerCode"], sent["netWgt"], sent["_source_file"]) == (
        "999",
        "0999",
        "1.50",
        str(path),
    )
    assert rows[9, "netWgt"][0] == rows[9, "netWgt"][1]["netWgt"] == "12 t"
    assert rows[17, "period"][1]["netWgt"] == "2.50"

    warehouse.execute(
        "delete from raw.comtrade_records; delete from meta.published_slices;"
        "delete from quarantine.comtrade_records"
    )
    read_file_once = feeds._read_file_once
    monkeypatch.setattr(
        feeds,
        "_read_file_once",
        lambda con, feed, file, read_once, typed=True: read_file_once(con, feed, file, read_once, False),
    )
    as_text = load(warehouse, warehouse_paths, months)
    assert [p.status for p in as_text.partitions] == [p.status for p in typed.partitions]
    assert [p.status for p in typed.partitions][:3] == ["rejected", "rejected", "rejected"]
    assert state() == read_typed


FROM_ITS_LINE = ("plain", "gzip", "last, without its line end")


@pytest.mark.parametrize(
    "file", [*FROM_ITS_LINE, "a value over two lines", "too many rows wanted", "no room to copy lines"]
)
def test_a_row_read_again_is_read_from_its_line_where_that_line_is_the_row(
    warehouse, warehouse_paths, monkeypatch, file
):
    """A row that failed an expectation in a file read typed is read again from its line alone
    (_lines_read_again): a plain file's, a gzip file's, a last line without its end in a file of
    CRLF lines. Row n is line n only while no value spans lines: where one does, the line read back
    does not cast to the row, and the file is scanned instead; so too past the rows read from their
    lines, or with no room to copy them. Either way quarantine keeps the row as sent, and the load
    goes on."""
    monkeypatch.setenv("WAREHOUSE_LOAD_WINDOW_ROWS", "5")
    january, february = month_records("202301"), month_records("202302")
    if file == "a value over two lines":
        january[0]["reporterDesc"] = "Kazakh\nstan"  # row 2, on lines 2 and 3
    bad = {"partnerCode": "0999", "netWgt": "1.50"}  # no such partner
    if file == "last, without its line end":
        january[-1] |= bad  # row 11: the header, February's 5 rows, January's
        rows, line = february + january, 11
    else:
        january[2] |= bad
        # row 4, named by its line: 5 where row 2 spans two
        rows, line = january + february, 5 if file == "a value over two lines" else 4
    path = write_csv(warehouse_paths.trade_landing / "kz_2023_q1.csv", rows)
    if file == "last, without its line end":
        path.write_bytes(path.read_bytes().removesuffix(b"\r\n"))
    if file == "gzip":
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(path.with_suffix("").read_bytes()))
        path.with_suffix("").unlink()
    if file == "too many rows wanted":
        monkeypatch.setattr(feeds, "LINES_READ_AGAIN_MAX_ROWS", 0)
    if file == "no room to copy lines":
        write_bytes = Path.write_bytes

        def no_room(self, data):
            if self.name.startswith("lines-"):
                raise OSError(errno.ENOSPC, "No space left on device")
            return write_bytes(self, data)

        monkeypatch.setattr(Path, "write_bytes", no_room)
    lines_read = []
    lines_read_again = feeds._lines_read_again
    monkeypatch.setattr(
        feeds, "_lines_read_again", lambda *args: lines_read.append(lines_read_again(*args)) or lines_read[-1]
    )

    report = load(warehouse, warehouse_paths, ["2023-01-01", "2023-02-01"])

    assert lines_read == [file in FROM_ITS_LINE]
    assert [p.status for p in report.partitions] == ["rejected", "published"]
    ((row, column, value, record),) = warehouse.execute(
        "select source_row, column_name, bad_value, record from quarantine.comtrade_records"
    ).fetchall()
    sent = json.loads(record)
    assert (row, column, value, sent["partnerCode"], sent["netWgt"], sent["_source_file"]) == (
        line,
        "partnerCode",
        "999",
        "0999",
        "1.50",
        str(path),
    )
    assert not warehouse.execute(
        "select count(*) from duckdb_tables() where temporary and table_name = 'lines_read_again'"
    ).fetchone()[0]


def test_each_published_month_carries_its_totals(warehouse, warehouse_paths):
    """A published partition's totals (its asset metadata) are its plain TOTAL rows' value per
    reporter, frequency and flow; December's include the year's annual rows; a month loaded
    before and unchanged since gets none, and the load's sum adds up the months published."""
    write_csv(warehouse_paths.trade_landing / "kz_2023_10.csv", month_records("202310"))
    load(warehouse, warehouse_paths, ["2023-10-01"])
    write_csv(warehouse_paths.trade_landing / "kz_2023_11.csv", month_records("202311", scale=2.0))
    annual = record(398, 762, "X", "2023", "TOTAL", 7e8)
    write_csv(warehouse_paths.trade_landing / "kz_2023_12.csv", month_records("202312") + [annual])

    report = load(warehouse, warehouse_paths, ["2023-10-01", "2023-11-01", "2023-12-01"])

    totals = {p.partition_key: (p.status, p.totals) for p in report.partitions}
    assert totals == {
        "2023-10-01": ("unchanged", {}),
        "2023-11-01": ("published", {"KAZ M M": 30e6, "KAZ M X": 100e6}),
        "2023-12-01": ("published", {"KAZ A X": 7e8, "KAZ M M": 15e6, "KAZ M X": 50e6}),
    }
    assert comtrade.summarise_load(warehouse, report, [])["value_totals_usd"] == {
        "KAZ A X": 7e8,
        "KAZ M M": 45e6,
        "KAZ M X": 150e6,
    }


def test_lines_at_counts_lines_across_chunks():
    """lines_at finds each wanted line whatever the chunk it starts and ends in, with its line
    end, a last line without one, and none past the end of the file."""
    lines = [b"header\r\n", b"\n", b"a,b\n", b"x" * 25 + b"\n", b"c,d\r\n", b"last"]
    data = b"".join(lines)
    for chunk_bytes in (1, 2, 3, 7, 26, 1 << 24):
        handle = io.BytesIO(data)
        assert feeds.lines_at(handle, [1, 2, 4, 6], chunk_bytes) == [lines[0], lines[1], lines[3], lines[5]]
        assert feeds.lines_at(io.BytesIO(data), [3, 5], chunk_bytes) == [lines[2], lines[4]]
        assert feeds.lines_at(io.BytesIO(data), [5, 7, 8], chunk_bytes) == [lines[4]]
        assert feeds.lines_at(io.BytesIO(data + b"\n"), [6, 7], chunk_bytes) == [b"last\n"]
    assert feeds.lines_at(io.BytesIO(b""), [1], 4) == []
    with pytest.raises(ValueError, match="ascending"):
        feeds.lines_at(io.BytesIO(data), [3, 3])


@pytest.mark.parametrize("since", ["removed", "rewritten"])
def test_a_file_read_typed_and_changed_before_quarantine_keeps_its_rows_as_typed(
    warehouse, warehouse_paths, monkeypatch, since
):
    """A row that failed an expectation is not read again from a file removed or rewritten (here
    with a header that is not UTF-8) since its read: quarantine keeps it with its values as typed,
    not without a record, and the load goes on."""
    monkeypatch.setenv("WAREHOUSE_LOAD_WINDOW_ROWS", "5")
    january = month_records("202301")
    january[1] |= {"partnerCode": "0999", "netWgt": "1.50"}  # line 3: no such partner
    path = write_csv(warehouse_paths.trade_landing / "kz_2023_q1.csv", january + month_records("202302"))
    validate = feeds._validate

    def change():
        if since == "removed":
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(b"\xff\xc0bad,header\n1,2\n")

    monkeypatch.setattr(feeds, "_validate", lambda con, *a: change() or validate(con, *a))

    report = load(warehouse, warehouse_paths, ["2023-01-01", "2023-02-01"])

    assert [p.status for p in report.partitions] == ["rejected", "published"]
    ((row, column, value, record),) = warehouse.execute(
        "select source_row, column_name, bad_value, record from quarantine.comtrade_records"
    ).fetchall()
    sent = json.loads(record)
    assert (row, column, value, sent["partnerCode"], sent["netWgt"]) == (
        3,
        "partnerCode",
        "999",
        "999",
        "1.5",
    )


def test_a_file_in_several_windows_is_read_once(warehouse, warehouse_paths, monkeypatch):
    """A file holding the months of three windows is read by the first and copied by the other
    two. Its rejected line and its row without a month block every window's month, named by
    their lines each time; a bad value after the rejected line is named by its own line. (The
    first window reads it twice: typed, and, as it has a rejected line, again as text.)"""
    monkeypatch.setenv("WAREHOUSE_LOAD_WINDOW_ROWS", "5")
    reads = file_reads(monkeypatch)
    months = ["2023-01-01", "2023-02-01", "2023-03-01"]
    path = write_csv(
        warehouse_paths.trade_landing / "kz_2023_q1.csv",
        month_records("202301") + month_records("202302") + month_records("202303"),
    )
    good = path.read_text().splitlines()
    march = month_records("202303")
    march[1]["primaryValue"] = "lots"  # line 13: header, January 2-6, February 7-11
    unplaceable = {**record(398, 762, "X", "2023", "TOTAL", 5.0), "freqCode": "M"}  # line 17
    write_csv(path, month_records("202301") + month_records("202302") + march + [unplaceable])
    lines = path.read_text().splitlines()
    lines[8] = lines[8] + ",surplus"  # line 9, in February: one field too many
    path.write_text("\n".join(lines) + "\n")

    blocked = load(warehouse, warehouse_paths, months)
    assert reads == [str(path), str(path)]
    assert [p.status for p in blocked.partitions] == ["rejected"] * 3
    lines_named = {p.partition_key: sorted((i.row, i.column) for i in p.issues) for p in blocked.partitions}
    assert lines_named == {
        "2023-01-01": [(9, None), (17, "period")],
        "2023-02-01": [(9, None), (17, "period")],
        "2023-03-01": [(9, None), (13, "primaryValue"), (17, "period")],
    }

    path.write_text("\n".join(good) + "\n")
    reads.clear()
    load(warehouse, warehouse_paths, months).raise_for_errors()
    assert reads == [str(path)]
    in_windows = warehouse.execute(
        "select * exclude (_load_id, _loaded_at) from raw.comtrade_records order by _source_row"
    ).fetchall()
    monkeypatch.setenv("WAREHOUSE_LOAD_WINDOW_ROWS", "1000")
    warehouse.execute("delete from raw.comtrade_records; delete from meta.published_slices")
    load(warehouse, warehouse_paths, months).raise_for_errors()
    in_one_window = warehouse.execute(
        "select * exclude (_load_id, _loaded_at) from raw.comtrade_records order by _source_row"
    ).fetchall()
    assert len(in_windows) == 15 and in_windows == in_one_window


def test_a_large_file_read_once_keeps_every_rows_line(warehouse, warehouse_paths, monkeypatch):
    """A file big enough for DuckDB to read on several threads (~50 MB on four threads), read
    once for several windows and numbered after the read: every published row names its own
    line, as Python's CSV reader counts them. Then with bad values far into the file, and with
    lines the reader rejects too: each issue names its own line, and quarantine keeps its row."""
    import csv
    import io

    from demo.trade import write_scale_dataset

    monkeypatch.setenv("WAREHOUSE_LOAD_WINDOW_ROWS", "60000")
    warehouse.execute("set threads = 4")
    reads, kinds = file_reads(monkeypatch), staged_as(monkeypatch)
    path = write_scale_dataset(warehouse_paths.trade_landing / "kz_scale.csv", rows=200_000, progress=False)
    with path.open(newline="") as handle:
        line_of = {
            (row["period"], row["flowCode"], row["partnerCode"], row["cmdCode"]): line
            for line, row in enumerate(csv.DictReader(handle), start=2)
        }
    months = sorted({f"{period[:4]}-{period[4:]}-01" for period, *_ in line_of})

    report = load(warehouse, warehouse_paths, months)
    report.raise_for_errors()

    assert reads == [str(path)] and len(report.validations) > 1
    # each window staged as a view over the file's one read
    assert {(w.kind, w.tables) for w in kinds} == {("VIEW", 1)}
    published_lines = warehouse.execute(
        'select period, "flowCode", "partnerCode"::varchar, "cmdCode", _source_row from raw.comtrade_records'
    ).fetchall()
    assert len(published_lines) == len(line_of) == 200_000
    assert {tuple(key): line for *key, line in published_lines} == line_of

    lines = path.read_text().splitlines()  # lines[n - 1] is line n
    value_column = next(csv.reader([lines[0]])).index("primaryValue")
    for line in (90_001, 150_003, 199_998):  # a value that is no number
        fields = next(csv.reader([lines[line - 1]]))
        fields[value_column] = "lots"
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(fields)
        lines[line - 1] = out.getvalue()
    path.write_text("\n".join(lines) + "\n")
    kinds.clear()

    blocked = load(warehouse, warehouse_paths, months)

    assert {(w.kind, w.tables) for w in kinds} == {("VIEW", 1)}
    named = {(i.row, i.column) for p in blocked.partitions for i in p.issues}
    assert named == {(line, "primaryValue") for line in (90_001, 150_003, 199_998)}
    quarantined = warehouse.execute(
        """select source_row, record->>'primaryValue', (record->>'_source_row')::bigint
        from quarantine.comtrade_records where load_id = ? and column_name is not null order by 1""",
        [blocked.load_id],
    ).fetchall()
    assert quarantined == [(line, "lots", line) for line in (90_001, 150_003, 199_998)]

    for line in (60_000, 120_000):  # one field too many: rejected by the reader
        lines[line - 1] += ",surplus"
    path.write_text("\n".join(lines) + "\n")
    kinds.clear()

    blocked = load(warehouse, warehouse_paths, months)

    # A table: the rows after a rejected line renumbered. The last window drops the file's table
    # once it has copied its rows.
    assert [(w.kind, w.tables) for w in kinds] == [("LOCAL TEMPORARY", 1)] * (len(kinds) - 1) + [
        ("LOCAL TEMPORARY", 0)
    ]
    assert not temp_tables_left(warehouse)
    named = {(i.row, i.column) for p in blocked.partitions for i in p.issues}
    assert named == {(60_000, None), (120_000, None)} | {
        (line, "primaryValue") for line in (90_001, 150_003, 199_998)
    }


@pytest.mark.parametrize("layout", ["envelope", "array"])
def test_a_json_file_read_once_numbers_its_records_as_in_one_window(
    warehouse, warehouse_paths, monkeypatch, layout
):
    """A JSON document whose months fall in three windows: read once, its records numbered
    from 1 as when the whole file is one window's."""
    monkeypatch.setenv("WAREHOUSE_LOAD_WINDOW_ROWS", "5")
    months = ["2023-01-01", "2023-02-01", "2023-03-01"]
    rows = month_records("202301") + month_records("202302") + month_records("202303")
    path = write_json(warehouse_paths.trade_landing / "kz_2023_q1.json", rows)
    if layout == "array":
        path.write_text(json.dumps(rows))
    reads = file_reads(monkeypatch)

    load(warehouse, warehouse_paths, months).raise_for_errors()
    assert reads == [str(path)]
    numbered = 'select period, "flowCode", "cmdCode", _source_row from raw.comtrade_records order by all'
    in_windows = warehouse.execute(numbered).fetchall()
    monkeypatch.setenv("WAREHOUSE_LOAD_WINDOW_ROWS", "1000")
    warehouse.execute("delete from raw.comtrade_records; delete from meta.published_slices")
    load(warehouse, warehouse_paths, months).raise_for_errors()
    assert reads == [str(path), "group"]  # one window: read with the window's other files
    assert sorted(line for *_, line in in_windows) == list(range(1, 16))
    assert in_windows == warehouse.execute(numbered).fetchall()


@pytest.mark.parametrize("layout", ["csv", "envelope"])
def test_a_file_of_a_groups_size_is_read_on_its_own_and_keeps_its_lines(
    warehouse, warehouse_paths, monkeypatch, layout
):
    """In one window, a file with as many rows as a group is read on its own, unnumbered (so that
    DuckDB reads it on every thread), beside a group of the small files; every row keeps its own
    line or record, also after a line the CSV reader rejected."""
    import csv
    import io

    monkeypatch.setattr(feeds, "STAGE_GROUP_ROWS", 10)
    months = ["2023-01-01", "2023-02-01", "2023-03-01", "2023-04-01"]
    big_rows = month_records("202301") + month_records("202302") + month_records("202303")
    if layout == "csv":
        big = write_csv(warehouse_paths.trade_landing / "kz_2023_q1.csv", big_rows)
        first = 2
    else:
        big = write_json(warehouse_paths.trade_landing / "kz_2023_q1.json", big_rows)
        first = 1
    small = write_csv(warehouse_paths.trade_landing / "kz_2023_04.csv", month_records("202304"))
    reads, kinds = file_reads(monkeypatch), staged_as(monkeypatch)

    monkeypatch.setattr(feeds, "STAGE_GROUP_ROWS", 5)
    load(warehouse, warehouse_paths, months[:1]).raise_for_errors()
    # January: a group's worth of rows, but a third of the file: read in a group, not written whole
    assert reads == ["group"]
    monkeypatch.setattr(feeds, "STAGE_GROUP_ROWS", 10)
    reads.clear()

    load(warehouse, warehouse_paths, months).raise_for_errors()  # January is there: two thirds

    # The big file's table is held through its window: the cast copies its rows, read typed.
    assert reads == [str(big), "group"] and (kinds[-1].kind, kinds[-1].tables) == ("LOCAL TEMPORARY", 1)
    numbered = warehouse.execute(
        """select _source_file, period, "cmdCode", "flowCode", "partnerCode"::varchar, _source_row
        from raw.comtrade_records order by all"""
    ).fetchall()
    expected = [
        (str(path), r["period"], r["cmdCode"], r["flowCode"], str(r["partnerCode"]), line)
        for path, rows, start in ((big, big_rows, first), (small, month_records("202304"), 2))
        for line, r in enumerate(rows, start=start)
    ]
    assert numbered == sorted(expected)
    if layout != "csv":
        return

    # Line 5 (January) gets a field too many; line 13 (March) a value that is no number.
    lines = big.read_text().splitlines()
    lines[4] += ",surplus"
    fields = next(csv.reader([lines[12]]))
    fields[COLUMN_NAMES.index("primaryValue")] = "lots"
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    lines[12] = out.getvalue()
    big.write_text("\n".join(lines) + "\n")
    reads.clear()

    blocked = load(warehouse, warehouse_paths, months[:3])

    assert reads == [str(big), str(big)]  # typed, then as text: it has a rejected line
    named = {p.partition_key: sorted((i.row, i.column) for i in p.issues) for p in blocked.partitions}
    assert named == {
        "2023-01-01": [(5, None)],
        "2023-02-01": [(5, None)],
        "2023-03-01": [(5, None), (13, "primaryValue")],
    }
