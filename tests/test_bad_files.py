"""A corpus of awkward and hostile landing files, each judged on its own through the shared load
path (ingest/feeds.py): what real exports look like loads; anything else gets a clear error naming
the file and the position (line, record or byte), its rows are kept aside, what is published does
not change, the other files still load, and loading again does not report it again.

The files are made here, from the small hand-made Comtrade months of comtrade_files.py."""

import gzip
import json
import os
import shutil
import time

import pytest
from comtrade_files import month_records, record, write_csv, write_json

from catalog.trade import COMTRADE, load_comtrade
from ingest import feeds
from ingest.revisions import accept

# Loads through DuckDB and Great Expectations, seconds each: not in `make test-fast`.
pytestmark = pytest.mark.slow

JAN, FEB, MAR = "2023-01-01", "2023-02-01", "2023-03-01"


def published(con):
    return con.execute(
        'select period, "reporterCode", "flowCode", "cmdCode", "primaryValue", '
        "_source_file from raw.comtrade_records order by all"
    ).fetchall()


def csv_text(rows) -> str:
    path_rows = month_records("202301") if rows is None else rows
    import csv
    import io

    from ingest.comtrade_schema import COLUMN_NAMES

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(path_rows)
    return out.getvalue()


@pytest.fixture
def landed(warehouse, warehouse_paths):
    """A published January, and a good February landed beside each bad file."""
    write_csv(warehouse_paths.trade_landing / "kz_2023_01.csv", month_records("202301"))
    load_comtrade(warehouse, warehouse_paths.landing, [JAN]).raise_for_errors()
    write_csv(warehouse_paths.trade_landing / "kz_2023_02.csv", month_records("202302"))
    return warehouse_paths.trade_landing


def load_and_judge(warehouse, warehouse_paths, bad_name: str):
    """Load January and February with the bad file present: February (a good file) is published,
    January stays as it was, the bad file is reported once. Returns its error text."""
    before = published(warehouse)
    report = load_comtrade(warehouse, warehouse_paths.landing, [JAN, FEB])
    statuses = {p.partition_key: p.status for p in report.partitions}
    assert statuses[FEB] == "published"
    assert statuses[JAN] == "unchanged"
    assert statuses["(unassigned)"] == "rejected"
    assert [r for r in published(warehouse) if r[0] == "202301"] == [r for r in before if r[0] == "202301"]
    message = "\n".join(issue.describe() for issue in report.issues)
    assert bad_name in message
    quarantined = warehouse.execute(
        "select count(*) from quarantine.comtrade_records where source_file like ?", [f"%{bad_name}%"]
    ).fetchone()[0]
    assert quarantined >= 1
    # Judged once: the next load does not report it again (a name that cannot be stored is
    # reported by every load, as it is never registered), nor fails because of it.
    again = load_comtrade(warehouse, warehouse_paths.landing, [JAN, FEB])
    assert all(i.check == "unreadable_name" for i in again.issues)
    assert {p.partition_key: p.status for p in again.partitions}[FEB] == "unchanged"
    return message


# --- what real exports look like loads ------------------------------------------------------------


def _utf8_bom(path, text):
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())


def _utf16(path, text):
    path.write_bytes(text.encode("utf-16"))  # with its byte-order mark


def _gzip(path, text):
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(text.encode()))


def _gzip_named_csv(path, text):
    path.write_bytes(gzip.compress(text.encode()))


@pytest.mark.parametrize("write", [_utf8_bom, _utf16, _gzip, _gzip_named_csv])
def test_real_export_encodings_and_compression_load(warehouse, warehouse_paths, write):
    rows = month_records("202303")
    rows[0]["reporterDesc"] = "Казахстан"  # not ASCII: the encoding matters
    write(warehouse_paths.trade_landing / "kz_2023_03.csv", csv_text(rows))
    load_comtrade(warehouse, warehouse_paths.landing, [MAR]).raise_for_errors()
    descriptions = warehouse.execute(
        'select distinct "reporterDesc" from raw.comtrade_records order by 1'
    ).fetchall()
    assert ("Казахстан",) in descriptions
    assert len(published(warehouse)) == len(rows)


