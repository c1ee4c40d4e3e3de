"""Deterministic synthetic eOtinish (citizens' appeals to state bodies) export files.

The layout is the contract of `ingest.eotinish_schema`: per day an appeals file (a snapshot of
every appeal created or changed that day) and a history events file (events received that day).

* `write_bundled_appeals` -- the small demo set (default 90 days from 2024-01-01), byte-deterministic
  for a seed. Appeals are simulated one by one: applicant (with a valid IIN), region weighted by
  population, a real KATO locality, issue category, receiving and executing organisation, and a
  life cycle CREATED -> ASSIGNED -> IN_PROGRESS [-> PROLONGED] -> ANSWERED -> CLOSED
  [-> REOPENED -> ANSWERED -> CLOSED] (or WITHDRAWN). Deadlines are the start date + 15 working
  days (+ prolong_days working days), working days being Monday-Friday minus Kazakhstan's public
  holidays from `holidays.country_holidays('KZ')` (transferred working Saturdays are ignored).
  Events arrive late (~3 %), out of order within a file, and a few are re-sent; there are
  duplicates (`is_duplicate_of`), repeat applicants and complaints; personal data is in clear.
* `write_reference_seeds` -- the organisations and categories seeds of the dbt project.
* `write_scale_appeals` -- any number of events (JSON Lines, one pair of files per day) for
  benchmarks: every attribute is a counter-based hash of the appeal number (vectorised numpy),
  rendered and written by DuckDB day by day with bounded memory.

CLI::

    python -m demo.appeals bundled OUT_DIR [--days 90] [--seed 2024]
    python -m demo.appeals scale OUT_DIR [--events 10000000] [--seed 7] [--no-progress]
    python -m demo.appeals seeds SEED_DIR
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import holidays
import numpy as np
import pandas as pd

from demo import counters
from demo.refdata import kato_units, regions
from ingest.eotinish_schema import (
    APPEAL_CHARACTERS,
    APPEAL_FORMS,
    APPEAL_SOURCE_COLUMNS,
    APPEAL_SOURCES,
    APPEAL_STATES,
    APPEAL_TYPES,
    DEFAULT_DEADLINE_WORKING_DAYS,
    EVENT_SOURCE_COLUMNS,
    EVENT_TYPES,
    LANGUAGES,
    WORKING_STATES,
)
from ingest.privacy import record_demo_files

APPEAL_COLUMNS = [c for c, _ in APPEAL_SOURCE_COLUMNS]
EVENT_COLUMNS = [c for c, _ in EVENT_SOURCE_COLUMNS]
REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = REPO_ROOT / "dbt_project" / "seeds"
ORGANISATIONS_SEED = "eotinish_organisations.csv"
CATEGORIES_SEED = "eotinish_categories.csv"
NAMESPACE = uuid.UUID("6f1c2d7e-3b0a-5e9f-9c1d-0e07a1b2c3d4")  # uuid5 namespace of the ids

# --------------------------------------------------------------------------------------------
# Regions, from data/reference/kz_regions_kato_iso_2022.csv (KATO 2-digit code, English name, the
# cities of republican significance with their Russian name), in the file's order.
# --------------------------------------------------------------------------------------------
_REGIONS = regions()
REGION_NAMES: dict[str, str] = dict(zip(_REGIONS["kato_2digit"], _REGIONS["name_en"], strict=True))
_CITIES = _REGIONS[_REGIONS["type"] == "city_republican_significance"]
CITY_NAMES_RU: dict[str, str] = dict(zip(_CITIES["kato_2digit"], _CITIES["name_ru_kato"], strict=True))
# The demo's own figures per region: population (thousands, early 2024, approximate, from the
# Bureau of National Statistics' published estimates) and the share of appeals in Kazakh.
REGION_FIGURES: dict[str, tuple[int, float]] = {
    "10": (603, 0.55),  # Abai
    "11": (788, 0.25),  # Akmola
    "15": (930, 0.45),  # Aktobe
    "19": (1520, 0.5),  # Almaty Region
    "23": (700, 0.6),  # Atyrau
    "27": (690, 0.45),  # West Kazakhstan
    "31": (1220, 0.55),  # Zhambyl
    "33": (700, 0.5),  # Zhetisu
    "35": (1130, 0.2),  # Karaganda
    "39": (830, 0.15),  # Kostanay
    "43": (840, 0.7),  # Kyzylorda
    "47": (780, 0.6),  # Mangystau
    "55": (750, 0.15),  # Pavlodar
    "59": (530, 0.12),  # North Kazakhstan
    "61": (2130, 0.7),  # Turkistan
    "62": (220, 0.4),  # Ulytau
    "63": (720, 0.2),  # East Kazakhstan
    "71": (1420, 0.4),  # Astana
    "75": (2230, 0.3),  # Almaty
    "79": (1230, 0.55),  # Shymkent
}
if set(REGION_FIGURES) != set(REGION_NAMES):
    raise ValueError(f"REGION_FIGURES {sorted(REGION_FIGURES)} != the regions file {sorted(REGION_NAMES)}")
REGION_CODES = list(REGION_NAMES)
REGION_WEIGHTS = np.array([REGION_FIGURES[r][0] for r in REGION_CODES], dtype=float)
REGION_WEIGHTS /= REGION_WEIGHTS.sum()

# Localities, from the official KATO classifier (data/reference/kato_2022-10-17_ru.csv): per
# oblast its towns (`г.`, not the city administrations `г.а.`; the regional centre, the lowest
# code, first) and ten villages, the ones below (chosen for the demo, by code); for Astana, Almaty
# and Shymkent their districts.
_DEMO_VILLAGE_CODES = """
101033100 101051521 103435309 103441106 103443509 103643508 103669137 103687408 104221305 104281115
111033100 113449100 113857100 114533500 114651100 115265103 115643100 116030200 116637100 116845500
153233100 153433100 153637100 154057100 154263300 154655400 154847100 155247100 156037100 156438400
191033100 194033100 194055200 194081100 194255300 194441200 195234300 195851100 196247700 196647200
231033100 233643102 234035132 234045100 234243300 234653100 234837102 234843106 234849126 234859108
271033100 273264104 274037139 274233105 274463700 274849200 275033100 275433322 275443339 276030100
313630100 313653100 314049100 314249200 314841100 315036100 315433100 315635100 316037109 316247100
331039100 333259100 333445200 333473100 333649300 334043300 334235200 334435400 334635200 334657100
351011300 353267200 353675100 354059100 354831100 354869100 355243105 355630100 355671100 356449100
391639100 393430100 393637500 394237500 394831500 395230100 395445101 395657803 396263102 396651700
431033100 433234400 433249100 433646100 434045100 434433100 434455100 434655200 434844100 435241100
471043100 473643102 473645100 474249109 474633335 474635161 474643209 474649121 475233109 475237141
551041100 552237200 553243700 553643200 553663107 554637100 554845200 555259180 556045200 556449300
593230100 593249500 593663200 594245200 594649500 595057100 595633207 595858100 596066600 596446300
611633100 613655200 613871480 613953400 614053300 614483700 614845100 615461800 615630500 615859400
621039100 621049100 623637100 623641105 623653500 623667100 623831100 623841300 623853300 623865100
631000200 634633317 634639512 634647309 635233315 635435205 635830507 635841419 635851116 636243200
"""
_DEMO_VILLAGES = frozenset(_DEMO_VILLAGE_CODES.split())


def _kato_localities() -> dict[str, list[tuple[str, str]]]:
    kato = kato_units()
    region = kato["code"].str[:2]
    out: dict[str, list[tuple[str, str]]] = {}
    for r in REGION_CODES:
        if r in CITY_NAMES_RU:  # a city: its districts
            top = kato.loc[(kato["parent_id"] == "0") & (region == r), "id"]
            units = kato[kato["parent_id"].isin(top)].sort_values("code")
        else:
            names = kato["name"]
            town = (region == r) & names.str.startswith("г.") & ~names.str.startswith("г.а.")
            village = (region == r) & kato["code"].isin(_DEMO_VILLAGES)
            units = pd.concat([kato[town].sort_values("code"), kato[village].sort_values("code")])
        out[r] = list(zip(units["code"], units["name"], strict=True))
    found = {code for locs in out.values() for code, _ in locs}
    if missing := sorted(_DEMO_VILLAGES - found):
        raise ValueError(f"demo villages not in the KATO classifier (or outside an oblast): {missing}")
    return out


KATO_LOCALITIES = _kato_localities()


def _locality_weights(region: str) -> np.ndarray:
    """Regional centre 45 %, other towns 30 %, villages 25 % (cities: districts equal)."""
    locs = KATO_LOCALITIES[region]
    if region in CITY_NAMES_RU:
        w = np.ones(len(locs))
    else:
        towns = [i for i, (_, n) in enumerate(locs) if n.startswith("г.")]
        w = np.array([0.25 / max(1, len(locs) - len(towns))] * len(locs))
        others = towns[1:]
        for i in others:
            w[i] = 0.30 / len(others)
        w[towns[0]] = 0.45 if others else 0.75
    return w / w.sum()


LOCALITY_WEIGHTS = {r: _locality_weights(r) for r in REGION_CODES}

# --------------------------------------------------------------------------------------------
# Organisations. Central bodies have ids 101-499; a region's bodies are kato2 * 100 + offset
# (its akimat + 0, akimat departments + 1..9, police department + 20, regional court + 30).
# --------------------------------------------------------------------------------------------
MINISTRIES: dict[str, tuple[int, str]] = {
    "labour": (101, "Ministry of Labour and Social Protection of the Population"),
    "health": (102, "Ministry of Health"),
    "education": (103, "Ministry of Education"),
    "internal": (104, "Ministry of Internal Affairs"),
    "digital": (105, "Ministry of Digital Development, Innovations and Aerospace Industry"),
    "industry": (106, "Ministry of Industry and Construction"),
    "transport": (107, "Ministry of Transport"),
    "agriculture": (108, "Ministry of Agriculture"),
    "energy": (109, "Ministry of Energy"),
    "justice": (110, "Ministry of Justice"),
    "finance": (111, "Ministry of Finance"),
    "ecology": (112, "Ministry of Ecology and Natural Resources"),
    "economy": (113, "Ministry of National Economy"),
    "science": (114, "Ministry of Science and Higher Education"),
    "culture": (115, "Ministry of Culture and Information"),
    "water": (116, "Ministry of Water Resources and Irrigation"),
    "emergency": (117, "Ministry of Emergency Situations"),
    "trade": (118, "Ministry of Trade and Integration"),
}
AGENCIES: dict[str, tuple[int, str]] = {
    "anticorruption": (201, "Anti-Corruption Agency"),
    "competition": (202, "Agency for Protection and Development of Competition"),
    "finreg": (203, "Agency for Regulation and Development of the Financial Market"),
    "strategic": (204, "Agency for Strategic Planning and Reforms"),
}
OTHER_CENTRAL: dict[str, tuple[int, str, str]] = {
    "supreme_court": (301, "Supreme Court", "court"),
    "prosecutor": (401, "Prosecutor General's Office", "other"),
    "govcitizens": (402, 'State Corporation "Government for Citizens"', "other"),
    "health_fund": (403, "Social Health Insurance Fund", "other"),
}
# Regional akimat departments: key -> (offset, name, parent ministry when it is a territorial
# body of a ministry rather than of the akimat).
REGIONAL_DEPARTMENTS: dict[str, tuple[int, str]] = {
    "utilities": (1, "Department of Energy and Housing and Utilities"),
    "roads": (2, "Department of Passenger Transport and Roads"),
    "land": (3, "Department of Land Relations"),
    "employment": (4, "Department of Employment and Social Programmes"),
    "health": (5, "Health Department"),
    "education": (6, "Education Department"),
    "housing": (7, "Department of Housing Relations and Housing Inspection"),
    "entrepreneurship": (8, "Department of Entrepreneurship and Industry"),
    "ecology": (9, "Department of Natural Resources and Environmental Management"),
}
POLICE_OFFSET, COURT_OFFSET = 20, 30


def region_org(region: str, key: str = "akimat") -> int:
    """org_id of a region's akimat, one of its departments, its police or its court."""
    base = int(region) * 100
    if key == "akimat":
        return base
    if key == "police":
        return base + POLICE_OFFSET
    if key == "court":
        return base + COURT_OFFSET
    return base + REGIONAL_DEPARTMENTS[key][0]


