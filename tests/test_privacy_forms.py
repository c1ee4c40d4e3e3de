"""An IIN however it is written, and wherever a land parcel's file puts it (ingest/privacy.py,
ingest/geometry.py, catalog/land.py).

* Written in groups (`900315 300123`, `900315-300123`, `9003 1530 0123`), with full-width digits or
  padded with zeros, a holder's IIN is published as its keyed token, as the plain form is; numbers
  that only look alike (a cadastral number, thousands separators, a card number) keep their digits.
* An IIN where the polygon should be is redacted in the published row, in the WKT parser's message
  that quotes it, in the quarantine and in the Data Docs of a quarter it blocks; a polygon that
  parses keeps its coordinates, 12 decimals included.
"""

import json
from datetime import date

import duckdb
import pytest
from conftest import TEST_HASH_KEY
from land_files import geodesic_area_ha, parcels, write_feed

from catalog.land import load_land_feed
from demo.appeals import make_iin
from ingest import geometry
from ingest.privacy import (
    find_iin_in_text,
    find_iin_values,
    iin_token,
    redact_text,
    register_iin_detector,
    register_pii_hash,
)

IIN = "900315300123"
KEY = TEST_HASH_KEY.encode()
TOKEN = iin_token(IIN, KEY)
FULL_WIDTH = IIN.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
# The forms of one IIN, each with what is left around its token.
FORMS = {
    IIN: "{}",
    "900315 300123": "{}",
    "900315-300123": "{}",
    "9003 1530 0123": "{}",
    "90 03 15 30 01 23": "{}",
    "900315\u00a0300123": "{}",  # a no-break space
    FULL_WIDTH: "{}",
    "00900315300123": "{}",  # padded with zeros to a fixed width
    "０" + FULL_WIDTH: "{}",
    "IIN: 9003-1530-0123": "IIN: {}",
    "ИИН 900315 300123, 2 участка": "ИИН {}, 2 участка",
    "x_900315 300123_y": "x_{}_y",
}
NOT_IINS = [
    "1900315300123",  # a 13-digit run
    "11-032-001-0001",  # a cadastral number (2 + 3 + 3 + 4 digits)
    "900 315 300 123",  # thousands separators
    "4400 9003 1530 0123",  # a card number: four groups of 4
    "ab9003-1530-0123",  # glued to letters
    "6f1e2d3c-9003-1530-0123-abcdefabcdef",  # a UUID whose middle groups are all digits
    "900315 3001234",
    "22052600000992",
]
# A valid polygon whose coordinates run to 12 decimals, one of them an IIN's digits.
POLYGON_12 = "POLYGON ((80.900315300123 50.7, 80.91 50.7, 80.91 50.71, 80.9 50.71, 80.900315300123 50.7))"