def test_compressed_json_envelope_and_json_lines_names(warehouse, warehouse_paths):
    envelope = {"elapsedTime": "0.1 secs", "count": 5, "data": month_records("202303"), "error": ""}
    (warehouse_paths.trade_landing / "kz_2023_03.json.gz").write_bytes(
        gzip.compress(json.dumps(envelope).encode())
    )
    load_comtrade(warehouse, warehouse_paths.landing, [MAR]).raise_for_errors()
    assert len(published(warehouse)) == 5


def test_a_gzip_envelope_compressing_more_than_8x_loads(warehouse, warehouse_paths):
    """DuckDB reads the envelope as one JSON value, up to a size bound (at least its own 16 MB,
    read in 32 MB buffers). The bound came from the compressed size times 8; a Comtrade response
    compresses ~15x, and this one (40 MB once decompressed) much more."""
    envelope = {
        "elapsedTime": "0.1 secs",
        "data": month_records("202303"),
        "error": "",
        "note": "x" * 40_000_000,
    }
    text = json.dumps(envelope).encode()
    packed = gzip.compress(text)
    assert len(text) > 8 * len(packed) + (32 << 20)
    (warehouse_paths.trade_landing / "kz_2023_03.json.gz").write_bytes(packed)
    load_comtrade(warehouse, warehouse_paths.landing, [MAR]).raise_for_errors()
    assert len(published(warehouse)) == 5


def test_a_gzip_trailer_claiming_4_gib_is_the_file_s_issue_not_out_of_memory(
    warehouse, warehouse_paths, landed
):
    """The decompressed size a gzip file states is four bytes anyone can write: here appended to a
    valid gzip, which the landing inspection passes. Taken as the bound of the JSON value, 4 GiB
    made DuckDB ask for 7.9 GiB and the load fail; it is believed up to 48 MB."""
    envelope = {"elapsedTime": "0.1 secs", "data": month_records("202301"), "error": ""}
    packed = gzip.compress(json.dumps(envelope).encode())
    (landed / "kz_2023_01_rev.json.gz").write_bytes(packed + b"\xff\xff\xff\xff")
    source = feeds.SourceFile(
        landed / "kz_2023_01_rev.json.gz", landed / "kz_2023_01_rev.json.gz", "gzip", ""
    )
    assert feeds._document_bytes(source) == feeds.ENVELOPE_MAX_STATED_BYTES
    load_and_judge(warehouse, warehouse_paths, "kz_2023_01_rev.json.gz")


def test_windows_1251_loads_where_the_folder_is_configured_so(warehouse, warehouse_paths, monkeypatch):
    rows = month_records("202303")
    rows[0]["reporterDesc"] = "Казахстан"
    path = warehouse_paths.trade_landing / "kz_2023_03.csv"
    path.write_bytes(csv_text(rows).encode("windows-1251"))

    refused = load_comtrade(warehouse, warehouse_paths.landing, [MAR])
    message = refused.issues[0].describe()
    assert "kz_2023_03.csv" in message and "not UTF-8" in message and "byte offset" in message
    assert "LANDING_ENCODING_<FOLDER>=windows-1251" in message

    monkeypatch.setenv("LANDING_ENCODING_TRADE", "windows-1251")  # the same file, now readable
    load_comtrade(warehouse, warehouse_paths.landing, [MAR]).raise_for_errors()
    assert ("Казахстан",) in warehouse.execute(
        'select distinct "reporterDesc" from raw.comtrade_records'
    ).fetchall()


def test_a_utf8_file_with_a_bad_byte_in_a_windows_1251_folder_is_refused_once(
    warehouse, warehouse_paths, monkeypatch
):
    """Its byte-order mark says UTF-8: refused at the bad byte, not read as Windows-1251 (which put
    the mark into its first header), and, like any refused file, reported by one load only."""
    import codecs

    from ingest import landing

    monkeypatch.setenv("LANDING_ENCODING_TRADE", "windows-1251")
    path = warehouse_paths.trade_landing / "kz_2023_03.csv"
    text = csv_text(month_records("202303")).encode()
    path.write_bytes(codecs.BOM_UTF8 + text + "Алматы\n".encode("cp1251"))
    inspected = []
    inspect = landing.inspect
    monkeypatch.setattr(landing, "inspect", lambda p: inspected.append(p) or inspect(p))

    refused = load_comtrade(warehouse, warehouse_paths.landing, [MAR])
    message = refused.issues[0].describe()
    assert "kz_2023_03.csv" in message and f"byte offset {len(codecs.BOM_UTF8) + len(text)}" in message
    assert "byte-order mark" in message
    again = [load_comtrade(warehouse, warehouse_paths.landing, [MAR]) for _ in range(2)]
    assert [i.check for r in again for i in r.issues] == []
    assert len(inspected) == 1
    assert warehouse.execute("select count(*) from quarantine.comtrade_records").fetchone() == (1,)


