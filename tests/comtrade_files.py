"""Small hand-made Comtrade v1 files for tests: a few valid records, easy to break on purpose."""

import csv
import json
from pathlib import Path

from ingest.comtrade_schema import COLUMN_NAMES

COUNTRIES = {398: ("KAZ", "Kazakhstan"), 762: ("TJK", "Tajikistan")}
CHAPTERS = {"10": "Cereals", "27": "Mineral fuels, oils", "72": "Iron and steel"}


def record(reporter: int, partner: int, flow: str, period: str, cmd: str, value: float) -> dict:
    """One plain (C00, all transport modes, partner2 World) record."""
    annual = len(period) == 4
    return {
        "typeCode": "C",
        "freqCode": "A" if annual else "M",
        "refPeriodId": int(period[:4] + ("01" if annual else period[4:]) + "01"),
        "refYear": int(period[:4]),
        "refMonth": 52 if annual else int(period[4:]),
        "period": period,
        "reporterCode": reporter,
        "reporterISO": COUNTRIES[reporter][0],
        "reporterDesc": COUNTRIES[reporter][1],
        "flowCode": flow,
        "flowDesc": {"X": "Export", "M": "Import"}[flow],
        "partnerCode": partner,
        "partnerISO": COUNTRIES[partner][0],
        "partnerDesc": COUNTRIES[partner][1],
        "partner2Code": 0,
        "partner2ISO": "W00",
        "partner2Desc": "World",
        "classificationCode": "H6",
        "classificationSearchCode": "HS",
        "isOriginalClassification": True,
        "cmdCode": cmd,
        "cmdDesc": "All Commodities" if cmd == "TOTAL" else CHAPTERS.get(cmd, "Other, n.e.s."),
        "aggrLevel": 0 if cmd == "TOTAL" else len(cmd),
        "isLeaf": len(cmd) == 6,
        "customsCode": "C00",
        "customsDesc": "TOTAL CPC",
        "mosCode": "0",
        "motCode": 0,
        "motDesc": "TOTAL MOT",
        "qtyUnitCode": -1,
        "qtyUnitAbbr": "N/A",
        "qty": None,
        "isQtyEstimated": False,
        "altQtyUnitCode": -1,
        "altQtyUnitAbbr": "N/A",
        "altQty": None,
        "isAltQtyEstimated": False,
        "netWgt": value / 2,
        "isNetWgtEstimated": False,
        "grossWgt": None,
        "isGrossWgtEstimated": False,
        "cifvalue": value if flow == "M" else None,
        "fobvalue": value if flow == "X" else None,
        "primaryValue": value,
        "legacyEstimationFlag": 0,
        "isReported": True,
        "isAggregate": cmd == "TOTAL",
    }


def month_records(period: str, scale: float = 1.0) -> list[dict]:
    """Kazakhstan's view of one month with Tajikistan: TOTAL and chapters for both flows."""
    rows = []
    for flow, chapters in {"X": {"10": 30e6, "27": 20e6}, "M": {"72": 15e6}}.items():
        chapter_values = {cmd: value * scale for cmd, value in chapters.items()}
        rows.append(record(398, 762, flow, period, "TOTAL", sum(chapter_values.values())))
        rows += [record(398, 762, flow, period, cmd, v) for cmd, v in chapter_values.items()]
    return rows


def write_csv(path: Path, rows: list[dict], columns: list[str] = COLUMN_NAMES) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_json(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"elapsedTime": "0.1 secs", "count": len(rows), "data": rows, "error": ""}))
    return path
