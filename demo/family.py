"""Deterministic synthetic Digital Family Map extracts (ingest/family_schema.py).

* `write_bundled_family` -- the demo set: 1/1000 of the country as published for January 2023
  (6.3 million families, 19.5 million people: ../shared/reference/kz_digital_family_map_reference.csv),
  i.e. about 6,300 families and 19,500 people, over two months (2023-01 .. 2023-02). Per month one
  CSV extract per source database, and a daily proactive-service events file. Families change from
  month to month: births, deaths (a head's death makes the spouse or eldest member head), marriages
  (a grown child leaves to found a family with a new spouse) and moves to another region. Each family
  has a latent hardship that drives its members' income, employment, arrears, housing, clinic and
  school registrations, so the deprivation levels computed in dbt spread over A..E. Proactive offers
  follow births, deaths in families with children and families newly qualifying for status benefits;
  some qualifying families are not offered, some offers are declined or unanswered.

National scale (1 million families and more, for the bench) is demo/family_national.py: the same
calibration drawn with numpy, a chunk of families at a time.

Personal data (IINs, names; the family id is derived from the head's IIN) is in clear, as in the real
extracts: the load hashes it. The files' SHA-256 are recorded in `.demo_checksums.json` beside them
(ingest.privacy.record_demo_files) so that the public demo key may hash these files and no others.

CLI::

    python -m demo.family bundled OUT_DIR [--seed 2023]
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from demo.appeals import REGION_CODES, REGION_WEIGHTS, make_iin
from demo.refdata import regions
from ingest import family_schema as schema
from ingest.privacy import record_demo_files

# January 2023 (the month of the published coverage) and February, for the month-over-month
# level transitions: two months keep the bundled build (and CI) short.
FIRST_MONTH = date(2023, 1, 1)
MONTHS = 2
FAMILIES = 6_300  # 1/1000 of the 6.3 million families of January 2023
# Household sizes (members) and their shares: a mean of about 3.1 people per family, as 19.5 million
# people in 6.3 million families.
SIZES = np.arange(1, 9)
SIZE_SHARES = np.array([0.24, 0.20, 0.17, 0.16, 0.12, 0.06, 0.03, 0.02])
# Per month and 1,000 people: births (crude birth rate ~22 a year), deaths (~7 a year), marriages
# (~7.5 a year), and the share of families moving to another region.
BIRTHS_PER_1000 = 22 / 12
DEATHS_PER_1000 = 7 / 12
MARRIAGES_PER_1000 = 7.5 / 12
MOVES_PER_FAMILY = 0.001
SUBSISTENCE_MINIMUM_KZT = 40_567  # 2023, KZT a month per person
REGION_KATO = dict(zip(regions()["kato_2digit"], regions()["kato_code"], strict=True))
STATUS_BENEFITS = ("LARGE_FAMILY", "CHILD_DISABILITY", "TARGETED_SOCIAL_ASSISTANCE")
OTHER_BENEFITS = ("CHILDCARE_UNDER_1", "DISABILITY", "CARER_OF_DISABLED", "MATERNITY")
ANSWER_DAYS = 5  # the citizen answers the SMS offer within five days


@dataclass
class Person:
    iin: str
    sex: str
    birth: date
    relation: str
    marital: str
    last_name: str
    first_name: str
    death: date | None = None
    employment: str = "INACTIVE"
    income: float = 0.0
    pension: float = 0.0
    real_estate: int = 0
    vehicles: int = 0
    property_value: float = 0.0
    loans: int = 0
    debt: float = 0.0
    overdue: bool = False
    disability: str | None = None
    disability_since: date | None = None
    clinic: bool = True
    chronic: bool = False
    education: str = "NONE"


@dataclass
class Family:
    family_id: str
    region: str
    hardship: float
    members: list[Person]
    dwelling: str = "OWN"
    area: float = 50.0
    water: bool = True
    sewerage: bool = True
    heating: bool = True
    receiving: set[str] = field(default_factory=set)


LAST = (
    "Ахметов",
    "Жумабаев",
    "Касымов",
    "Нурланов",
    "Омаров",
    "Садыков",
    "Иванов",
    "Ким",
    "Петров",
    "Сулейменов",
    "Абенов",
    "Искаков",
)
FIRST_M = ("Айдос", "Нурлан", "Ерлан", "Асхат", "Данияр", "Сергей", "Андрей", "Руслан")
FIRST_F = ("Айгерим", "Асель", "Динара", "Мадина", "Елена", "Ольга", "Сауле", "Дана")


class Simulation:
    def __init__(self, families: int, seed: int, first_month: date = FIRST_MONTH):
        self.rng = np.random.default_rng(seed)
        self.serial = 0
        self.iins: set[str] = set()
        self.month = first_month
        self.families: list[Family] = [self._new_family() for _ in range(families)]
        self.events: list[dict] = []
        self.offers = 0
        self.deaths_of_month: dict[str, date] = {}
        # Most families that qualify for a status benefit at the start already receive it.
        for family in self.families:
            for benefit in STATUS_BENEFITS:
                if self.qualifies(family, benefit) and self.rng.random() < 0.85:
                    family.receiving.add(benefit)

    # --- people ------------------------------------------------------------------------------
    def _iin(self, birth: date, female: bool) -> str:
        while True:
            self.serial += 1
            iin = make_iin(birth, female, self.serial)
            if iin not in self.iins:
                self.iins.add(iin)
                return iin

    def _birth(self, age_low: float, age_high: float) -> date:
        age = self.rng.uniform(age_low, age_high)
        return self.month - timedelta(days=int(age * 365.25))

    def _person(
        self, relation: str, sex: str, birth: date, marital: str, hardship: float, last_name: str
    ) -> Person:
        rng = self.rng
        female = sex == "F"
        names = FIRST_F if female else FIRST_M
        p = Person(
            self._iin(birth, female),
            sex,
            birth,
            relation,
            marital,
            last_name + ("а" if female and last_name.endswith(("ов", "ев")) else ""),
            names[int(rng.integers(len(names)))],
        )
        self._attributes(p, hardship)
        return p

    def _attributes(self, p: Person, h: float) -> None:
        rng, age = self.rng, self._age(p)
        if age >= 63 or (p.sex == "F" and age >= 61):
            p.employment = "RETIRED"
            p.pension = round(float(rng.lognormal(np.log(95_000), 0.25)), 2)
        elif 18 <= age < 63:
            roll = rng.random()
            unemployed = 0.04 + 0.45 * h
            if roll < unemployed:
                p.employment = "UNEMPLOYED"
            elif roll < unemployed + 0.08:
                p.employment = "INACTIVE"
            elif roll < unemployed + 0.18:
                p.employment = "SELF_EMPLOYED"
            else:
                p.employment = "EMPLOYED" if age >= 22 or rng.random() < 0.5 else "STUDENT"
            if p.employment in ("EMPLOYED", "SELF_EMPLOYED"):
                p.income = round(float(rng.lognormal(np.log(260_000 * (1 - 0.75 * h)), 0.45)), 2)
        elif 16 <= age < 18:
            p.employment = "STUDENT"
        if age >= 21:
            p.real_estate = int(rng.random() < 0.55 * (1 - h))
            p.vehicles = int(rng.random() < 0.4 * (1 - h)) + int(rng.random() < 0.05 * (1 - h))
            p.property_value = round(
                p.real_estate * float(rng.lognormal(np.log(18e6), 0.5))
                + p.vehicles * float(rng.lognormal(np.log(4e6), 0.5)),
                2,
            )
            if rng.random() < 0.45:
                p.loans = 1 + int(rng.random() < 0.3)
                p.debt = round(float(rng.lognormal(np.log(900_000), 0.9)) * p.loans, 2)
                p.overdue = bool(rng.random() < 0.03 + 0.35 * h)
        if rng.random() < 0.01 + 0.002 * age / 10 + 0.04 * h:
            p.disability = (
                "CHILD"
                if age < 18
                else str(rng.choice(["GROUP_1", "GROUP_2", "GROUP_3"], p=[0.15, 0.45, 0.4]))
            )
            p.disability_since = max(p.birth, self.month - timedelta(days=int(rng.integers(30, 4000))))
        p.clinic = bool(rng.random() > 0.01 + 0.12 * h)
        p.chronic = bool(rng.random() < 0.02 + 0.004 * age)
        if age >= 18:
            p.education = str(
                rng.choice(
                    ["BASIC_SECONDARY", "SECONDARY", "VOCATIONAL", "HIGHER"],
                    p=[0.05 + 0.3 * h, 0.3, 0.35 - 0.15 * h, 0.3 - 0.15 * h],
                )
            )
        elif age >= 15:
            p.education = "BASIC_SECONDARY"
        elif age >= 11:
            p.education = "PRIMARY"

    def _age(self, p: Person, on: date | None = None) -> float:
        return ((on or self.month) - p.birth).days / 365.25

    # --- families ----------------------------------------------------------------------------
    def _new_family(
        self, region: str | None = None, head: Person | None = None, spouse: bool = False
    ) -> Family:
        rng = self.rng
        h = float(rng.beta(1.1, 5.5))
        region = region or str(rng.choice(REGION_CODES, p=REGION_WEIGHTS))
        last = LAST[int(rng.integers(len(LAST)))]
        members: list[Person] = []
        if head is not None:  # a member leaving to found a family on marriage
            head.relation, head.marital = "HEAD", "MARRIED"
            members.append(head)
            other = "F" if head.sex == "M" else "M"
            members.append(self._person("SPOUSE", other, self._birth(20, 33), "MARRIED", h, last))
        else:
            size = int(rng.choice(SIZES, p=SIZE_SHARES))
            sex = "M" if rng.random() < 0.68 else "F"
            head_person = self._person(
                "HEAD", sex, self._birth(22 if size > 1 else 19, 78), "SINGLE", h, last
            )
            members.append(head_person)
            head_age = self._age(head_person)
            if size >= 2 and rng.random() < 0.78:
                head_person.marital = "MARRIED"
                members.append(
                    self._person(
                        "SPOUSE",
                        "F" if sex == "M" else "M",
                        self._birth(max(19, head_age - 8), head_age + 3),
                        "MARRIED",
                        h,
                        last,
                    )
                )
            elif size >= 2:
                head_person.marital = str(rng.choice(["DIVORCED", "WIDOWED", "SINGLE"], p=[0.5, 0.3, 0.2]))
            if size >= 4 and head_age < 55 and rng.random() < 0.2:
                members.append(
                    self._person("PARENT", "F", self._birth(head_age + 20, head_age + 32), "WIDOWED", h, last)
                )
            while len(members) < size:
                high = min(max(0.5, head_age - 18), 30.0)
                low = min(max(0.0, head_age - 45), high - 0.5)
                child = self._person(
                    "CHILD", "M" if rng.random() < 0.51 else "F", self._birth(low, high), "SINGLE", h, last
                )
                members.append(child)
        family = Family("", region, h, members)
        family.family_id = f"FAM-{members[0].iin}"  # the registry derives it from the head's IIN
        family.dwelling = str(
            rng.choice(
                ["OWN", "RENT", "SOCIAL", "RELATIVES", "NONE"],
                p=[0.78 - 0.4 * h, 0.12 + 0.2 * h, 0.03 + 0.05 * h, 0.065 + 0.13 * h, 0.005 + 0.02 * h],
            )
        )
        family.area = round(float(rng.lognormal(np.log(19 * (1 - 0.5 * h)), 0.3)) * len(members), 2)
        family.water = bool(rng.random() > 0.03 + 0.3 * h)
        family.sewerage = bool(rng.random() > 0.1 + 0.4 * h)
        family.heating = bool(rng.random() > 0.02 + 0.2 * h)
        return family

    def _living(self, family: Family, on: date | None = None) -> list[Person]:
        return [p for p in family.members if p.death is None or (on and p.death >= on)]

    def _children(self, family: Family) -> list[Person]:
        return [p for p in self._living(family) if self._age(p) < 18]

    def qualifies(self, family: Family, benefit: str) -> bool:
        living = self._living(family)
        if benefit == "LARGE_FAMILY":
            return len(self._children(family)) >= 4
        if benefit == "CHILD_DISABILITY":
            return any(p.disability == "CHILD" for p in self._children(family))
        income = sum(p.income + p.pension for p in living)
        return bool(living) and income / len(living) < 0.7 * SUBSISTENCE_MINIMUM_KZT

    # --- a month -----------------------------------------------------------------------------
    def advance(self) -> None:
        """From the start of one month to the start of the next: changes dated within the month."""
        rng, start = self.rng, self.month
        self.deaths_of_month = {}
        end = (start + timedelta(days=32)).replace(day=1)
        days = (end - start).days
        people = sum(len(self._living(f)) for f in self.families)

        def day() -> date:
            return start + timedelta(days=int(rng.integers(days)))

        # Deaths: the older, the likelier.
        candidates = [(f, p) for f in self.families for p in self._living(f)]
        weights = np.array([np.exp(self._age(p) / 12) for _, p in candidates])
        for i in rng.choice(
            len(candidates),
            size=rng.poisson(DEATHS_PER_1000 * people / 1000),
            replace=False,
            p=weights / weights.sum(),
        ):
            family, person = candidates[i]
            person.death = day()
            self.deaths_of_month[person.iin] = person.death
            if self._children(family) and rng.random() < 0.8:
                offered = person.death + timedelta(days=int(rng.integers(3, 12)))
                self._offer(family, self._recipient(family), "SURVIVOR", offered)
        # Births: to a family with a woman of 20-42.
        mothers = [
            (f, p)
            for f in self.families
            for p in self._living(f)
            if p.sex == "F" and 20 <= self._age(p) < 42 and p.relation in ("HEAD", "SPOUSE")
        ]
        for i in rng.choice(len(mothers), size=rng.poisson(BIRTHS_PER_1000 * people / 1000), replace=False):
            family, mother = mothers[i]
            born = day()
            relation = "CHILD" if mother.relation in ("HEAD", "SPOUSE") else "GRANDCHILD"
            child = self._person(
                relation,
                "M" if rng.random() < 0.51 else "F",
                born,
                "SINGLE",
                family.hardship,
                family.members[0].last_name.removesuffix("а"),
            )
            child.birth = born
            family.members.append(child)
            if rng.random() < 0.9:
                self._offer(family, mother, "CHILDBIRTH", born + timedelta(days=int(rng.integers(1, 6))))
        # Status benefits: a family qualifying and not yet receiving is offered with probability 0.5.
        for family in self.families:
            for benefit in STATUS_BENEFITS:
                if benefit not in family.receiving and self.qualifies(family, benefit) and rng.random() < 0.5:
                    self._offer(family, self._recipient(family), benefit, day())
        # A few offers of the other benefit types.
        for _ in range(rng.poisson(len(self.families) / 300)):
            family = self.families[int(rng.integers(len(self.families)))]
            self._offer(family, self._recipient(family), str(rng.choice(OTHER_BENEFITS)), day())
        # Moves to another region (the whole family).
        for family in self.families:
            if rng.random() < MOVES_PER_FAMILY:
                family.region = str(rng.choice([r for r in REGION_CODES if r != family.region]))
        self.month = end
        # Marriages: a single grown child leaves and founds a family with a new spouse.
        singles = [
            (f, p)
            for f in self.families
            for p in self._living(f)
            if p.relation == "CHILD" and p.marital == "SINGLE" and 20 <= self._age(p) < 35
        ]
        for i in rng.choice(
            len(singles),
            size=min(len(singles), rng.poisson(MARRIAGES_PER_1000 * people / 1000)),
            replace=False,
        ):
            family, person = singles[i]
            family.members.remove(person)
            self.families.append(self._new_family(family.region, person))
        # The dead leave the registry; a head's death makes the spouse (else the eldest) head.
        kept = []
        for family in self.families:
            family.members = [p for p in family.members if p.death is None]
            if not family.members:
                continue
            if not any(p.relation == "HEAD" for p in family.members):
                heir = next(
                    (p for p in family.members if p.relation == "SPOUSE"),
                    max(family.members, key=lambda p: self._age(p)),
                )
                heir.relation = "HEAD"
                if heir.marital == "MARRIED":
                    heir.marital = "WIDOWED"
            kept.append(family)
        self.families = kept

    def _recipient(self, family: Family) -> Person:
        living = self._living(family)
        return next((p for p in living if p.sex == "F" and p.relation in ("HEAD", "SPOUSE")), living[0])

    def _offer(self, family: Family, person: Person, benefit: str, offered: date) -> None:
        """The events of one proactive offer: SMS sent, the answer (or none by the deadline), and
        for an accepted one the assignment and the payment."""
        rng = self.rng
        self.offers += 1
        offer_id = f"OF-{self.offers:08d}"
        at = datetime.combine(offered, datetime.min.time()) + timedelta(hours=float(rng.uniform(9, 19)))
        deadline = offered + timedelta(days=ANSWER_DAYS)
        base = {
            "offer_id": offer_id,
            "family_id": family.family_id,
            "member_iin": person.iin,
            "benefit_type": benefit,
            "region_kato": REGION_KATO[family.region],
        }
        amounts = {
            "CHILDBIRTH": 140_000,
            "SURVIVOR": 60_000,
            "LARGE_FAMILY": 63_000,
            "CHILD_DISABILITY": 55_000,
            "TARGETED_SOCIAL_ASSISTANCE": 25_000,
        }

        def emit(kind: str, when: datetime, **extra) -> None:
            self.events.append(
                {
                    **base,
                    "event_id": f"{offer_id}-{kind}",
                    "event_type": kind,
                    "event_time": when,
                    "answer_deadline": extra.get("deadline"),
                    "amount_kzt": extra.get("amount"),
                }
            )

        emit("OFFER_SENT", at, deadline=deadline)
        roll = rng.random()
        if roll < 0.12 + 0.1 * family.hardship:
            emit("NO_ANSWER", datetime.combine(deadline + timedelta(days=1), datetime.min.time()))
            return
        answered = at + timedelta(hours=float(rng.uniform(0.2, 24 * (ANSWER_DAYS - 0.5))))
        if roll < 0.17 + 0.1 * family.hardship:
            emit("DECLINED", answered)
            return
        emit("ACCEPTED", answered)
        assigned = answered + timedelta(days=float(rng.uniform(0.5, 3)))
        emit("ASSIGNED", assigned)
        paid = assigned + timedelta(days=float(rng.uniform(1, 9)))
        amount = amounts.get(benefit, 45_000) * float(rng.uniform(0.9, 1.1))
        emit("PAID", paid, amount=round(amount, 2))
        if benefit in STATUS_BENEFITS:
            family.receiving.add(benefit)

    # --- the extracts of the current month -------------------------------------------------------
    def extracts(self) -> dict[str, list[list]]:
        """One list of rows per source as of the month's start (`write_family` adds the month's
        births and deaths to its civil registry extract after `advance`)."""
        rows: dict[str, list[list]] = {s: [] for s in schema.SOURCES}
        for family in self.families:
            region = REGION_KATO[family.region]
            for p in family.members:
                age = self._age(p)
                rows["civil_registry"].append(
                    [
                        p.iin,
                        family.family_id,
                        p.relation,
                        p.sex,
                        p.birth,
                        p.death,
                        p.marital,
                        region,
                        p.last_name,
                        p.first_name,
                    ]
                )
                if p.income or p.pension:
                    source = (
                        "PENSION"
                        if not p.income
                        else "SELF_EMPLOYED"
                        if p.employment == "SELF_EMPLOYED"
                        else "SALARY"
                    )
                    rows["income"].append([p.iin, source, _money(p.income), _money(p.pension)])
                if p.real_estate or p.vehicles:
                    rows["property"].append([p.iin, p.real_estate, p.vehicles, _money(p.property_value)])
                if p.loans:
                    rows["loans"].append([p.iin, p.loans, _money(p.debt), p.overdue])
                if age >= 16:
                    rows["employment"].append([p.iin, p.employment])
                if p.disability:
                    rows["disability"].append([p.iin, p.disability, p.disability_since])
                rows["health"].append(
                    [
                        p.iin,
                        p.clinic,
                        p.chronic,
                        p.sex == "F" and 20 <= age < 40 and int(p.iin[7:11]) % 40 == 0,
                    ]
                )
                if age >= 1:
                    rows["education"].append([p.iin, _institution(p, age, family.hardship), p.education])
            recipient = self._recipient(family) if self._living(family) else family.members[0]
            for benefit in sorted(family.receiving):
                kzt = {"LARGE_FAMILY": 63_000, "CHILD_DISABILITY": 55_000}.get(benefit, 25_000)
                rows["social_benefits"].append([recipient.iin, benefit, _money(kzt)])
            rooms = max(1, round(family.area / 18))
            rows["housing"].append(
                [
                    family.family_id,
                    family.dwelling,
                    _money(family.area),
                    rooms,
                    family.water,
                    family.sewerage,
                    family.heating,
                ]
            )
        return rows


def _money(value: float) -> str:
    return f"{value:.2f}"


def _institution(p: Person, age: float, hardship: float) -> str:
    # Stable per person: a digit of the IIN stands for the draw.
    draw = int(p.iin[8:11]) / 1000
    if age < 3:
        return "NONE"
    if age < 7:
        return "KINDERGARTEN" if draw > 0.15 + 0.4 * hardship else "NONE"
    if age < 18:
        return "SCHOOL" if draw > 0.005 + 0.05 * hardship else "NONE"
    if age < 23:
        return "UNIVERSITY" if draw < 0.35 else "COLLEGE" if draw < 0.5 else "NONE"
    return "NONE"


def _write(path: Path, columns: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                [
                    ""
                    if v is None
                    else "true"
                    if v is True
                    else "false"
                    if v is False
                    else v.isoformat(sep="T", timespec="seconds")
                    if isinstance(v, datetime)
                    else v
                    for v in row
                ]
            )
    return path


def write_family(
    out_dir: Path,
    families: int = FAMILIES,
    months: int = MONTHS,
    first_month: date = FIRST_MONTH,
    seed: int = 2023,
    events: bool = True,
) -> list[Path]:
    """Simulate and write the extracts of `months` months and the daily event files of their days."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sim = Simulation(families, seed, first_month)
    paths: list[Path] = []
    last_day = first_month
    for _ in range(months):
        month = sim.month
        before = sim.extracts()
        sim.advance()
        # The registry of a month lists who died in it too (with the date); the extracts are as
        # of the month's start, plus the month's births and deaths in the registry.
        registry = _registry_of_month(before["civil_registry"], sim, month)
        before["civil_registry"] = registry
        for source, rows in before.items():
            columns = [c for c, _ in schema.SOURCES[source]]
            paths.append(_write(out_dir / f"family_{source}_{month:%Y-%m}.csv", columns, rows))
        last_day = sim.month
    if events:
        paths += _write_events(out_dir, sim, first_month, last_day)
    record_demo_files(paths)
    return paths