def test_a_plain_json_list_of_records_loads(warehouse, warehouse_paths):
    (warehouse_paths.trade_landing / "kz_2023_03.json").write_text(json.dumps(month_records("202303")))
    load_comtrade(warehouse, warehouse_paths.landing, [MAR]).raise_for_errors()
    assert len(published(warehouse)) == 5


# --- what cannot be read is refused, alone ---------------------------------------------------------


def _binary(land):
    (land / "kz_bad.csv").write_bytes(b"typeCode,freqCode\n" + bytes(range(256)) * 8)
    return "kz_bad.csv", "binary content: NUL byte at byte offset"


def _directory(land):
    (land / "kz_bad.csv").mkdir()
    return "kz_bad.csv", "is a directory"


def _dangling_link(land):
    (land / "kz_bad.csv").symlink_to(land / "gone.csv")
    return "kz_bad.csv", "dangling link"


def _zero_bytes(land):
    (land / "kz_bad.csv").write_bytes(b"")
    return "kz_bad.csv", "is empty (0 bytes)"


def _header_only(land):
    (land / "kz_bad.csv").write_text(csv_text([]))
    return "kz_bad.csv", "header only"


def _api_error(land):
    (land / "kz_bad.json").write_text(
        json.dumps({"statusCode": 429, "message": "Rate limit is exceeded. Try again in 19 seconds."})
    )
    return "kz_bad.json", "an API error response"


def _data_twice(land):
    # a JSON parser keeps one of the two; which records are "the file" cannot be told
    records = json.dumps(month_records("202301"))
    (land / "kz_bad.json").write_text(f'{{"data": {records}, "data": {records}}}')
    return "kz_bad.json", 'the key "data" more than once'


def _data_not_a_list(land):
    (land / "kz_bad.json").write_text(json.dumps({"data": month_records("202301")[0]}))
    return "kz_bad.json", '"data" is not a list of records'


def _list_of_numbers(land):
    (land / "kz_bad.json").write_text("[1, 2, 3]")
    return "kz_bad.json", "record 1: the record is not an object"


def _utf16_without_mark(land):
    (land / "kz_bad.csv").write_bytes(csv_text(month_records("202301")).encode("utf-16-le"))
    return "kz_bad.csv", "binary content"


