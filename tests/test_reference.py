"""Reference data: country codes and the published official trade aggregates."""

import csv

import pytest

from catalog.reference import load_trade_reference
from ingest.loads import LoadError
from ingest.reference import country_codes, working_calendar
from ingest.settings import BUNDLED_REFERENCE_DIR

REFERENCE = BUNDLED_REFERENCE_DIR / "kz_tj_trade_reference.csv"


def test_country_codes_cover_both_partners_and_comtrade_areas():
    codes = country_codes().set_index("m49_code")
    assert codes.loc[398, "iso_alpha3"] == "KAZ"
    assert codes.loc[762, "iso_alpha3"] == "TJK"
    assert codes.loc[0, "is_area"]  # World
    assert codes.loc[842, "country_name"].startswith("USA")  # Comtrade's own code for the US
    assert codes.index.is_unique


def test_published_aggregates_load_with_parsed_periods(warehouse):
    report = load_trade_reference(warehouse, REFERENCE)
    report.raise_for_errors()
    with REFERENCE.open() as handle:
        expected_rows = sum(1 for _ in csv.DictReader(handle))
    rows = dict(
        ((period, side, measure), (start.isoformat(), end.isoformat(), value))
        for period, side, measure, start, end, value in warehouse.execute(
            "select period, reporting_side, measure, period_start, period_end, value_musd "
            "from raw.trade_reference"
        ).fetchall()
    )
    assert len(rows) <= expected_rows and report.rows_published == expected_rows
    assert rows[("2022", "KZ", "export_kz_to_tj")] == ("2022-01-01", "2022-12-31", 877.6)
    assert rows[("2023-01..2023-06", "KZ", "turnover")][:2] == ("2023-01-01", "2023-06-30")
    assert rows[("2026-01", "TJ", "turnover")][:2] == ("2026-01-01", "2026-01-31")
    # 2025 as Kazakhstan's foreign minister put it: a lower bound ('over USD 1.2 billion').
    assert rows[("2025", "KZ", "turnover")] == ("2025-01-01", "2025-12-31", 1200.0)

    again = load_trade_reference(warehouse, REFERENCE)
    assert again.partitions[0].status == "unchanged"


def test_bad_published_row_is_rejected_and_kept_aside(warehouse, tmp_path):
    load_trade_reference(warehouse, REFERENCE).raise_for_errors()
    lines = REFERENCE.read_text().splitlines()
    lines[3] = lines[3].replace(",TJ,", ",UZ,", 1)  # an unknown reporting side on line 4
    bad = tmp_path / "kz_tj_trade_reference.csv"
    bad.write_text("\n".join(lines) + "\n")

    report = load_trade_reference(warehouse, bad)

    with pytest.raises(LoadError, match=r"kz_tj_trade_reference.csv, line 4, column reporting_side"):
        report.raise_for_errors()
    (count,) = warehouse.execute(
        "select count(*) from raw.trade_reference where reporting_side = 'UZ'"
    ).fetchone()
    assert count == 0
    (kept,) = warehouse.execute(
        "select count(*) from quarantine.trade_reference where bad_value = 'UZ'"
    ).fetchone()
    assert kept == 1


def test_the_working_calendar_knows_saturdays_worked_by_decree():
    """Kazakhstan moved the working day of Wednesday 2024-05-08 to Saturday 2024-05-04."""
    calendar = working_calendar(years=[2024])
    working = dict(zip(calendar["calendar_date"].astype(str), calendar["is_working_day"], strict=True))
    assert working["2024-05-04"]  # a Saturday, worked
    assert not working["2024-05-08"]  # the Wednesday given off in its place
    assert not working["2024-05-05"] and not working["2024-05-07"] and not working["2024-05-09"]
    assert working["2024-05-06"] and working["2024-05-10"]


def test_a_bad_land_reference_file_is_quarantined_and_recorded(warehouse, tmp_path):
    """The published land figures load through the same publish path as every feed: a bad row
    is kept in quarantine.kz_land_reference and meta.loads, and the table stays as it was."""
    from catalog.reference import load_land_reference
    from ingest.reference import LAND_REFERENCE_FILE

    rows = load_land_reference(warehouse)
    assert rows > 0
    text = LAND_REFERENCE_FILE.read_text().splitlines()
    header, first = text[0], text[1].split(",")
    first[header.split(",").index("unit")] = "furlongs"
    bad = tmp_path / "kz_land_reference.csv"
    bad.write_text("\n".join([header, ",".join(first), *text[2:]]) + "\n")

    with pytest.raises(LoadError) as raised:
        load_land_reference(warehouse, bad)
    assert warehouse.execute("select count(*) from ref.kz_land_reference").fetchone()[0] == rows
    (kept,) = warehouse.execute(
        "select count(*) from quarantine.kz_land_reference where load_id = ? and source_row = 2",
        [raised.value.load_id],
    ).fetchone()
    assert kept == 1
    statuses = warehouse.execute(
        "select status from meta.loads where feed = 'kz_land_reference' order by started_at"
    ).fetchall()
    assert statuses == [("published",), ("rejected",)]