def _registry_of_month(rows: list[list], sim: Simulation, month: date) -> list[list]:
    """The month's registry: the members at its start with the deaths of the month dated, and the
    children born in it."""
    end = sim.month
    known = {row[0] for row in rows}
    out = [[*row[:5], sim.deaths_of_month.get(row[0], row[5]), *row[6:]] for row in rows]
    region_of = {f.family_id: REGION_KATO[f.region] for f in sim.families}
    for family in sim.families:
        for p in family.members:
            if p.iin not in known and month <= p.birth < end:
                known.add(p.iin)
                out.append(
                    [
                        p.iin,
                        family.family_id,
                        p.relation,
                        p.sex,
                        p.birth,
                        p.death,
                        p.marital,
                        region_of[family.family_id],
                        p.last_name,
                        p.first_name,
                    ]
                )
    return out


def _write_events(out_dir: Path, sim: Simulation, first: date, end: date) -> list[Path]:
    columns = [c for c, _ in schema.EVENT_COLUMNS]
    by_day: dict[date, list[list]] = {}
    for k, e in enumerate(sim.events):
        received = e["event_time"].date()
        if k % 50 == 7:  # about 2 % arrive a day late
            received += timedelta(days=1)
        if first <= received < end:
            by_day.setdefault(received, []).append([e[c] for c in columns])
    paths = []
    day = first
    while day < end:
        rows = sorted(by_day.get(day, []), key=lambda r: (r[6], r[0]))
        paths.append(_write(out_dir / f"family_proactive_events_{day}.csv", columns, rows))
        day += timedelta(days=1)
    return paths


def write_bundled_family(out_dir: Path, seed: int = 2023) -> list[Path]:
    """The bundled demo: ~6,300 families and ~19,500 people, 2023-01 .. 2023-02."""
    return write_family(out_dir, seed=seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.family", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    bundled = sub.add_parser("bundled")
    bundled.add_argument("out_dir", type=Path)
    bundled.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args(argv)
    paths = write_bundled_family(args.out_dir, seed=args.seed)
    print(f"{len(paths)} files written to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