def _truncated_gzip(land):
    data = gzip.compress(csv_text(month_records("202301")).encode())
    (land / "kz_bad.csv.gz").write_bytes(data[: len(data) // 2])
    return "kz_bad.csv.gz", "truncated"


def _invalid_utf8(land):
    (land / "kz_bad.csv").write_bytes(csv_text(month_records("202301")).encode() + b"\xff\xfe oops\n")
    return "kz_bad.csv", "not UTF-8: byte 0xff at byte offset"


def _fifo(land):
    os.mkfifo(land / "kz_bad.csv")  # nothing ever writes to it: reading it would block for ever
    return "kz_bad.csv", "not a regular file"


def _overlong_header_field(land):
    (land / "kz_bad.csv").write_text('"' + "x" * 200_000 + "\n")  # an unclosed quote on line 1
    return "kz_bad.csv", "kz_bad.csv"


def _name_not_utf8(land):
    with open(os.path.join(os.fsencode(land), b"kz_\xff.csv"), "w") as handle:
        handle.write(csv_text(month_records("202301")))
    return "kz_", "the file name is not UTF-8"


BAD_FILES = [
    _binary,
    _directory,
    _dangling_link,
    _zero_bytes,
    _header_only,
    _api_error,
    _data_twice,
    _data_not_a_list,
    _list_of_numbers,
    _utf16_without_mark,
    _truncated_gzip,
    _invalid_utf8,
    _fifo,
    _overlong_header_field,
    _name_not_utf8,
]


@pytest.mark.parametrize("make_bad", BAD_FILES, ids=[f.__name__.strip("_") for f in BAD_FILES])
def test_a_bad_file_is_refused_alone(warehouse, warehouse_paths, landed, make_bad):
    name, expected = make_bad(landed)
    message = load_and_judge(warehouse, warehouse_paths, name)
    assert expected in message


def test_the_sensor_and_build_scan_survive_every_bad_file(warehouse_paths):
    for make_bad in BAD_FILES:
        folder = warehouse_paths.trade_landing
        shutil.rmtree(folder)
        folder.mkdir()
        name, _ = make_bad(folder)
        assert feeds.file_partitions(COMTRADE, folder / name) == set()
        # read together, as the build's plan and the sensor read them: a good file after it still
        # gives its months (the in-memory DuckDB they share is not spoiled by the bad one)
        good = write_csv(folder / "kz_2023_02.csv", month_records("202302"))
        found = feeds.files_partitions(COMTRADE, [folder / name, good])
        assert found == {folder / name: set(), good: {"2023-02-01"}}


def test_a_file_that_changes_while_it_is_loaded_is_not_published(warehouse, warehouse_paths):
    path = write_csv(warehouse_paths.trade_landing / "kz_2023_03.csv", month_records("202303"))
    feeds.register(warehouse, COMTRADE, warehouse_paths.landing)
    slices = warehouse.execute(
        feeds._WINNING_FILES_SQL + "select partition_key, slice, path, sha256 from changed",
        feeds._file_parameters(COMTRADE, warehouse_paths.landing),
    ).fetchall()
    write_csv(path, month_records("202303", scale=3.0))  # rewritten between checksum and read

    issues, _ = feeds._stage(warehouse, COMTRADE, slices)

    assert [i.check for i in issues[str(path)]] == ["file_changed"]
    assert warehouse.execute("select count(*) from feed_stage").fetchone() == (0,)


# --- rows that would be lost or counted twice ------------------------------------------------------


def test_an_empty_reporter_code_is_reported_not_a_crash(warehouse, warehouse_paths, landed):
    rows = month_records("202301")
    rows[2]["reporterCode"] = None
    write_csv(landed / "kz_2023_01_rev.csv", rows)
    report = load_comtrade(warehouse, warehouse_paths.landing, [JAN])
    assert [p.status for p in report.partitions] == ["rejected"]
    assert "kz_2023_01_rev.csv, line 4, column reporterCode" in report.issues[0].describe()


def test_rows_after_rejected_lines_are_named_by_their_own_line(warehouse, warehouse_paths, landed):
    """DuckDB numbers the rows it keeps one after the other: without renumbering, a row after
    two rejected lines was named two lines short."""
    rows = month_records("202301")
    rows[4]["reporterCode"] = None  # line 8 once the two broken lines are in
    lines = csv_text(rows).splitlines(keepends=True)
    broken = "398,too,few,fields\n"
    (landed / "kz_2023_01_rev.csv").write_text("".join([*lines[:2], broken, broken, *lines[2:]]))
    report = load_comtrade(warehouse, warehouse_paths.landing, [JAN])
    text = "\n".join(i.describe() for i in report.issues)
    for line in (3, 4):  # each short line once, not once per missing column
        (issue,) = [i for i in report.issues if i.row == line]
        assert "Expected Number of Columns: 47 Found: 4" in issue.describe()
    assert "kz_2023_01_rev.csv, line 8, column reporterCode" in text, text
    assert [p.status for p in report.partitions] == ["rejected"]


def test_a_period_that_does_not_match_its_frequency_blocks_its_file(warehouse, warehouse_paths):
    rows = month_records("202302")
    rows.append({**record(398, 762, "X", "2019", "TOTAL", 5.0), "freqCode": "M"})
    write_csv(warehouse_paths.trade_landing / "kz_2023_02.csv", rows)
    report = load_comtrade(warehouse, warehouse_paths.landing, [FEB, "2019-12-01"])
    statuses = {p.partition_key: p.status for p in report.partitions}
    assert statuses[FEB] == "rejected"  # not published without the row it cannot place
    assert statuses["2019-12-01"] == "empty"  # and the row is not filed under December 2019
    assert "kz_2023_02.csv, line 7, column period" in "\n".join(i.describe() for i in report.issues)
    assert published(warehouse) == []


def test_a_reporter_code_398_5_is_not_rounded_into_another_reporter(warehouse, warehouse_paths, landed):
    rows = month_records("202301")
    rows[0]["reporterCode"] = "398.5"
    write_csv(landed / "kz_2023_01_rev.csv", rows)
    report = load_comtrade(warehouse, warehouse_paths.landing, [JAN])
    assert (
        "kz_2023_01_rev.csv, line 2, column reporterCode: not a valid integer" in report.issues[0].describe()
    )


def test_a_revision_with_reporter_code_398_0_replaces_the_month(warehouse, warehouse_paths, landed):
    rows = month_records("202301", scale=1.1)
    for row in rows:
        row["reporterCode"] = "398.0"
    write_csv(landed / "kz_2023_01_rev.csv", rows)
    load_comtrade(warehouse, warehouse_paths.landing, [JAN]).raise_for_errors()
    january = [r for r in published(warehouse) if r[0] == "202301"]
    assert len(january) == len(rows)
    assert {r[5].rsplit("/", 1)[-1] for r in january} == {"kz_2023_01_rev.csv"}


def test_a_file_name_with_glob_characters_is_read_literally(warehouse, warehouse_paths, landed):
    write_csv(landed / "kz_2023_[0-9]*.csv", month_records("202303"))
    load_comtrade(warehouse, warehouse_paths.landing, [JAN, FEB, MAR]).raise_for_errors()
    files = warehouse.execute(
        "select period, any_value(_source_file), count(*) from raw.comtrade_records group by 1 order by 1"
    ).fetchall()
    assert [(p, f.rsplit("/", 1)[-1], n) for p, f, n in files] == [
        ("202301", "kz_2023_01.csv", 5),
        ("202302", "kz_2023_02.csv", 5),
        ("202303", "kz_2023_[0-9]*.csv", 5),
    ]


def test_the_file_landed_last_wins_whatever_its_modification_time(warehouse, warehouse_paths, tmp_path):
    """v1, then v2, then v1 again (copied with its times preserved, as cp -p, rsync and unzip do)."""
    landing = warehouse_paths.trade_landing
    v1 = write_csv(tmp_path / "v1.csv", month_records("202301"))
    v2 = write_csv(tmp_path / "v2.csv", month_records("202301", scale=1.1))
    os.utime(v1, ns=(1_600_000_000_000_000_000,) * 2)  # v1 is "older" by its times
    shutil.copy2(v1, landing / "kz_2023_01.csv")
    load_comtrade(warehouse, warehouse_paths.landing, [JAN]).raise_for_errors()
    shutil.copy2(v2, landing / "kz_2023_01_revised.csv")
    load_comtrade(warehouse, warehouse_paths.landing, [JAN]).raise_for_errors()
    assert {r[5].rsplit("/", 1)[-1] for r in published(warehouse)} == {"kz_2023_01_revised.csv"}

    shutil.copy2(v1, landing / "kz_2023_01_again.csv")  # v1 landed again, with its old times
    report = load_comtrade(warehouse, warehouse_paths.landing, [JAN])
    report.raise_for_errors()
    assert [p.status for p in report.partitions] == ["published"]
    values = {r[4] for r in published(warehouse) if r[3] == "TOTAL" and r[2] == "X"}
    assert values == {50_000_000}


def test_removing_the_published_version_from_the_landing_folder_keeps_it_published(
    warehouse, warehouse_paths, landed
):
    """A revision published, then its file archived (removed): the month's next load keeps the
    revision; it brought the earlier file back. Landing the earlier file again restores it."""
    write_csv(landed / "kz_2023_01_rev.csv", month_records("202301", scale=1.1))
    load_comtrade(warehouse, warehouse_paths.landing, [JAN]).raise_for_errors()
    before = [r for r in published(warehouse) if r[0] == "202301"]
    assert {r[5].rsplit("/", 1)[-1] for r in before} == {"kz_2023_01_rev.csv"}

    (landed / "kz_2023_01_rev.csv").unlink()
    load_comtrade(warehouse, warehouse_paths.landing, [JAN]).raise_for_errors()
    assert [r for r in published(warehouse) if r[0] == "202301"] == before

    shutil.copy(landed / "kz_2023_01.csv", landed / "kz_2023_01_again.csv")
    load_comtrade(warehouse, warehouse_paths.landing, [JAN]).raise_for_errors()
    # (the same bytes as kz_2023_01.csv, named by the first of the copies)
    assert {r[5].rsplit("/", 1)[-1] for r in published(warehouse) if r[0] == "202301"} == {"kz_2023_01.csv"}


def test_overwriting_the_published_versions_file_with_another_month_keeps_it_published(
    warehouse, warehouse_paths, landed
):
    """The published version's landing record is replaced when its path is written again: when it
    landed is kept with the published slice."""
    write_csv(landed / "kz_latest.csv", month_records("202301", scale=1.1))
    load_comtrade(warehouse, warehouse_paths.landing, [JAN]).raise_for_errors()
    before = [r for r in published(warehouse) if r[0] == "202301"]
    assert {r[5].rsplit("/", 1)[-1] for r in before} == {"kz_latest.csv"}

    write_csv(landed / "kz_latest.csv", month_records("202303"))
    load_comtrade(warehouse, warehouse_paths.landing, [JAN, MAR]).raise_for_errors()
    assert [r for r in published(warehouse) if r[0] == "202301"] == before


def test_a_partial_month_is_held_until_the_complete_file_lands(warehouse, warehouse_paths, landed):
    """14 of 26 rows of a month: the TOTAL rows stay, chapters go missing."""
    load_comtrade(warehouse, warehouse_paths.landing, [FEB]).raise_for_errors()
    partial = [r for r in month_records("202302") if r["cmdCode"] in ("TOTAL", "10")]
    write_csv(landed / "kz_2023_02_partial.csv", partial)
    report = load_comtrade(warehouse, warehouse_paths.landing, [FEB])
    assert [p.status for p in report.partitions] == ["rejected"]
    message = "\n".join(i.describe() for i in report.issues)
    assert "kz_2023_02_partial.csv" in message and "differs from the sum of the chapters" in message
    assert {r[5].rsplit("/", 1)[-1] for r in published(warehouse) if r[0] == "202302"} == {"kz_2023_02.csv"}

    # Accepted on purpose (the message says how), it is published whatever its figures.
    assert "python -m ingest.revisions accept comtrade_records" in message
    accept(warehouse, "comtrade_records", landed / "kz_2023_02_partial.csv")
    load_comtrade(warehouse, warehouse_paths.landing, [FEB]).raise_for_errors()
    assert len([r for r in published(warehouse) if r[0] == "202302"]) == len(partial)

    write_csv(landed / "kz_2023_02_complete.csv", month_records("202302", scale=1.05))
    load_comtrade(warehouse, warehouse_paths.landing, [FEB]).raise_for_errors()
    assert {r[5].rsplit("/", 1)[-1] for r in published(warehouse) if r[0] == "202302"} == {
        "kz_2023_02_complete.csv"
    }


@pytest.mark.parametrize("partial_lands", ["last", "first"])
def test_two_versions_of_a_month_landed_before_any_load_are_judged_against_each_other(
    warehouse, warehouse_paths, partial_lands
):
    """A complete and a partial file of a month, both landed before the first load: the one landed
    last wins, as always, and is judged against the other as a revision against the published
    version. A partial file landed last is held (neither is published, the message names both);
    landed first, it is simply replaced. Before, the partial one was published and the complete
    one never mentioned."""
    landing = warehouse_paths.trade_landing
    complete = month_records("202302")
    partial = [r for r in complete if r["cmdCode"] == "TOTAL"]  # the chapters missing
    first, last = (complete, partial) if partial_lands == "last" else (partial, complete)
    write_csv(landing / "kz_2023_02_a.csv", first)
    time.sleep(0.05)  # landed after it (its ctime)
    write_csv(landing / "kz_2023_02_b.csv", last)
    report = load_comtrade(warehouse, warehouse_paths.landing, [FEB])
    if partial_lands == "first":
        report.raise_for_errors()
        assert len(published(warehouse)) == len(complete)
        return
    assert [p.status for p in report.partitions] == ["rejected"]
    (issue,) = report.issues
    assert issue.check == "revision_held"
    assert f"{len(partial)} rows in kz_2023_02_b.csv" in issue.message
    assert f"kz_2023_02_a.csv, landed before it and not published, has {len(complete)} rows" in issue.message
    assert published(warehouse) == []

    accept(warehouse, "comtrade_records", landing / "kz_2023_02_b.csv")  # on purpose: published
    load_comtrade(warehouse, warehouse_paths.landing, [FEB]).raise_for_errors()
    assert len(published(warehouse)) == len(partial)


def test_a_revision_without_its_total_row_is_held_and_can_be_accepted(warehouse, warehouse_paths, landed):
    no_total = [r for r in month_records("202301") if r["cmdCode"] != "TOTAL"]
    path = write_csv(landed / "kz_2023_01_rev.csv", no_total)
    report = load_comtrade(warehouse, warehouse_paths.landing, [JAN])
    (issue,) = report.issues
    assert issue.check == "revision_held"
    assert "WITHOUT a total row" in issue.message and "kz_2023_01.csv" in issue.message
    assert "5 rows" in issue.message and "3 rows" in issue.message

    accept(warehouse, "comtrade_records", path)
    load_comtrade(warehouse, warehouse_paths.landing, [JAN]).raise_for_errors()
    assert len([r for r in published(warehouse) if r[0] == "202301"]) == 3


def test_an_over_long_line_is_cut_in_messages_and_quarantine(warehouse, warehouse_paths, landed):
    rows = month_records("202301")
    rows[1]["flowCode"] = "Z" * 3_000_000
    write_csv(landed / "kz_2023_01_rev.csv", rows)
    report = load_comtrade(warehouse, warehouse_paths.landing, [JAN])
    text = "\n".join(i.describe() for i in report.issues)
    assert "kz_2023_01_rev.csv, line 3" in text and "Maximum line size" in text
    assert len(text) < 5_000
    (longest,) = warehouse.execute(
        "select max(length(bad_value)) from quarantine.comtrade_records"
    ).fetchone()
    assert longest < 1_000


def test_positions_say_line_for_csv_and_record_for_json(warehouse, warehouse_paths, landed):
    rows = month_records("202301")
    rows[1]["flowCode"] = "Z"
    write_json(landed / "kz_2023_01_rev.json", rows)
    report = load_comtrade(warehouse, warehouse_paths.landing, [JAN])
    assert "kz_2023_01_rev.json, record 2, column flowCode" in report.issues[0].describe()


def test_a_bad_export_of_a_feed_with_personal_data_is_reported_once(warehouse, warehouse_paths):
    from appeal_files import appeal, write_jsonl

    from catalog.appeals import load_appeals

    folder = warehouse_paths.landing / "eotinish"
    write_jsonl(folder / "appeals_2024-03-05.jsonl", [appeal(1, "2024-03-05")])
    (folder / "appeals_2024-03-06.jsonl").write_bytes(b"\x00\x00\x00 IIN 900315300123 \x00")
    (folder / "appeals_2024-03-07.jsonl").mkdir()

    report = load_appeals(warehouse, warehouse_paths.landing, ["2024-03-05", "2024-03-06"])
    statuses = {p.partition_key: p.status for p in report.partitions}
    assert statuses["2024-03-05"] == "published"
    text = "\n".join(i.describe() for i in report.issues)
    assert "appeals_2024-03-06.jsonl: binary content" in text and "is a directory" in text
    # A day whose only file cannot be read is rejected under that day, not as a warning.
    assert statuses["2024-03-06"] == "rejected"
    again = load_appeals(warehouse, warehouse_paths.landing, ["2024-03-05", "2024-03-06"])
    assert not again.rejected


def test_a_file_name_holding_an_iin_is_refused_and_never_kept(warehouse, warehouse_paths):
    from appeal_files import appeal, write_jsonl

    from catalog.appeals import load_appeals
    from ingest.privacy import find_iin_values

    folder = warehouse_paths.landing / "eotinish"
    write_jsonl(folder / "appeals_2024-03-05.jsonl", [appeal(1, "2024-03-05")])
    write_jsonl(folder / "appeals_IIN900315300123_2024-03-06.jsonl", [appeal(2, "2024-03-06")])

    report = load_appeals(warehouse, warehouse_paths.landing, ["2024-03-05", "2024-03-06"])

    text = "\n".join(i.describe() for i in report.issues) + str([p.files for p in report.partitions])
    assert "the file name holds an IIN" in text and "iin:" in text
    assert "900315300123" not in text
    assert find_iin_values(warehouse) == []
    assert {p.partition_key: p.status for p in report.partitions}["2024-03-05"] == "published"


def test_a_file_name_not_utf8_is_refused_with_its_iin_redacted(warehouse, warehouse_paths):
    """A name that is not UTF-8 is refused before its IIN is looked for, in any feed: the refusal
    shows its path and bytes with the IIN redacted (the load records keep them)."""
    from catalog.trade import load_comtrade
    from ingest.privacy import find_iin_values

    folder = os.fsencode(warehouse_paths.trade_landing)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, b"kz_900315300123_\xff.csv"), "w") as handle:
        handle.write(csv_text(month_records("202301")))

    report = load_comtrade(warehouse, warehouse_paths.landing, [JAN])

    (issue,) = [i for i in report.issues if i.check == "unreadable_name"]
    assert "the file name is not UTF-8" in issue.message and "kz_iin:" in issue.message
    assert "kz_iin:" in issue.file and "900315300123" not in issue.file + issue.message
    assert find_iin_values(warehouse) == []