def _region_label(region: str) -> str:
    return REGION_NAMES[region]  # the cities' names say "(city)"


@dataclass(frozen=True)
class Organisation:
    org_id: int
    org_name: str
    org_kind: str
    region_kato_2digit: str
    parent_org_id: int | None


def organisations() -> list[Organisation]:
    """Every organisation the generator uses, ordered by org_id."""
    orgs = [Organisation(i, n, "ministry", "", None) for i, n in MINISTRIES.values()]
    orgs += [Organisation(i, n, "agency", "", None) for i, n in AGENCIES.values()]
    orgs += [Organisation(i, n, k, "", None) for i, n, k in OTHER_CENTRAL.values()]
    for r in REGION_CODES:
        label = _region_label(r)
        akimat = region_org(r)
        orgs.append(Organisation(akimat, f"Akimat of {label}", "akimat", r, None))
        for key, (_, name) in REGIONAL_DEPARTMENTS.items():
            parent = MINISTRIES["ecology"][0] if key == "ecology" else akimat
            orgs.append(Organisation(region_org(r, key), f"{label}: {name}", "akimat", r, parent))
        orgs.append(
            Organisation(
                region_org(r, "police"),
                f"Police Department of {label}",
                "other",
                r,
                MINISTRIES["internal"][0],
            )
        )
        court = "City Court" if r in CITY_NAMES_RU else "Regional Court"
        orgs.append(
            Organisation(
                region_org(r, "court"), f"{label} {court}", "court", r, OTHER_CENTRAL["supreme_court"][0]
            )
        )
    return sorted(orgs, key=lambda o: o.org_id)


# --------------------------------------------------------------------------------------------
# Issue categories: (name, weight, regional executor key or None, central body key, Russian and
# Kazakh topic for the free text, subcategories).
# Executor: a regional department key ('akimat', 'police', 'court' also allowed) or, when None,
# the central body handles the appeal itself.
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Category:
    name: str
    weight: float
    regional: str | None
    central: str
    topic_ru: str
    topic_kk: str
    subs: tuple[str, ...]


CATEGORIES: tuple[Category, ...] = (
    Category(
        "Housing and utilities",
        0.17,
        "utilities",
        "industry",
        "коммунальных услуг",
        "коммуналдық қызметтер",
        (
            "Heating",
            "Water supply and sewerage",
            "Electricity supply",
            "Gas supply",
            "Waste collection",
            "Apartment building management (OSI)",
        ),
    ),
    Category(
        "Roads and public transport",
        0.12,
        "roads",
        "transport",
        "дорог и общественного транспорта",
        "жолдар мен қоғамдық көлік",
        ("Road repair", "Public transport routes", "Street lighting", "Traffic safety"),
    ),
    Category(
        "Land relations",
        0.09,
        "land",
        "agriculture",
        "земельных отношений",
        "жер қатынастары",
        ("Land plot allocation", "Land disputes", "Illegal land use"),
    ),
    Category(
        "Social protection and employment",
        0.13,
        "employment",
        "labour",
        "социальной защиты",
        "әлеуметтік қорғау",
        (
            "Targeted social assistance",
            "Pensions",
            "Disability benefits",
            "Child benefits",
            "Employment and job search",
        ),
    ),
    Category(
        "Healthcare",
        0.10,
        "health",
        "health",
        "здравоохранения",
        "денсаулық сақтау",
        ("Primary health care", "Free medicines", "Compulsory health insurance", "Hospital care"),
    ),
    Category(
        "Education",
        0.08,
        "education",
        "education",
        "образования",
        "білім беру",
        ("Kindergarten queue", "Schools", "Higher education grants"),
    ),
    Category(
        "Housing",
        0.07,
        "housing",
        "industry",
        "жилищного вопроса",
        "тұрғын үй мәселесі",
        ("Housing queue", "Rental housing", "Emergency housing"),
    ),
    Category(
        "Law enforcement and public order",
        0.07,
        "police",
        "internal",
        "правопорядка",
        "құқықтық тәртіп",
        ("Police actions", "Public order", "Fraud", "Domestic violence"),
    ),
    Category(
        "Digital public services",
        0.06,
        None,
        "digital",
        "государственных услуг",
        "мемлекеттік қызметтер",
        ("eGov portal", "Electronic digital signature", "Public service centres"),
    ),
    Category(
        "Ecology",
        0.03,
        "ecology",
        "ecology",
        "экологии",
        "экология",
        ("Air pollution", "Illegal dumps", "Green spaces"),
    ),
    Category(
        "Business and prices",
        0.03,
        "entrepreneurship",
        "economy",
        "предпринимательства",
        "кәсіпкерлік",
        ("Business support", "Prices and tariffs", "Taxes"),
    ),
    Category(
        "Corruption",
        0.01,
        None,
        "anticorruption",
        "коррупции",
        "сыбайлас жемқорлық",
        ("Bribery", "Abuse of office"),
    ),
    Category(
        "Judicial matters",
        0.01,
        "court",
        "supreme_court",
        "судебных вопросов",
        "сот мәселелері",
        ("Court proceedings", "Enforcement of judgments"),
    ),
    Category("Other", 0.02, "akimat", "justice", "благоустройства", "абаттандыру", ("Other questions",)),
)
CATEGORY_WEIGHTS = np.array([c.weight for c in CATEGORIES]) / sum(c.weight for c in CATEGORIES)


def category_id(name: str, parent: str | None = None) -> str:
    """Stable UUID of a category (uuid5 of its name, of 'parent/name' for a subcategory)."""
    return str(uuid.uuid5(NAMESPACE, name if parent is None else f"{parent}/{name}"))


def _central_org(key: str) -> int:
    for table in (MINISTRIES, AGENCIES, OTHER_CENTRAL):
        if key in table:
            return table[key][0]
    raise KeyError(key)


def write_reference_seeds(seed_dir: Path = SEED_DIR) -> list[Path]:
    """Write eotinish_organisations.csv and eotinish_categories.csv (deterministic bytes)."""
    seed_dir = Path(seed_dir)
    seed_dir.mkdir(parents=True, exist_ok=True)
    org_rows = [
        [
            o.org_id,
            o.org_name,
            o.org_kind,
            o.region_kato_2digit,
            "" if o.parent_org_id is None else o.parent_org_id,
        ]
        for o in organisations()
    ]
    cat_rows: list[list[object]] = []
    for c in CATEGORIES:
        cat_rows.append([category_id(c.name), c.name, ""])
        cat_rows += [[category_id(s, c.name), s, category_id(c.name)] for s in c.subs]
    paths = []
    for name, header, rows in (
        (
            ORGANISATIONS_SEED,
            ["org_id", "org_name", "org_kind", "region_kato_2digit", "parent_org_id"],
            org_rows,
        ),
        (CATEGORIES_SEED, ["category_id", "category_name", "parent_category_id"], cat_rows),
    ):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
        path = seed_dir / name
        path.write_bytes(buf.getvalue().encode())
        paths.append(path)
    return paths


# --------------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------------
@cache
def _kz_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("KZ", years=range(2015, 2036))


@cache  # asked ~170k times for the bundled exports, about a few thousand days
def is_working_day(d: date) -> bool:
    """A working day as the `holidays` library knows it (incl. Saturdays worked by decree)."""
    return _kz_holidays().is_working_day(d)


@cache
def add_working_days(d: date, n: int) -> date:
    """The n-th working day after `d` (n >= 0; n = 0 returns d)."""
    while n > 0:
        d += timedelta(days=1)
        if is_working_day(d):
            n -= 1
    return d


def appeal_deadline(start: date, prolong_days: int = 0) -> date:
    """Start date + 15 working days, + `prolong_days` more working days after prolongations."""
    return add_working_days(start, DEFAULT_DEADLINE_WORKING_DAYS + prolong_days)


# --------------------------------------------------------------------------------------------
# People: IIN, names, contacts
# --------------------------------------------------------------------------------------------
_IIN_W1 = tuple(range(1, 12))
_IIN_W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def iin_check_digit(first11: str) -> int | None:
    """Kazakhstan IIN/BIN control digit (weights 1..11, then 3..11,1,2; None if both give 10)."""
    d = [int(c) for c in first11]  # (plain Python: a numpy array per IIN cost more than the sums)
    k = sum(x * w for x, w in zip(d, _IIN_W1, strict=True)) % 11
    if k == 10:
        k = sum(x * w for x, w in zip(d, _IIN_W2, strict=True)) % 11
        if k == 10:
            return None
    return k