def land(paths):
    folder = paths.landing / "land"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def text_files_holding(folder, text: str) -> list[str]:
    return [
        str(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix != ".duckdb" and text in path.read_text(errors="ignore")
    ]


# --- the detector and the redaction ----------------------------------------------------------------


@pytest.mark.parametrize("text", list(FORMS))
def test_every_form_of_an_iin_is_found_and_redacted(text):
    assert find_iin_in_text(text) == [IIN]
    assert redact_text(text, KEY) == FORMS[text].format(TOKEN)


@pytest.mark.parametrize("text", NOT_IINS)
def test_numbers_that_only_look_alike_keep_their_digits(text):
    assert find_iin_in_text(text) == []
    assert redact_text(text, KEY) == text


def test_sql_and_python_agree_on_every_form():
    other = make_iin(date(1985, 7, 31), True, 42)
    values = [*FORMS, *NOT_IINS, f"{other[:6]}-{other[6:]}", POLYGON_12, "POINT (900315300123 1)", None]
    values += [FULL_WIDTH[:6] + " " + FULL_WIDTH[6:], f"{IIN[:6]}|{IIN[6:]}"]
    con = duckdb.connect()
    register_pii_hash(con, key=KEY)
    rows = con.execute(
        "select redact_pii(v), contains_iin(v) "
        "from unnest(?::varchar[]) with ordinality as t(v, i) order by i",
        [values],
    ).fetchall()
    assert [r for r, _ in rows] == [redact_text(v, KEY) for v in values]
    assert [c for _, c in rows] == [v is not None and bool(find_iin_in_text(v)) for v in values]
    assert sum(c for _, c in rows) == len(FORMS) + 3
    (listed,) = con.execute("select redact_pii_list(?::varchar[])", [values]).fetchone()
    assert listed == [redact_text(v, KEY) for v in values]
    # halves of an IIN in two values are no IIN, whatever joins them in the list's prefilter
    (halves,) = con.execute("select redact_pii_list(?::varchar[])", [[IIN[:6], IIN[6:]]]).fetchone()
    assert halves == [IIN[:6], IIN[6:]]


def test_the_scanner_finds_every_form():
    con = duckdb.connect()
    con.execute("create table t (form varchar, other varchar)")
    con.executemany("insert into t values (?, ?)", [[form, "x"] for form in FORMS])
    con.executemany("insert into t values (?, ?)", [[text, POLYGON_12] for text in NOT_IINS])
    assert find_iin_values(con) == [("main.t", "form", len(FORMS))]
    register_iin_detector(con)
    (found,) = con.execute("select count(*) from t where contains_iin(form)").fetchone()
    assert found == len(FORMS)


def test_a_polygon_keeps_its_decimals_and_anything_else_in_it_is_redacted():
    assert redact_text(POLYGON_12, KEY) == POLYGON_12
    assert find_iin_in_text(POLYGON_12) == []
    broken = POLYGON_12[:40]  # cut: no longer WKT, read as any other text
    assert redact_text(broken, KEY) == broken.replace(IIN, TOKEN)
    assert redact_text("POINT (900315300123 1)", KEY) == f"POINT ({TOKEN} 1)"


def test_the_wkt_parsers_message_is_masked():
    _, errors = geometry.parse_wkt([f"IIN{IIN}", "POLYGON ((1 2, 3", f"POLYGON (({IIN} 1, 2"])
    assert all(IIN not in error for error in errors)
    assert errors[0].startswith("unparsable WKT:") and "iin:redacted" in errors[0].lower()


# --- the land parcels load -------------------------------------------------------------------------


def test_a_holder_iin_in_any_form_is_published_as_its_token(warehouse, warehouse_paths):
    rows = parcels(20)
    for row, form in zip(rows, FORMS, strict=False):
        row.update(holder_type="INDIVIDUAL", holder_id=form)
    write_feed(land(warehouse_paths), "land_parcels", "2024-Q3", rows)
    load_land_feed(warehouse, "land_parcels", warehouse_paths.landing, ["2024-Q3"]).raise_for_errors()

    published = dict(warehouse.execute("select cadastral_number, holder_id from raw.land_parcels").fetchall())
    # every cadastral number is as sent (12 digits in hyphenated groups, not an IIN)
    assert sorted(published) == sorted(row["cadastral_number"] for row in rows)
    for row, form in zip(rows, FORMS, strict=False):
        assert published[row["cadastral_number"]] == FORMS[form].format(TOKEN), form
    assert find_iin_values(warehouse) == []


def test_an_iin_where_the_polygon_should_be_is_redacted(warehouse, warehouse_paths):
    rows = parcels(60)  # 3 invalid polygons: 5 %, what the suite accepts
    rows[4].update(geometry_wkt=IIN)
    rows[7].update(geometry_wkt=f"IIN{IIN}")
    rows[9].update(geometry_wkt="9003 1530 0123")
    corners = [(80.900315300123, 50.7), (80.91, 50.7), (80.91, 50.71), (80.9, 50.71)]
    rows[11].update(geometry_wkt=POLYGON_12, area_ha=f"{geodesic_area_ha(corners):.2f}")
    write_feed(land(warehouse_paths), "land_parcels", "2024-Q4", rows)
    report = load_land_feed(warehouse, "land_parcels", warehouse_paths.landing, ["2024-Q4"])
    assert [p.status for p in report.partitions] == ["published"]

    published = {
        cadastral: (wkt, valid, issue)
        for cadastral, wkt, valid, issue in warehouse.execute(
            "select cadastral_number, geometry_wkt, geometry_is_valid, geometry_issue from raw.land_parcels"
        ).fetchall()
    }
    for i, wkt in ((4, TOKEN), (7, f"IIN{TOKEN}"), (9, TOKEN)):
        stored, valid, issue = published[rows[i]["cadastral_number"]]
        assert stored == wkt and not valid
        assert issue.startswith("unparsable WKT") and IIN not in issue
    # a polygon that parses keeps its 12 decimals (an IIN's digits among them), and is valid
    assert published[rows[11]["cadastral_number"]][:2] == (POLYGON_12, True)
    assert find_iin_values(warehouse) == []


def test_a_quarter_blocked_by_iins_in_its_polygons_keeps_them_out_of_quarantine_and_data_docs(
    warehouse, warehouse_paths
):
    rows = parcels(20)
    for i in (2, 4, 6, 8):
        rows[i].update(geometry_wkt=f"IIN{IIN}")
    write_feed(land(warehouse_paths), "land_parcels", "2024-Q4", rows)
    report = load_land_feed(warehouse, "land_parcels", warehouse_paths.landing, ["2024-Q4"])

    assert [p.status for p in report.partitions] == ["rejected"]
    records = [
        json.loads(record)
        for (record,) in warehouse.execute("select record::varchar from quarantine.land_parcels").fetchall()
    ]
    assert records and all(IIN not in json.dumps(record, ensure_ascii=False) for record in records)
    assert sum(f"IIN{TOKEN}" in json.dumps(record) for record in records) == 4
    issues = [issue for p in report.partitions for issue in p.issues]
    assert issues and all(IIN not in f"{issue.message} {issue.value}" for issue in issues)
    assert find_iin_values(warehouse) == []
    warehouse.execute("checkpoint")
    assert text_files_holding(warehouse_paths.root, IIN) == []