@pytest.mark.parametrize("feed", ["eotinish_appeals", "comtrade_records"])
def test_a_file_in_a_folder_whose_path_holds_an_iin_is_refused_and_never_kept(warehouse, tmp_path, feed):
    """Every row keeps its file's path (_source_file), and the load's records and the sensor's
    cursor name it: a file whose folder's path holds an IIN is refused as one whose name does, its
    path redacted, in every feed (the landing folder is every feed's), with personal data or not."""
    from appeal_files import appeal, write_jsonl

    from catalog.appeals import load_appeals
    from catalog.trade import load_comtrade
    from ingest.privacy import find_iin_values

    landing = tmp_path / "exports_900315300123"
    if feed == "eotinish_appeals":
        write_jsonl(landing / "eotinish" / "appeals_2024-03-05.jsonl", [appeal(1, "2024-03-05")])
        report = load_appeals(warehouse, landing, ["2024-03-05"])
    else:
        write_csv(landing / "trade" / "comtrade_2024.csv", month_records("202401"))
        report = load_comtrade(warehouse, landing, ["2024-01-01"])

    text = "\n".join(i.describe() for i in report.issues) + str([p.files for p in report.partitions])
    assert "a folder of the file's path holds an IIN" in text and "exports_iin:" in text
    assert "900315300123" not in text
    assert find_iin_values(warehouse) == []
    assert warehouse.execute(f"select count(*) from raw.{feed}").fetchone() == (0,)