def is_valid_iin(iin: str) -> bool:
    if len(iin) != 12 or not iin.isdigit():
        return False
    k = iin_check_digit(iin[:11])
    return k is not None and k == int(iin[11])


def make_iin(birth: date, female: bool, serial: int) -> str:
    """IIN: YYMMDD, century/sex digit (3/4 for 1900s, 5/6 for 2000s), 4-digit serial, control."""
    century = 3 if birth.year < 2000 else 5
    while True:
        head = f"{birth:%y%m%d}{century + int(female)}{serial % 10000:04d}"
        k = iin_check_digit(head)
        if k is not None:
            return head + str(k)
        serial += 1


MALE_FIRST_KK = (
    "Айдос",
    "Нурлан",
    "Ерлан",
    "Асхат",
    "Бауыржан",
    "Данияр",
    "Ержан",
    "Канат",
    "Мейрам",
    "Нурсултан",
    "Руслан",
    "Самат",
    "Талгат",
    "Жандос",
    "Арман",
    "Серик",
)
FEMALE_FIRST_KK = (
    "Айгерим",
    "Асель",
    "Гульнара",
    "Динара",
    "Жанар",
    "Камила",
    "Мадина",
    "Назерке",
    "Сауле",
    "Толкын",
    "Улжан",
    "Акмарал",
    "Айжан",
    "Дана",
)
SURNAMES_KK = (
    "Ахметов",
    "Жумабаев",
    "Касымов",
    "Нурланов",
    "Сейткали",
    "Омаров",
    "Садыков",
    "Тулеген",
    "Абенов",
    "Байжанов",
    "Есенов",
    "Искаков",
    "Мухамеджанов",
    "Кенжебаев",
    "Сулейменов",
    "Тажибаев",
    "Утепов",
    "Жаксылыков",
)
MALE_FIRST_RU = (
    "Александр",
    "Сергей",
    "Андрей",
    "Дмитрий",
    "Владимир",
    "Игорь",
    "Николай",
    "Евгений",
    "Виктор",
    "Павел",
)
FEMALE_FIRST_RU = (
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Анна",
    "Мария",
    "Людмила",
    "Юлия",
)
SURNAMES_RU = (
    "Иванов",
    "Петров",
    "Смирнов",
    "Ковалев",
    "Попов",
    "Шевченко",
    "Ким",
    "Бондаренко",
    "Кузнецов",
    "Морозов",
    "Ткаченко",
    "Федоров",
)
PATRONYMICS_KK = ("Серикович", "Нурланович", "Маратович", "Ерланович", "Болатович", "Кайратович")
STREETS = (
    "Абая",
    "Достык",
    "Назарбаева",
    "Толе би",
    "Жибек жолы",
    "Кабанбай батыра",
    "Сейфуллина",
    "Ауэзова",
    "Республики",
    "Гагарина",
    "Мира",
    "Ленина",
    "Байтурсынова",
    "Момышулы",
    "Тауелсиздик",
    "Желтоксан",
)
EMAIL_DOMAINS = ("mail.ru", "gmail.com", "inbox.kz", "yandex.kz", "list.ru", "bk.ru")
LATIN = "abcdefghijklmnopqrstuvwxyz"
MOBILE_PREFIXES = ("700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778")


def _pick(rng: np.random.Generator, seq: Sequence[str]) -> str:
    return seq[int(rng.integers(len(seq)))]


@dataclass
class Applicant:
    iin: str
    name: str
    phone: str
    email: str | None
    address: str
    region: str
    location_id: str
    language: str
    birth: date