def test_an_upper_case_extension_is_read_not_skipped(warehouse, warehouse_paths):
    """A Windows export's KZ_2023_01.CSV (or .Csv.GZ), an eOtinish APPEALS_...JSONL and a
    LAND_PARCELS_2024-Q3.CSV are the feeds' files as much as their lower-case namesakes; they were
    skipped without a word."""
    from appeal_files import appeal, write_jsonl

    from catalog.appeals import load_appeals

    write_csv(warehouse_paths.trade_landing / "KZ_2023_01.CSV", month_records("202301"))
    csv_gz = warehouse_paths.trade_landing / "KZ_2023_02.Csv.GZ"
    csv_gz.write_bytes(gzip.compress(write_csv(csv_gz.with_suffix(""), month_records("202302")).read_bytes()))
    csv_gz.with_suffix("").unlink()
    load_comtrade(warehouse, warehouse_paths.landing, [JAN, FEB]).raise_for_errors()
    files = {r[5].rsplit("/", 1)[-1] for r in published(warehouse)}
    assert files == {"KZ_2023_01.CSV", "KZ_2023_02.Csv.GZ"}

    write_jsonl(warehouse_paths.landing / "eotinish" / "APPEALS_2024-03-05.JSONL", [appeal(1, "2024-03-05")])
    report = load_appeals(warehouse, warehouse_paths.landing, ["2024-03-05"])
    report.raise_for_errors()
    assert [(p.partition_key, p.status, p.rows) for p in report.partitions] == [
        ("2024-03-05", "published", 1)
    ]

    from land_files import parcels, write_feed

    from catalog.land import LAND_PARCELS

    write_feed(warehouse_paths.landing / "land", "land_parcels", "2024-Q3", parcels(3)).rename(
        warehouse_paths.landing / "land" / "LAND_PARCELS_2024-Q3.CSV"
    )
    (found,) = LAND_PARCELS.landing_files(warehouse_paths.landing)
    assert (found.name, LAND_PARCELS.file_key(found)) == ("LAND_PARCELS_2024-Q3.CSV", "2024-Q3")