def _new_applicant(rng: np.random.Generator, today: date) -> Applicant:
    region = REGION_CODES[int(rng.choice(len(REGION_CODES), p=REGION_WEIGHTS))]
    locs = KATO_LOCALITIES[region]
    code, place = locs[int(rng.choice(len(locs), p=LOCALITY_WEIGHTS[region]))]
    kk_share = REGION_FIGURES[region][1]
    u = rng.random()
    language = "en" if u < 0.005 else ("kk" if u < 0.005 + kk_share else "ru")
    female = bool(rng.random() < 0.55)
    age = int(np.clip(rng.normal(43, 14), 18, 88))
    birth = date(today.year - age, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
    if birth.year >= today.year - 17:  # keep applicants adult
        birth = birth.replace(year=today.year - 18, day=1)
    iin = make_iin(birth, female, int(rng.integers(0, 10000)))
    kazakh = rng.random() < (0.55 + 0.4 * kk_share)
    if kazakh:
        first = _pick(rng, FEMALE_FIRST_KK if female else MALE_FIRST_KK)
        last = _pick(rng, SURNAMES_KK)
    else:
        first = _pick(rng, FEMALE_FIRST_RU if female else MALE_FIRST_RU)
        last = _pick(rng, SURNAMES_RU)
    if female and last[-2:] in ("ов", "ев", "ин"):
        last += "а"
    name = f"{last} {first}"
    if kazakh and rng.random() < 0.5:
        patr = _pick(rng, PATRONYMICS_KK)
        name += " " + (patr[:-4] + "овна" if female else patr)
    phone = (
        f"+7 {_pick(rng, MOBILE_PREFIXES)} {int(rng.integers(100, 1000))} "
        f"{int(rng.integers(0, 100)):02d} {int(rng.integers(0, 100)):02d}"
    )
    email = None
    if rng.random() < 0.6:
        handle = "".join(LATIN[int(i)] for i in rng.integers(0, 26, int(rng.integers(4, 9))))
        email = f"{handle}{int(rng.integers(1, 99))}@{_pick(rng, EMAIL_DOMAINS)}"
    locality = place if place.startswith(("г.", "с.", "п.")) else f"{_region_label(region)}, {place}"
    if region in CITY_NAMES_RU:
        locality = f"{CITY_NAMES_RU[region]}, {place}"
    address = f"{locality}, ул. {_pick(rng, STREETS)}, д. {int(rng.integers(1, 200))}"
    if rng.random() < 0.6:
        address += f", кв. {int(rng.integers(1, 150))}"
    return Applicant(iin, name, phone, email, address, region, code, language, birth)


# --------------------------------------------------------------------------------------------
# Appeal life cycle (bundled set)
# --------------------------------------------------------------------------------------------
TYPE_WEIGHTS = {
    "STATEMENT": 0.33,
    "REQUEST": 0.22,
    "COMPLAINT": 0.10,
    "PROPOSAL": 0.07,
    "REPORT": 0.12,
    "INFO_REQUEST": 0.10,
    "RESPONSE": 0.04,
    "MEDIA_REQUEST": 0.01,
    "LAWYER_REQUEST": 0.01,
}
SOURCE_WEIGHTS = {
    "EGOV": 0.33,
    "PA": 0.25,
    "MOBILE": 0.24,
    "PAPER": 0.07,
    "EMAIL": 0.03,
    "VISIT": 0.05,
    "CALL_CENTER": 0.03,
}
ELECTRONIC_SOURCES = ("EGOV", "PA", "MOBILE", "EMAIL")
FORM_OF_SOURCE = {
    s: ("ELECTRONIC" if s in ELECTRONIC_SOURCES else "PAPER_ON_PURPOSE" if s == "PAPER" else "ORAL")
    for s in APPEAL_SOURCES
}
# Hour-of-day weights of electronic filings (0..23); paper and oral ones come 9:00-18:00.
ONLINE_HOURS = np.array(
    [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 2, 4, 6, 7, 7, 6, 6, 6, 6, 5.5, 5, 4.5, 4.5, 4.5, 4, 3, 2]
)
ONLINE_HOURS /= ONLINE_HOURS.sum()
DOW_FACTOR = (1.15, 1.08, 1.03, 1.0, 0.9, 0.25, 0.2)  # Monday..Sunday (holidays: 0.22)

SHARE = {
    "repeat_applicant": 0.22,  # the appeal comes from someone who already filed one
    "duplicate": 0.03,  # ... re-filing the same issue: is_duplicate_of = the original
    "collective": 0.06,
    "withdrawn": 0.015,
    "prolonged": 0.07,
    "second_prolongation": 0.12,  # of the prolonged
    "late_answer": 0.07,  # answered after the deadline
    "stuck": 0.01,  # not answered within ~2 months
    "same_day_close": 0.55,
    "complaint": 0.04,  # of the answered: applicant complains about the answer
    "reopen_after_complaint": 0.5,
    "controller_reopen": 0.01,
    "lawsuit": 0.1,  # of the complaints
    "comment": 0.05,
    "late_event": 0.03,  # event reaches the export 1-10 days after its day
    "resent_event": 0.005,  # the same event again in a later day's file
    "iin_in_text": 0.12,
    "phone_in_text": 0.15,
    "phone_in_message": 0.3,  # of answer messages
}

SYSTEM_MESSAGES = {
    "CREATED": "Обращение зарегистрировано",
    "ASSIGNED": "Обращение направлено на исполнение",
    "FORWARD": "Обращение перенаправлено по компетенции",
    "IN_PROGRESS": "Обращение принято в работу",
    "PROLONGED": "Срок рассмотрения продлен на {n} рабочих дней",
    "ANSWERED": "Ответ направлен заявителю",
    "CLOSED": "Обращение закрыто",
    "REOPENED": "Обращение возвращено на повторное рассмотрение",
    "WITHDRAWN": "Обращение отозвано заявителем",
}
DETAILS_RU = (
    "Проблема не решается уже несколько месяцев.",
    "Ранее обращался, ответа не получил.",
    "Прошу дать письменный ответ.",
    "Прошу провести проверку и принять меры.",
    "Ситуация повторяется каждую неделю.",
    "Жители нашего дома также поддерживают.",
)
DETAILS_KK = (
    "Бұл мәселе бірнеше айдан бері шешілмей келеді.",
    "Жазбаша жауап беруіңізді сұраймын.",
    "Бұрын да жүгінгенмін, жауап алмадым.",
    "Тексеру жүргізуді сұраймын.",
)
ANSWERS_RU = (
    "Ваше обращение рассмотрено, по изложенным фактам приняты меры.",
    "Разъясняем, что вопрос будет решен в рамках плана работ на текущий год.",
    "По результатам проверки нарушений не выявлено.",
    "Ваше обращение рассмотрено, заявка включена в план ремонта.",
)
ANSWERS_KK = (
    "Сіздің өтінішіңіз қаралды, тиісті шаралар қабылданды.",
    "Тексеру нәтижесінде бұзушылықтар анықталған жоқ.",
)


def _ts(t: datetime | None) -> str | None:
    return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%S")


def _office_time(rng: np.random.Generator, d: date, lo: float = 9.0, hi: float = 18.0) -> datetime:
    seconds = int(rng.integers(int(lo * 3600), int(hi * 3600)))
    return datetime(d.year, d.month, d.day) + timedelta(seconds=seconds)


def _after(rng: np.random.Generator, prev: datetime, t: datetime) -> datetime:
    """`t`, or a few minutes after `prev` if `t` is not later than it."""
    if t > prev:
        return t
    return prev + timedelta(seconds=int(rng.integers(60, 1800)))


def _next_office(rng: np.random.Generator, t: datetime, max_minutes: int = 240) -> datetime:
    """A time soon after `t` in office hours: same day if possible, else next working day."""
    if is_working_day(t.date()) and 8 <= t.hour < 16:
        return t + timedelta(seconds=int(rng.integers(300, max_minutes * 60)))
    return _office_time(rng, add_working_days(t.date(), 1), 9, 13)


@cache
def _users(org_id: int) -> tuple[str, ...]:
    return tuple(str(uuid.uuid5(NAMESPACE, f"user:{org_id}:{k}")) for k in range(6))


@dataclass
class Change:
    time: datetime
    type: str
    state: str | None  # None: a comment, the state is unchanged
    working_state: str | None
    actor_org_id: int
    target_org_id: int | None
    message: str | None
    system_message_ru: str | None
    patch: dict[str, object]


@dataclass
class Appeal:
    record: dict[str, object]  # the fixed fields of the snapshot
    changes: list[Change]


def _data_text(
    rng: np.random.Generator, lang: str, cat: Category, person: Applicant, duplicate_of: str | None
) -> str:
    if lang == "kk":
        text = f"Сізден {cat.topic_kk} мәселесін шешуге көмектесуіңізді сұраймын. "
        text += _pick(rng, DETAILS_KK)
    elif lang == "en":
        text = f"Please help with a problem concerning {cat.name.lower()}."
    else:
        opening = _pick(
            rng,
            (
                "Прошу разобраться с проблемой в сфере {t}.",
                "Обращаюсь по вопросу {t}.",
                "Прошу принять меры по вопросу {t}.",
            ),
        )
        text = opening.format(t=cat.topic_ru) + " " + _pick(rng, DETAILS_RU)
    if duplicate_of is not None:
        text = ("Повторно: " if lang != "kk" else "Қайталап: ") + text
    if rng.random() < SHARE["iin_in_text"]:
        text += f" ИИН {person.iin}." if lang != "kk" else f" ЖСН {person.iin}."
    if rng.random() < SHARE["phone_in_text"]:
        text += f" Телефон: {person.phone}."
    return text


def _simulate_appeal(
    rng: np.random.Generator,
    serial: int,
    reg_serial: int,
    created: datetime,
    source: str,
    person: Applicant,
    original: Appeal | None,
) -> Appeal:
    """One appeal with its whole life cycle (changes may go beyond the exported period)."""
    start = created + timedelta(seconds=int(rng.integers(5, 300)))
    start_day = start.date()
    if original is not None:
        rec0 = original.record
        cat_idx = int(rec0["_cat"])
        sub_name = str(rec0["_sub"])
        org_id, exec_id = int(rec0["org_id"]), int(rec0["_exec"])
    else:
        cat_idx = int(rng.choice(len(CATEGORIES), p=CATEGORY_WEIGHTS))
        sub_name = _pick(rng, CATEGORIES[cat_idx].subs)
        cat = CATEGORIES[cat_idx]
        central = _central_org(cat.central)
        if cat.regional is None:
            exec_id = central
            org_id = central if rng.random() < 0.9 else region_org(person.region)
        else:
            exec_id = region_org(person.region, cat.regional)
            u = rng.random()
            org_id = region_org(person.region) if u < 0.55 else exec_id if u < 0.85 else central
            if org_id == central and rng.random() < 0.15:
                exec_id = central
    cat = CATEGORIES[cat_idx]
    type_id = (
        "COMPLAINT"
        if original is not None and rng.random() < 0.5
        else str(rng.choice(list(TYPE_WEIGHTS), p=list(TYPE_WEIGHTS.values())))
    )
    lang = person.language
    appeal_id = f"{start:%y%m%d}{serial:08d}"
    age = (
        start_day.year
        - person.birth.year
        - ((start_day.month, start_day.day) < (person.birth.month, person.birth.day))
    )
    dup_of = None if original is None else str(original.record["id"])
    record: dict[str, object] = {
        "id": appeal_id,
        "reg_number": f"ЖТ-{start.year}-{reg_serial:08d}",
        "start_date": _ts(start),
        "org_id": org_id,
        "appeal_source_id": source,
        "is_duplicate_of": dup_of,
        "type_id": type_id,
        "issue_category_id": category_id(cat.name),
        "subissue_category_id": category_id(sub_name, cat.name),
        "location_id": person.location_id,
        "appeal_form": FORM_OF_SOURCE[source],
        "appeal_character": "COLLECTIVE" if rng.random() < SHARE["collective"] else "INDIVIDUAL",
        "language_id": lang,
        "person_age": age,
        "created_date": _ts(created),
        "applicant_iin": person.iin,
        "applicant_name": person.name,
        "applicant_phone": person.phone,
        "applicant_email": person.email,
        "applicant_address": person.address,
        "data": _data_text(rng, lang, cat, person, dup_of),
        "_cat": cat_idx,
        "_sub": sub_name,
        "_exec": exec_id,
    }
    base = {
        "deadline": appeal_deadline(start_day).isoformat(),
        "finish_date": None,
        "executive_org_id": None,
        "prolong_count": 0,
        "prolong_days": 0,
        "complaint_exist": False,
        "has_lawsuit": False,
    }
    sm = SYSTEM_MESSAGES
    ch: list[Change] = [
        Change(start, "CHANGE_STATUS", "CREATED", "NEW", org_id, None, None, sm["CREATED"], dict(base))
    ]
    t = _next_office(rng, start)
    forward = exec_id != org_id
    ch.append(
        Change(
            t,
            "FORWARD" if forward else "CHANGE_STATUS",
            "ASSIGNED",
            "NEW",
            org_id,
            exec_id,
            None,
            sm["FORWARD" if forward else "ASSIGNED"],
            {"executive_org_id": exec_id},
        )
    )
    t = (
        _next_office(rng, t, 180)
        if rng.random() < 0.6
        else _office_time(rng, add_working_days(t.date(), int(rng.integers(1, 3))))
    )
    ch.append(
        Change(t, "CHANGE_STATUS", "IN_PROGRESS", "IN_WORK", exec_id, None, None, sm["IN_PROGRESS"], {})
    )
    if original is None and rng.random() < SHARE["withdrawn"]:
        t += timedelta(days=int(rng.integers(1, 8)), seconds=int(rng.integers(0, 36000)))
        ch.append(
            Change(
                t,
                "CHANGE_STATUS",
                "WITHDRAWN",
                "DONE",
                exec_id,
                None,
                "Прошу отозвать мое обращение.",
                sm["WITHDRAWN"],
                {},
            )
        )
        return Appeal(record, ch)

    prolong_days = 0
    min_k = 1
    if original is None and rng.random() < SHARE["prolonged"]:
        k = int(rng.integers(8, 15))
        n = int(rng.choice([10, 15, 20, 30], p=[0.3, 0.4, 0.15, 0.15]))
        t = _after(rng, t, _office_time(rng, add_working_days(start_day, k)))
        prolong_days = n
        ch.append(
            Change(
                t,
                "PROLONG",
                "PROLONGED",
                "ON_PROLONGATION",
                exec_id,
                None,
                "Требуется дополнительное изучение вопроса.",
                sm["PROLONGED"].format(n=n),
                {
                    "prolong_count": 1,
                    "prolong_days": prolong_days,
                    "deadline": appeal_deadline(start_day, prolong_days).isoformat(),
                },
            )
        )
        min_k = k + 1
        if rng.random() < SHARE["second_prolongation"]:
            k2 = 15 + prolong_days - int(rng.integers(1, 4))
            n2 = int(rng.choice([10, 15]))
            t = _after(rng, t, _office_time(rng, add_working_days(start_day, k2)))
            prolong_days += n2
            ch.append(
                Change(
                    t,
                    "PROLONG",
                    "PROLONGED",
                    "ON_PROLONGATION",
                    exec_id,
                    None,
                    None,
                    sm["PROLONGED"].format(n=n2),
                    {
                        "prolong_count": 2,
                        "prolong_days": prolong_days,
                        "deadline": appeal_deadline(start_day, prolong_days).isoformat(),
                    },
                )
            )
            min_k = k2 + 1
    allowed = DEFAULT_DEADLINE_WORKING_DAYS + prolong_days
    u = rng.random()
    if original is not None:
        k = int(rng.integers(1, 4))
    elif u < SHARE["stuck"]:
        k = allowed + int(rng.integers(25, 45))
    elif u < SHARE["stuck"] + SHARE["late_answer"]:
        k = allowed + int(rng.integers(1, 11))
    else:
        k = max(min_k, min(allowed, int(round(allowed * rng.beta(2.2, 1.6)))))
    k = max(k, min_k)

    if rng.random() < SHARE["comment"]:
        tc = _after(rng, t, t + timedelta(hours=float(rng.uniform(2, 24 * 5))))
        msg = (
            f"Заявитель просит перезвонить по номеру {person.phone}."
            if rng.random() < 0.5
            else "Запрошены дополнительные материалы у заявителя."
        )
        ch.append(Change(tc, "COMMENT", None, None, exec_id, None, msg, None, {}))
        t = tc
    t = _after(rng, t, _office_time(rng, add_working_days(start_day, k)))
    t = _answer(rng, ch, t, exec_id, lang, person, dup_of)
    t = _close(rng, ch, t, org_id)

    if original is None and rng.random() < SHARE["complaint"]:
        t += timedelta(days=int(rng.integers(1, 11)), seconds=int(rng.integers(0, 36000)))
        ch.append(
            Change(
                t,
                "COMMENT",
                None,
                None,
                org_id,
                None,
                "Заявитель обжаловал ответ вышестоящему органу.",
                None,
                {"complaint_exist": True},
            )
        )
        if rng.random() < SHARE["lawsuit"]:
            t += timedelta(days=int(rng.integers(1, 6)))
            ch.append(
                Change(
                    t,
                    "COMMENT",
                    None,
                    None,
                    org_id,
                    None,
                    "Заявитель обратился в суд.",
                    None,
                    {"has_lawsuit": True},
                )
            )
        if rng.random() < SHARE["reopen_after_complaint"]:
            t = _reopen(rng, ch, t, org_id, exec_id, lang, person)
    elif original is None and rng.random() < SHARE["controller_reopen"]:
        t = _reopen(rng, ch, t, org_id, exec_id, lang, person)
    return Appeal(record, ch)


def _answer(
    rng: np.random.Generator,
    ch: list[Change],
    t: datetime,
    exec_id: int,
    lang: str,
    person: Applicant,
    dup_of: str | None,
) -> datetime:
    if dup_of is not None:
        msg = f"Обращение является дубликатом обращения № {dup_of}, ответ дан ранее."
    else:
        msg = _pick(rng, ANSWERS_KK if lang == "kk" else ANSWERS_RU)
        if rng.random() < SHARE["phone_in_message"]:
            msg += f" Исполнитель связался с заявителем по номеру {person.phone}."
    ch.append(
        Change(
            t,
            "ANSWER",
            "ANSWERED",
            "RESPONSE_SENT",
            exec_id,
            None,
            msg,
            SYSTEM_MESSAGES["ANSWERED"],
            {"finish_date": _ts(t)},
        )
    )
    return t


def _close(rng: np.random.Generator, ch: list[Change], t: datetime, org_id: int) -> datetime:
    if rng.random() < SHARE["same_day_close"]:
        t = t + timedelta(seconds=int(rng.integers(60, 7200)))
    else:
        t = t + timedelta(days=int(rng.integers(1, 8)), seconds=int(rng.integers(0, 36000)))
    ch.append(Change(t, "CHANGE_STATUS", "CLOSED", "DONE", org_id, None, None, SYSTEM_MESSAGES["CLOSED"], {}))
    return t


def _reopen(
    rng: np.random.Generator,
    ch: list[Change],
    t: datetime,
    org_id: int,
    exec_id: int,
    lang: str,
    person: Applicant,
) -> datetime:
    t = _after(rng, t, _office_time(rng, add_working_days(t.date(), int(rng.integers(1, 4)))))
    ch.append(
        Change(
            t,
            "REOPEN",
            "REOPENED",
            "RETURNED",
            org_id,
            exec_id,
            "Ответ не по существу, направлено на повторное рассмотрение.",
            SYSTEM_MESSAGES["REOPENED"],
            {"finish_date": None},
        )
    )
    t = _after(rng, t, _office_time(rng, add_working_days(t.date(), int(rng.integers(2, 11)))))
    t = _answer(rng, ch, t, exec_id, lang, person, None)
    return _close(rng, ch, t, org_id)


def _check_contract() -> None:
    """The value sets used here must be those of the contract."""
    assert set(TYPE_WEIGHTS) == set(APPEAL_TYPES)
    assert set(SOURCE_WEIGHTS) == set(APPEAL_SOURCES)
    assert set(FORM_OF_SOURCE.values()) <= set(APPEAL_FORMS)
    assert set(SHARE) and set(APPEAL_CHARACTERS) == {"INDIVIDUAL", "COLLECTIVE"}
    assert {"kk", "ru", "en"} <= set(LANGUAGES)
    assert set(SYSTEM_MESSAGES) - {"FORWARD"} <= set(APPEAL_STATES)
    assert {"NEW", "IN_WORK", "ON_PROLONGATION", "RESPONSE_SENT", "DONE", "RETURNED"} <= set(WORKING_STATES)
    assert {"CHANGE_STATUS", "FORWARD", "PROLONG", "ANSWER", "REOPEN", "COMMENT"} <= set(EVENT_TYPES)


_check_contract()


def _filings_on(rng: np.random.Generator, d: date, per_working_day: float) -> int:
    factor = DOW_FACTOR[d.weekday()] if is_working_day(d) or d.weekday() >= 5 else 0.22
    return int(rng.poisson(per_working_day * factor))


def simulate_appeals(
    start: date = date(2024, 1, 1), days: int = 90, seed: int = 2024, per_working_day: float = 55.0
) -> list[Appeal]:
    """All appeals filed in [start, start + days), with their full life cycles."""
    appeals: list[Appeal] = []
    people: list[Applicant] = []
    sources = list(SOURCE_WEIGHTS)
    online = [s for s in sources if s in ELECTRONIC_SOURCES]
    serial = 1_250_000 + 1000 * (seed % 97)  # the back end's appeal_serial_number_seq
    reg_serial = {start.year: 40_000}
    for i in range(days):
        d = start + timedelta(days=i)
        rng = np.random.default_rng([seed, i, 1])
        working = is_working_day(d)
        n = _filings_on(rng, d, per_working_day)
        times = []
        for _ in range(n):
            if working:
                source = str(rng.choice(sources, p=list(SOURCE_WEIGHTS.values())))
            else:
                w = np.array([SOURCE_WEIGHTS[s] for s in online])
                source = str(rng.choice(online, p=w / w.sum()))
            if source in ELECTRONIC_SOURCES:
                sec = int(rng.choice(24, p=ONLINE_HOURS)) * 3600 + int(rng.integers(0, 3600))
            else:
                sec = int(rng.integers(9 * 3600, 18 * 3600))
            times.append((sec, source))
        times.sort()
        for sec, source in times:
            created = datetime(d.year, d.month, d.day) + timedelta(seconds=sec)
            original = None
            u = rng.random()
            if appeals and u < SHARE["duplicate"]:
                # a recent appeal (last ~30 days) filed again by the same person
                lo = max(0, len(appeals) - int(per_working_day * 25))
                cand = appeals[int(rng.integers(lo, len(appeals)))]
                if cand.record["is_duplicate_of"] is None:
                    original = cand
            if original is not None:
                pidx = int(original.record["_person"])
            elif people and u < SHARE["duplicate"] + SHARE["repeat_applicant"]:
                pidx = int(rng.integers(len(people)))
            else:
                people.append(_new_applicant(rng, d))
                pidx = len(people) - 1
            serial += 1
            reg_serial[d.year] = reg_serial.get(d.year, 0) + 1
            appeal = _simulate_appeal(
                rng, serial, reg_serial[d.year], created, source, people[pidx], original
            )
            appeal.record["_person"] = pidx
            appeals.append(appeal)
    return appeals


def _snapshot(
    record: dict[str, object], fields: dict[str, object], state: str, working: str, modified: datetime
) -> dict[str, object]:
    row = {c: record.get(c) for c in APPEAL_COLUMNS}
    row.update(fields)
    row["current_state"] = state
    row["current_working_state"] = working
    row["modified_date"] = _ts(modified)
    return row


def bundled_day_rows(
    start: date = date(2024, 1, 1), days: int = 90, seed: int = 2024, per_working_day: float = 55.0
) -> tuple[list[list[dict[str, object]]], list[list[dict[str, object]]]]:
    """(appeal snapshots, events) per file day, in file order."""
    appeals = simulate_appeals(start, days, seed, per_working_day)
    end = datetime(start.year, start.month, start.day) + timedelta(days=days)
    appeal_rows: list[list[dict[str, object]]] = [[] for _ in range(days)]
    event_rows: list[list[dict[str, object]]] = [[] for _ in range(days)]
    for a in appeals:
        rng = np.random.default_rng([seed, int(str(a.record["id"])[6:]), 3])
        changes = [c for c in sorted(a.changes, key=lambda c: c.time) if c.time < end]
        fields: dict[str, object] = {}
        state = working = ""
        for j, c in enumerate(changes):
            if c.state is not None:
                state, working = c.state, str(c.working_state)
            fields.update(c.patch)
            day = (c.time.date() - start).days
            users = _users(c.actor_org_id)
            event = {
                "id": str(uuid.UUID(bytes=rng.bytes(16), version=4)),
                "appeal_id": a.record["id"],
                "type": c.type,
                "state": state,
                "working_state": working,
                "actor_org_id": c.actor_org_id,
                "target_org_id": c.target_org_id,
                "actor_user_id": users[int(rng.integers(len(users)))],
                "date": _ts(c.time),
                "created_date": _ts(c.time + timedelta(seconds=int(rng.integers(0, 4)))),
                "message": c.message,
                "system_message_ru": c.system_message_ru,
            }
            arrival = day
            if rng.random() < SHARE["late_event"]:
                arrival += int(rng.integers(1, 11))
            if arrival < days:
                event_rows[arrival].append(event)
                if rng.random() < SHARE["resent_event"]:
                    again = arrival + int(rng.integers(1, 8))
                    if again < days:
                        event_rows[again].append(event)
            if j + 1 == len(changes) or changes[j + 1].time.date() != c.time.date():
                appeal_rows[day].append(_snapshot(a.record, fields, state, working, c.time))
    for i in range(days):
        appeal_rows[i].sort(key=lambda r: str(r["id"]))
        order = np.random.default_rng([seed, i, 2]).permutation(len(event_rows[i]))
        event_rows[i] = [event_rows[i][k] for k in order]
    return appeal_rows, event_rows


def _csv_value(v: object) -> object:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def _write_rows(path: Path, rows: list[dict[str, object]], columns: list[str]) -> Path:
    if path.suffix == ".csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        w.writerows([[_csv_value(r[c]) for c in columns] for r in rows])
        text = buf.getvalue()
    else:
        text = "".join(
            json.dumps({c: r[c] for c in columns}, ensure_ascii=False, separators=(",", ":")) + "\n"
            for r in rows
        )
    path.write_bytes(text.encode())
    return path


def appeals_file_format(day_index: int) -> str:
    """Most days JSON Lines; every fifth day (3, 8, 13, ...) CSV."""
    return "csv" if day_index % 5 == 3 else "jsonl"


def events_file_format(day_index: int) -> str:
    """Most days JSON Lines; every seventh day (5, 12, 19, ...) CSV."""
    return "csv" if day_index % 7 == 5 else "jsonl"


def write_bundled_appeals(
    out_dir: Path,
    start: date = date(2024, 1, 1),
    days: int = 90,
    seed: int = 2024,
    per_working_day: float = 55.0,
) -> list[Path]:
    """Write the demo export: per day an appeals file and an events file; returns the paths.

    `per_working_day` is the mean number of appeals filed on a Monday-Friday working day
    (weekends and holidays get ~20-25 % of it); the default keeps 90 days at ~20 MB.
    The files' SHA-256 are recorded in `out_dir/.demo_checksums.json` (ingest.privacy): the
    public demo key may hash these files and no others.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    appeal_rows, event_rows = bundled_day_rows(start, days, seed, per_working_day)
    paths = []
    for i in range(days):
        d = start + timedelta(days=i)
        paths.append(
            _write_rows(out_dir / f"appeals_{d}.{appeals_file_format(i)}", appeal_rows[i], APPEAL_COLUMNS)
        )
        paths.append(
            _write_rows(out_dir / f"appeal_events_{d}.{events_file_format(i)}", event_rows[i], EVENT_COLUMNS)
        )
    # Their checksums, beside them: only these files may be hashed with the public demo key.
    record_demo_files(paths)
    return paths


# --------------------------------------------------------------------------------------------
# Scale set: counter-based (hash) randomness, vectorised numpy plans, DuckDB rendering.
# Stages of an appeal's life cycle; -1 = does not happen.
# --------------------------------------------------------------------------------------------
SCALE_STAGES = (
    "CREATED",
    "ASSIGNED",
    "IN_PROGRESS",
    "PROLONGED",
    "ANSWERED",
    "CLOSED",
    "REOPENED",
    "ANSWERED",
    "CLOSED",
)
STAGE_TYPE = (
    "CHANGE_STATUS",
    "FORWARD",
    "CHANGE_STATUS",
    "PROLONG",
    "ANSWER",
    "CHANGE_STATUS",
    "REOPEN",
    "ANSWER",
    "CHANGE_STATUS",
)
STAGE_WORKING = (
    "NEW",
    "NEW",
    "IN_WORK",
    "ON_PROLONGATION",
    "RESPONSE_SENT",
    "DONE",
    "RETURNED",
    "RESPONSE_SENT",
    "DONE",
)
N_STAGES = len(SCALE_STAGES)
DAY_S = 86_400
STREAMS = 1024  # counter streams per key (demo.counters)


def _hash(key: np.ndarray, stream: int, seed: int) -> np.ndarray:
    return counters.counter_hash(key, stream, seed, streams=STREAMS)


def _uniform(key: np.ndarray, stream: int, seed: int) -> np.ndarray:
    return counters.uniform(key, stream, seed, streams=STREAMS)


_choice = counters.choice


class _ScaleContext:
    """Lookup arrays and the working-day calendar shared by the scale plans."""

    def __init__(self, start: date, days: int, per_day: np.ndarray, seed: int) -> None:
        self.start, self.days, self.seed = start, days, seed
        self.epoch0 = int((np.datetime64(start, "s") - np.datetime64(0, "s")).astype(np.int64))
        self.first_idx = np.concatenate([[0], np.cumsum(per_day)]).astype(np.int64)
        hol = [
            np.datetime64(d)
            for d in _kz_holidays()
            if start - timedelta(days=30) <= d <= start + timedelta(days=days + 400)
        ]
        self.cal = np.busdaycalendar(holidays=hol)
        # localities: a global cdf in which region r occupies [r, r + 1)
        self.loc_codes: list[str] = []
        self.loc_names: list[str] = []
        cdf, self.loc_region = [], []
        for r_i, r in enumerate(REGION_CODES):
            for (code, name), c in zip(KATO_LOCALITIES[r], np.cumsum(LOCALITY_WEIGHTS[r]), strict=True):
                self.loc_codes.append(code)
                self.loc_names.append(CITY_NAMES_RU.get(r, "") + (", " if r in CITY_NAMES_RU else "") + name)
                cdf.append(r_i + min(c, 1.0 - 1e-12))
                self.loc_region.append(r_i)
        self.loc_cdf = np.array(cdf)
        self.kk_share = np.array([REGION_FIGURES[r][1] for r in REGION_CODES])
        self.region_num = np.array([int(r) for r in REGION_CODES])
        self.sub_first = np.cumsum([0] + [len(c.subs) for c in CATEGORIES])
        self.sub_ids = [category_id(s, c.name) for c in CATEGORIES for s in c.subs]
        self.cat_ids = [category_id(c.name) for c in CATEGORIES]
        offsets = {"akimat": 0, "police": POLICE_OFFSET, "court": COURT_OFFSET}
        offsets |= {k: v[0] for k, v in REGIONAL_DEPARTMENTS.items()}
        self.cat_offset = np.array([-1 if c.regional is None else offsets[c.regional] for c in CATEGORIES])
        self.cat_central = np.array([_central_org(c.central) for c in CATEGORIES])

    def busday(self, day: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Day numbers (since 1970) of the n-th working day after `day`."""
        d = day.astype("datetime64[D]")
        return np.busday_offset(d, n, roll="backward", busdaycal=self.cal).astype(np.int64)

    def is_working(self, day: np.ndarray) -> np.ndarray:
        return np.is_busday(day.astype("datetime64[D]"), busdaycal=self.cal)


def _plan(ctx: _ScaleContext, idx: np.ndarray) -> dict[str, np.ndarray]:
    """Every attribute and the stage times (seconds, -1 = none) of appeals number `idx`."""
    s = ctx.seed
    n = len(idx)

    def u(stream: int, key: np.ndarray = idx) -> np.ndarray:
        return _uniform(key, stream, s)

    day = np.searchsorted(ctx.first_idx, idx, side="right") - 1
    day0 = ctx.epoch0 // DAY_S + day
    online = u(1) < 0.92
    sec = np.where(
        online,
        _choice(u(2), ONLINE_HOURS) * 3600 + (u(3) * 3600).astype(np.int64),
        9 * 3600 + (u(3) * 9 * 3600).astype(np.int64),
    )
    created = day0 * DAY_S + sec
    start = created + 5 + (u(4) * 295).astype(np.int64)
    sday = start // DAY_S
    # applicant: 22 % repeat someone's earlier appeal, 3 % duplicates of a recent appeal
    dup = (u(5) < 0.03) & (idx > 10)
    orig = np.maximum(0, idx - 1 - (u(6) * 2000).astype(np.int64))
    base_person = np.where(u(7) < 0.22, (u(8) * idx).astype(np.int64), idx)
    o_person = np.where(u(7, orig) < 0.22, (u(8, orig) * orig).astype(np.int64), orig)
    person = np.where(dup, o_person, base_person)
    region = _choice(u(20, person), REGION_WEIGHTS)
    loc = np.minimum(
        np.searchsorted(ctx.loc_cdf, region + u(21, person), side="right"), len(ctx.loc_codes) - 1
    )
    lang_u = u(22, person)
    lang = np.where(lang_u < 0.005, 2, np.where(lang_u < 0.005 + ctx.kk_share[region], 0, 1))
    cat = _choice(u(9), CATEGORY_WEIGHTS)
    sub = ctx.sub_first[cat] + (u(10) * (ctx.sub_first[cat + 1] - ctx.sub_first[cat])).astype(np.int64)
    central = ctx.cat_central[cat]
    akimat = ctx.region_num[region] * 100
    regional = ctx.cat_offset[cat] >= 0
    exec_org = np.where(regional, akimat + ctx.cat_offset[cat], central)
    ro = u(11)
    org = np.where(
        regional,
        np.where(ro < 0.55, akimat, np.where(ro < 0.85, exec_org, central)),
        np.where(ro < 0.9, central, akimat),
    )

    t = np.full((n, N_STAGES), -1, dtype=np.int64)
    t[:, 0] = start
    hour = (start % DAY_S) // 3600
    same = ctx.is_working(sday) & (hour >= 8) & (hour < 16)
    office = (9 * 3600 + u(12) * 4 * 3600).astype(np.int64)
    t[:, 1] = np.where(
        same,
        start + 300 + (u(13) * 14_100).astype(np.int64),
        ctx.busday(sday, np.ones(n, np.int64)) * DAY_S + office,
    )
    quick = u(14) < 0.6
    t[:, 2] = np.where(
        quick,
        t[:, 1] + 300 + (u(15) * 10_500).astype(np.int64),
        ctx.busday(t[:, 1] // DAY_S, 1 + (u(16) < 0.5)) * DAY_S
        + (9 * 3600 + u(17) * 9 * 3600).astype(np.int64),
    )
    prolonged = (u(18) < 0.07) & ~dup
    pk = 8 + (u(19) * 7).astype(np.int64)
    pdays = np.where(prolonged, np.array([10, 15, 20, 30])[_choice(u(23), [0.3, 0.4, 0.15, 0.15])], 0)
    t_pro = ctx.busday(sday, pk) * DAY_S + (9 * 3600 + u(24) * 9 * 3600).astype(np.int64)
    t[:, 3] = np.where(prolonged, np.maximum(t_pro, t[:, 2] + 600), -1)
    allowed = DEFAULT_DEADLINE_WORKING_DAYS + pdays
    lu = u(25)
    k = np.where(
        lu < 0.07,
        allowed + 1 + (u(26) * 10).astype(np.int64),
        np.clip(np.ceil(allowed * np.sqrt(u(27))), 1, allowed).astype(np.int64),
    )
    k = np.where(prolonged, np.maximum(k, pk + 1), k)
    k = np.where(dup, 1 + (u(26) * 3).astype(np.int64), k)
    t_ans = ctx.busday(sday, k) * DAY_S + (9 * 3600 + u(28) * 9 * 3600).astype(np.int64)
    t[:, 4] = np.maximum(t_ans, np.maximum(t[:, 2], t[:, 3]) + 600)
    close_same = u(29) < 0.55
    t[:, 5] = t[:, 4] + np.where(
        close_same,
        60 + (u(30) * 7140).astype(np.int64),
        (1 + (u(31) * 7).astype(np.int64)) * DAY_S + (u(32) * 36_000).astype(np.int64),
    )
    reopen = (u(33) < 0.02) & ~dup
    t_re = ctx.busday(t[:, 5] // DAY_S, 1 + (u(34) * 3).astype(np.int64)) * DAY_S + (
        9 * 3600 + u(35) * 9 * 3600
    ).astype(np.int64)
    t[:, 6] = np.where(reopen, np.maximum(t_re, t[:, 5] + 600), -1)
    t_a2 = ctx.busday(t[:, 6] // DAY_S, 2 + (u(36) * 9).astype(np.int64)) * DAY_S + (
        9 * 3600 + u(37) * 9 * 3600
    ).astype(np.int64)
    t[:, 7] = np.where(reopen, t_a2, -1)
    t[:, 8] = np.where(reopen, t_a2 + 60 + (u(38) * 7140).astype(np.int64), -1)
    return {
        "idx": idx,
        "day": day,
        "created": created,
        "t": t,
        "org": org,
        "exec": exec_org,
        "cat": cat,
        "sub": sub,
        "loc": loc,
        "lang": lang,
        "person": person,
        "dup": dup,
        "orig": orig,
        "pdays": pdays,
        "sday": sday,
        "first_day": day0,
        "type": _choice(u(39), list(TYPE_WEIGHTS.values())),
        "source": np.where(
            online, _choice(u(40), [0.33, 0.25, 0.24, 0.03]), 4 + _choice(u(40), [0.07, 0.05, 0.03])
        ),
        "collective": u(41) < 0.06,
    }


SCALE_SOURCES = ("EGOV", "PA", "MOBILE", "EMAIL", "PAPER", "VISIT", "CALL_CENTER")
_W1 = np.arange(1, 12, dtype=np.int64)
_W2 = np.array([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], dtype=np.int64)


def _iins(birth_day: np.ndarray, female: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """Valid IINs as int64 (vectorised; a serial whose control digit is undefined is bumped)."""
    d = birth_day.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    century = np.where(y < 2000, 3, 5) + female.astype(np.int64)
    serial = serial.copy()
    while True:
        head = (((y % 100) * 100 + m) * 100 + dd) * 100_000 + century * 10_000 + serial
        digits = (head[:, None] // 10 ** np.arange(10, -1, -1)) % 10
        k = (digits @ _W1) % 11
        k = np.where(k == 10, (digits @ _W2) % 11, k)
        bad = k == 10
        if not bad.any():
            return head * 10 + k
        serial = np.where(bad, (serial + 1) % 10_000, serial)


def _sql_list(items: Sequence[object]) -> str:
    return "[" + ", ".join("'" + str(i).replace("'", "''") + "'" for i in items) + "]"


def _person_columns(ctx: _ScaleContext, person: np.ndarray) -> dict[str, np.ndarray]:
    s = ctx.seed

    def u(stream: int) -> np.ndarray:
        return _uniform(person, stream, s)

    female = u(50) < 0.55
    age_days = ((18 + (u(51) + u(52)) / 2 * 66) * 365.25).astype(np.int64)
    birth = ctx.epoch0 // DAY_S - age_days
    kazakh = u(54) < 0.7
    n_first = np.where(
        kazakh,
        np.where(female, len(FEMALE_FIRST_KK), len(MALE_FIRST_KK)),
        np.where(female, len(FEMALE_FIRST_RU), len(MALE_FIRST_RU)),
    )
    n_last = np.where(kazakh, len(SURNAMES_KK), len(SURNAMES_RU))
    return {
        "iin": _iins(birth, female, (u(53) * 10_000).astype(np.int64)),
        "birth": birth,
        "female": female,
        "kazakh": kazakh,
        "first": (u(55) * n_first).astype(np.int64),
        "last": (u(56) * n_last).astype(np.int64),
        "ph_pre": (u(57) * len(MOBILE_PREFIXES)).astype(np.int64),
        "ph_num": (u(58) * 10_000_000).astype(np.int64),
        "has_email": u(59) < 0.6,
        "email_dom": (u(60) * len(EMAIL_DOMAINS)).astype(np.int64),
        "street": (u(61) * len(STREETS)).astype(np.int64),
        "house": 1 + (u(62) * 199).astype(np.int64),
        "flat": np.where(u(63) < 0.6, 1 + (u(64) * 149).astype(np.int64), -1),
    }


def _female_surnames(names: Sequence[str]) -> list[str]:
    return [n + "а" if n[-2:] in ("ов", "ев", "ин") else n for n in names]


def _sql_macros(ctx: _ScaleContext) -> str:
    L = _sql_list  # noqa: N806
    return f"""
    CREATE OR REPLACE MACRO ts(x) AS CASE WHEN x < 0 THEN NULL
        ELSE strftime(make_timestamp(x::BIGINT * 1000000), '%Y-%m-%dT%H:%M:%S') END;
    CREATE OR REPLACE MACRO appeal_id(day, serial) AS
        strftime(DATE '1970-01-01' + day::INTEGER, '%y%m%d') || lpad(serial::VARCHAR, 8, '0');
    CREATE OR REPLACE MACRO phone(pre, num) AS '+7 ' || {L(MOBILE_PREFIXES)}[pre + 1] || ' '
        || lpad((num // 10000)::VARCHAR, 3, '0') || ' ' || lpad((num // 100 % 100)::VARCHAR, 2, '0')
        || ' ' || lpad((num % 100)::VARCHAR, 2, '0');
    CREATE OR REPLACE MACRO uuidish(h1, h2) AS
        substr(printf('%016x', h1), 1, 8) || '-' || substr(printf('%016x', h1), 9, 4) || '-4'
        || substr(printf('%016x', h1), 14, 3) || '-' || substr(printf('%016x', h2), 1, 4) || '-'
        || substr(printf('%016x', h2), 5, 12);
    CREATE OR REPLACE MACRO person_name(kazakh, female, first, last) AS CASE
        WHEN kazakh AND female THEN {L(_female_surnames(SURNAMES_KK))}[last + 1] || ' '
             || {L(FEMALE_FIRST_KK)}[first + 1]
        WHEN kazakh THEN {L(SURNAMES_KK)}[last + 1] || ' ' || {L(MALE_FIRST_KK)}[first + 1]
        WHEN female THEN {L(_female_surnames(SURNAMES_RU))}[last + 1] || ' '
             || {L(FEMALE_FIRST_RU)}[first + 1]
        ELSE {L(SURNAMES_RU)}[last + 1] || ' ' || {L(MALE_FIRST_RU)}[first + 1] END;
    """


def _appeals_sql(ctx: _ScaleContext) -> str:
    L = _sql_list  # noqa: N806
    topics_ru = L([c.topic_ru for c in CATEGORIES])
    topics_kk = L([c.topic_kk for c in CATEGORIES])
    return f"""
    SELECT appeal_id(first_day, serial) AS id,
           'ЖТ-' || year(DATE '1970-01-01' + first_day::INTEGER) || '-'
               || lpad(serial::VARCHAR, 8, '0') AS reg_number,
           {L(SCALE_STAGES)}[stage + 1] AS current_state,
           {L(STAGE_WORKING)}[stage + 1] AS current_working_state,
           ts(start_s) AS start_date,
           (DATE '1970-01-01' + deadline::INTEGER)::VARCHAR AS deadline,
           ts(finish_s) AS finish_date,
           org::INTEGER AS org_id,
           CASE WHEN exec_org < 0 THEN NULL ELSE exec_org::INTEGER END AS executive_org_id,
           {L(SCALE_SOURCES)}[source + 1] AS appeal_source_id,
           prolong_count::INTEGER AS prolong_count, prolong_days::INTEGER AS prolong_days,
           complaint AS complaint_exist,
           CASE WHEN dup THEN appeal_id(orig_day, orig_serial) END AS is_duplicate_of,
           false AS has_lawsuit,
           {L(list(TYPE_WEIGHTS))}[type + 1] AS type_id,
           {L(ctx.cat_ids)}[cat + 1] AS issue_category_id,
           {L(ctx.sub_ids)}[sub + 1] AS subissue_category_id,
           {L(ctx.loc_codes)}[loc + 1] AS location_id,
           CASE WHEN source < 4 THEN 'ELECTRONIC' WHEN source = 4 THEN 'PAPER_ON_PURPOSE'
                ELSE 'ORAL' END AS appeal_form,
           CASE WHEN collective THEN 'COLLECTIVE' ELSE 'INDIVIDUAL' END AS appeal_character,
           ['kk', 'ru', 'en'][lang + 1] AS language_id,
           age::INTEGER AS person_age,
           ts(created_s) AS created_date,
           ts(modified_s) AS modified_date,
           lpad(iin::VARCHAR, 12, '0') AS applicant_iin,
           person_name(kazakh, female, first, last) AS applicant_name,
           phone(ph_pre, ph_num) AS applicant_phone,
           CASE WHEN has_email THEN 'user' || person::VARCHAR || '@'
                || {L(EMAIL_DOMAINS)}[email_dom + 1] END AS applicant_email,
           {L(ctx.loc_names)}[loc + 1] || ', ул. ' || {L(STREETS)}[street + 1] || ', д. '
               || house::VARCHAR || CASE WHEN flat > 0 THEN ', кв. ' || flat::VARCHAR ELSE '' END
               AS applicant_address,
           CASE WHEN lang = 0 THEN 'Сізден ' || {topics_kk}[cat + 1]
                    || ' мәселесін шешуге көмектесуіңізді сұраймын.'
                ELSE 'Прошу принять меры по вопросу ' || {topics_ru}[cat + 1] || '.' END
               || CASE WHEN text_iin THEN ' ИИН ' || lpad(iin::VARCHAR, 12, '0') || '.' ELSE '' END
               || CASE WHEN text_phone THEN ' Телефон: ' || phone(ph_pre, ph_num) || '.'
                  ELSE '' END AS data
    FROM snap
    """


def _events_sql() -> str:
    L = _sql_list  # noqa: N806
    sysmsg = [SYSTEM_MESSAGES[s] for s in SCALE_STAGES]
    sysmsg[1] = SYSTEM_MESSAGES["FORWARD"]
    return f"""
    SELECT uuidish(h1, h2) AS id,
           appeal_id(first_day, serial) AS appeal_id,
           CASE WHEN stage = 1 AND org = exec_org THEN 'CHANGE_STATUS'
                ELSE {L(STAGE_TYPE)}[stage + 1] END AS type,
           {L(SCALE_STAGES)}[stage + 1] AS state,
           {L(STAGE_WORKING)}[stage + 1] AS working_state,
           CASE WHEN stage IN (0, 1, 5, 6, 8) THEN org ELSE exec_org END::INTEGER AS actor_org_id,
           CASE WHEN stage IN (1, 6) THEN exec_org::INTEGER END AS target_org_id,
           uuidish(u1, u2) AS actor_user_id,
           ts(t) AS date,
           ts(t + created_lag) AS created_date,
           CASE WHEN stage IN (4, 7) THEN
                    CASE WHEN lang = 0 THEN {L(ANSWERS_KK)}[1 + (h2 % 2)::INTEGER]
                         ELSE {L(ANSWERS_RU)}[1 + (h2 % 4)::INTEGER] END
                    || CASE WHEN msg_phone THEN ' Исполнитель связался с заявителем по номеру '
                            || phone(ph_pre, ph_num) || '.' ELSE '' END
                WHEN stage = 3 THEN 'Требуется дополнительное изучение вопроса.'
                WHEN stage = 6 THEN 'Ответ не по существу, направлено на повторное рассмотрение.'
           END AS message,
           replace({L(sysmsg)}[stage + 1], '{{n}}', prolong_days::VARCHAR) AS system_message_ru
    FROM ev
    """


def _estimate_events_per_appeal(start: date, days: int, weights: np.ndarray, seed: int) -> float:
    """Mean events per appeal falling inside the period (the tail is cut at the end)."""
    sample = 20_000
    per_day = np.maximum(1, np.round(weights / weights.sum() * sample)).astype(np.int64)
    ctx = _ScaleContext(start, days, per_day, seed)
    t = _plan(ctx, np.arange(int(per_day.sum()), dtype=np.int64))["t"]
    end_s = ctx.epoch0 + days * DAY_S
    return float(((t >= 0) & (t < end_s)).sum() / per_day.sum())


def _buckets(
    days_arr: np.ndarray, values: np.ndarray, pending: dict[int, list[np.ndarray]], limit: int
) -> None:
    order = np.argsort(days_arr, kind="stable")
    days_sorted, vals = days_arr[order], values[order]
    cut = np.flatnonzero(np.diff(days_sorted)) + 1
    for part_days, part in zip(np.split(days_sorted, cut), np.split(vals, cut), strict=True):
        if len(part) and part_days[0] < limit:
            pending.setdefault(int(part_days[0]), []).append(part)


def write_scale_appeals(
    out_dir: Path,
    events: int = 10_000_000,
    seed: int = 7,
    progress: bool = True,
    start: date = date(2024, 1, 1),
    days: int | None = None,
) -> list[Path]:
    """Write about `events` history events (+ the appeal snapshots) as daily JSON Lines files.

    The period is `days` long (default: ~30k events a day, 14..365 days). Each appeal's attributes
    and stage times are a hash of its number, so a day's rows are computed from the numbers of
    the appeals active that day; memory is bounded by the pending (appeal, stage) codes.
    """
    import duckdb
    import pyarrow as pa
    from tqdm import tqdm

    if events < 0:
        raise ValueError("events must be >= 0")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if days is None:
        days = int(np.clip(-(-events // 30_000), 14, 365))
    dates = [start + timedelta(days=i) for i in range(days)]
    weights = np.array(
        [DOW_FACTOR[d.weekday()] if is_working_day(d) or d.weekday() >= 5 else 0.22 for d in dates]
    )
    per_appeal = _estimate_events_per_appeal(start, days, weights, seed)
    appeals_total = events / per_appeal
    per_day = np.floor(weights / weights.sum() * appeals_total + 0.5).astype(np.int64)
    ctx = _ScaleContext(start, days, per_day, seed)
    end_s = ctx.epoch0 + days * DAY_S
    serial0 = 1_000_000
    con = duckdb.connect()
    con.execute(_sql_macros(ctx))
    appeals_sql, events_sql = _appeals_sql(ctx), _events_sql()
    pending_ev: dict[int, list[np.ndarray]] = {}
    pending_ap: dict[int, list[np.ndarray]] = {}
    paths: list[Path] = []
    bar = tqdm(total=days, unit="day", disable=not progress, desc="eotinish scale")
    try:
        for d in range(days):
            idx = np.arange(ctx.first_idx[d], ctx.first_idx[d + 1], dtype=np.int64)
            if len(idx):
                t = _plan(ctx, idx)["t"]
                rows, stages = np.nonzero((t >= 0) & (t < end_s))
                codes = idx[rows] * 16 + stages
                ev_day = t[rows, stages] // DAY_S - ctx.epoch0 // DAY_S
                late = _uniform(codes, 70, seed) < SHARE["late_event"]
                arrival = ev_day + np.where(late, 1 + (_uniform(codes, 71, seed) * 10).astype(np.int64), 0)
                _buckets(arrival, codes, pending_ev, days)
                resent = _uniform(codes, 72, seed) < SHARE["resent_event"]
                again = arrival + 1 + (_uniform(codes, 73, seed) * 7).astype(np.int64)
                _buckets(again[resent], codes[resent], pending_ev, days)
                key = np.unique(ev_day * (1 << 40) + idx[rows])
                _buckets(key >> 40, key & ((1 << 40) - 1), pending_ap, days)
            day_s = ctx.epoch0 + d * DAY_S
            # appeals snapshot: state as of the end of the day
            snap_idx = np.unique(np.concatenate(pending_ap.pop(d, [np.zeros(0, np.int64)])))
            p = _plan(ctx, snap_idx)
            t = p["t"]
            done = (t >= 0) & (t < day_s + DAY_S)
            stage = N_STAGES - 1 - np.argmax(done[:, ::-1], axis=1)
            pers = _person_columns(ctx, p["person"])
            finish = np.where(
                done[:, 7], t[:, 7], np.where(done[:, 6], -1, np.where(done[:, 4], t[:, 4], -1))
            )
            prolong_days = np.where(done[:, 3], p["pdays"], 0)
            su = _uniform(snap_idx, 80, seed)
            snap = pa.table(
                {
                    "ord": np.arange(len(snap_idx)),
                    "first_day": p["first_day"],
                    "serial": serial0 + snap_idx,
                    "stage": stage,
                    "start_s": t[:, 0],
                    "deadline": ctx.busday(p["sday"], DEFAULT_DEADLINE_WORKING_DAYS + prolong_days),
                    "finish_s": finish,
                    "org": p["org"],
                    "exec_org": np.where(done[:, 1], p["exec"], -1),
                    "source": p["source"],
                    "prolong_count": done[:, 3].astype(np.int64),
                    "prolong_days": prolong_days,
                    "complaint": done[:, 6],
                    "dup": p["dup"],
                    "orig_day": np.searchsorted(ctx.first_idx, p["orig"], side="right")
                    - 1
                    + ctx.epoch0 // DAY_S,
                    "orig_serial": serial0 + p["orig"],
                    "type": p["type"],
                    "cat": p["cat"],
                    "sub": p["sub"],
                    "loc": p["loc"],
                    "collective": p["collective"],
                    "lang": p["lang"],
                    "age": (p["first_day"] - pers["birth"]) * 100 // 36525,
                    "created_s": p["created"],
                    "modified_s": np.max(np.where(done, t, -1), axis=1),
                    "person": p["person"],
                    "text_iin": su < SHARE["iin_in_text"],
                    "text_phone": _uniform(snap_idx, 81, seed) < SHARE["phone_in_text"],
                    **{k: v for k, v in pers.items() if k != "birth"},
                }
            )
            path = out_dir / f"appeals_{dates[d]}.jsonl"
            con.register("snap", snap)
            con.execute(f"COPY ({appeals_sql}) TO '{path}' (FORMAT json)")
            con.unregister("snap")
            paths.append(path)
            # events received this day, shuffled
            codes = np.concatenate(pending_ev.pop(d, [np.zeros(0, np.int64)]))
            codes = codes[np.random.default_rng([seed, d]).permutation(len(codes))]
            e_idx, e_stage = codes // 16, codes % 16
            p = _plan(ctx, e_idx)
            et = p["t"][np.arange(len(codes)), e_stage]
            pers = _person_columns(ctx, p["person"])
            actor = np.where(np.isin(e_stage, (0, 1, 5, 6, 8)), p["org"], p["exec"])
            user = actor * 8 + (_uniform(codes, 82, seed) * 6).astype(np.int64)
            ev = pa.table(
                {
                    "ord": np.arange(len(codes)),
                    "first_day": p["first_day"],
                    "serial": serial0 + e_idx,
                    "stage": e_stage,
                    "org": p["org"],
                    "exec_org": p["exec"],
                    "t": et,
                    "created_lag": (_uniform(codes, 83, seed) * 4).astype(np.int64),
                    "h1": _hash(codes, 84, seed),
                    "h2": _hash(codes, 85, seed),
                    "u1": _hash(user, 86, 0),
                    "u2": _hash(user, 87, 0),
                    "lang": p["lang"],
                    "msg_phone": _uniform(codes, 88, seed) < SHARE["phone_in_message"],
                    "ph_pre": pers["ph_pre"],
                    "ph_num": pers["ph_num"],
                    "prolong_days": p["pdays"],
                }
            )
            path = out_dir / f"appeal_events_{dates[d]}.jsonl"
            con.register("ev", ev)
            con.execute(f"COPY ({events_sql}) TO '{path}' (FORMAT json)")
            con.unregister("ev")
            paths.append(path)
            bar.update(1)
    finally:
        bar.close()
        con.close()
    return paths


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo.appeals",
        description="Generate deterministic synthetic eOtinish appeals export files.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bundled", help="demo set: 90 days of appeals + events (~20 MB)")
    b.add_argument("out_dir", type=Path)
    b.add_argument("--days", type=int, default=90)
    b.add_argument("--start", type=date.fromisoformat, default=date(2024, 1, 1))
    b.add_argument("--seed", type=int, default=2024)
    b.add_argument(
        "--per-day", type=float, default=55.0, help="mean appeals filed per working day (default 55)"
    )
    s = sub.add_parser("scale", help="daily JSON Lines files with about N events, for benchmarks")
    s.add_argument("out_dir", type=Path)
    s.add_argument("--events", type=int, default=10_000_000)
    s.add_argument("--days", type=int, default=None)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--no-progress", action="store_true")
    sd = sub.add_parser("seeds", help="the dbt seeds eotinish_organisations / eotinish_categories")
    sd.add_argument("seed_dir", type=Path, nargs="?", default=SEED_DIR)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    if args.command == "bundled":
        paths = write_bundled_appeals(
            args.out_dir, start=args.start, days=args.days, seed=args.seed, per_working_day=args.per_day
        )
    elif args.command == "scale":
        paths = write_scale_appeals(
            args.out_dir, events=args.events, seed=args.seed, progress=not args.no_progress, days=args.days
        )
    else:
        paths = write_reference_seeds(args.seed_dir)
    dt = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files, {size / 1e6:.1f} MB, in {dt:.1f}s")
    if args.command == "scale":
        n = sum(_count_lines(p) for p in paths if p.name.startswith("appeal_events_"))
        print(f"{n:,} events ({n / max(dt, 1e-9):,.0f} events/s)")
    return 0


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


if __name__ == "__main__":
    sys.exit(main())
