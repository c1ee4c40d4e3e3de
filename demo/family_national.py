"""National-scale Digital Family Map extracts, for the bench (1 million families and more).

demo/family.py simulates the bundled set family by family in Python objects: right for 6,300
families, but about a minute per 100,000 families and month and several GiB at a million. This
module draws the same kind of population with numpy, from the same calibration (demo/family.py's
household sizes, rates of births, deaths and moves, hardship, incomes and benefits), one chunk of
families at a time, and appends each chunk's rows to the month's files with pyarrow's CSV writer:
memory is bounded by the chunk, not by the country. The files have the bundled set's layout (same
columns, codes, formats and file names), so the load does the same work per row.

Simpler than the bundled simulation, on purpose (a bench measures the load, not the marts):
births, deaths (an heir becomes head) and moves between regions are dated within each month, and
proactive offers follow births, deaths in families with children, families newly qualifying for a
status benefit and a few other benefits; no marriage founds a new family.

    python -m demo.family_national OUT_DIR [--families 1000000] [--months 1] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from demo import family as bundled
from demo.appeals import REGION_CODES, REGION_WEIGHTS
from ingest import family_schema as schema
from ingest.privacy import record_demo_files

CHUNK_FAMILIES = 100_000  # families drawn and written at a time (~310,000 people, ~150 MiB)
EPOCH = np.datetime64("1900-01-01", "D")
KATO = np.array([bundled.REGION_KATO[r] for r in REGION_CODES])
# IIN check digit weights (demo.appeals.iin_check_digit): first pass, then second pass on a 10.
IIN_W1 = np.arange(1, 12)
IIN_W2 = np.array([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])
# A serial is drawn below 2,500; a serial whose check digit does not exist moves by 2,500 (up to
# three times), so every (birth date, sex) has its own serials and no IIN repeats.
SERIAL_STEP = 2_500
BENEFIT_KZT = {
    "CHILDBIRTH": 140_000,
    "SURVIVOR": 60_000,
    "LARGE_FAMILY": 63_000,
    "CHILD_DISABILITY": 55_000,
    "TARGETED_SOCIAL_ASSISTANCE": 25_000,
}
LAST = np.array(bundled.LAST)
LAST_F = np.array([n + "а" if n.endswith(("ов", "ев")) else n for n in bundled.LAST])


def _pick(rng: np.random.Generator, cumulative: np.ndarray, values: np.ndarray) -> np.ndarray:
    """One value per row, drawn with each row's own probabilities (cumulative, one row each)."""
    return values[(rng.random(len(cumulative))[:, None] >= cumulative[:, :-1]).sum(axis=1)]


class Iins:
    """Valid, unique IINs for people drawn in chunks: a serial counter per birth date and sex."""

    def __init__(self) -> None:
        self.used = np.zeros(2 * 60_000, dtype=np.int64)  # (days since 1900) * 2 + female

    def draw(self, birth: np.ndarray, female: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        birth = birth.astype("datetime64[D]")
        key = (birth - EPOCH).astype(np.int64) * 2 + female
        order = np.argsort(key, kind="stable")
        ordered = key[order]
        starts = np.r_[True, ordered[1:] != ordered[:-1]]
        rank = np.arange(len(key)) - np.maximum.accumulate(np.where(starts, np.arange(len(key)), 0))
        serial = np.empty(len(key), dtype=np.int64)
        serial[order] = self.used[ordered] + rank
        self.used += np.bincount(key, minlength=len(self.used))
        if len(serial) and serial.max() >= SERIAL_STEP:
            raise ValueError("more than 2,500 people of one sex born on one day")
        days = pd.DatetimeIndex(birth)
        yy, mm, dd = (x.to_numpy().astype(np.int64) for x in (days.year % 100, days.month, days.day))
        century = np.where(days.year.to_numpy() < 2000, 3, 5) + female
        check = np.full(len(key), -1)
        for _ in range(4):
            todo = check < 0
            digits = np.stack(
                [yy // 10, yy % 10, mm // 10, mm % 10, dd // 10, dd % 10, century]
                + [serial // 10**k % 10 for k in (3, 2, 1, 0)],
                axis=1,
            )
            first, second = digits @ IIN_W1 % 11, digits @ IIN_W2 % 11
            found = np.where(first < 10, first, np.where(second < 10, second, -1))
            check = np.where(todo, found, check)
            serial = np.where(todo & (check < 0), serial + SERIAL_STEP, serial)
        if (check < 0).any():
            raise ValueError("no valid IIN for a serial")  # four invalid check digits: ~1 in 2e8
        number = ((yy * 100 + mm) * 100 + dd) * 10**6 + century * 10**5 + serial * 10 + check
        return np.char.zfill(number.astype(str), 12).astype(object), serial


def _attributes(rng: np.random.Generator, p: pd.DataFrame, hardship: np.ndarray, month: date) -> None:
    """Employment, income, property, loans, disability, health and education of the people in `p`
    (as demo.family.Simulation._attributes, one array at a time), set in place."""
    n, h = len(p), hardship
    age = _age(p["birth"].to_numpy(), month)
    female = p["female"].to_numpy()
    retired = (age >= 63) | (female & (age >= 61))
    working = ~retired & (age >= 18)
    roll, unemployed = rng.random(n), 0.04 + 0.45 * h
    employment = np.full(n, "INACTIVE", dtype=object)
    employment[(age >= 16) & (age < 18)] = "STUDENT"
    grown = np.where((age >= 22) | (rng.random(n) < 0.5), "EMPLOYED", "STUDENT")
    employment[working] = np.select(
        [roll < unemployed, roll < unemployed + 0.08, roll < unemployed + 0.18],
        ["UNEMPLOYED", "INACTIVE", "SELF_EMPLOYED"],
        grown,
    )[working]
    employment[retired] = "RETIRED"
    earning = (employment == "EMPLOYED") | (employment == "SELF_EMPLOYED")
    p["employment"] = employment
    p["pension"] = np.where(retired, np.round(rng.lognormal(np.log(95_000), 0.25, n), 2), 0.0)
    p["income"] = np.where(earning, np.round(rng.lognormal(np.log(260_000 * (1 - 0.75 * h)), 0.45), 2), 0.0)
    adult = age >= 21
    real_estate = adult & (rng.random(n) < 0.55 * (1 - h))
    vehicles = adult * ((rng.random(n) < 0.4 * (1 - h)).astype(int) + (rng.random(n) < 0.05 * (1 - h)))
    p["real_estate"], p["vehicles"] = real_estate.astype(int), vehicles
    p["property_value"] = np.round(
        real_estate * rng.lognormal(np.log(18e6), 0.5, n) + vehicles * rng.lognormal(np.log(4e6), 0.5, n), 2
    )
    borrowing = adult & (rng.random(n) < 0.45)
    loans = borrowing * (1 + (rng.random(n) < 0.3))
    p["loans"] = loans
    p["debt"] = np.round(rng.lognormal(np.log(900_000), 0.9, n) * loans, 2)
    p["overdue"] = borrowing & (rng.random(n) < 0.03 + 0.35 * h)
    disabled = rng.random(n) < 0.01 + 0.002 * age / 10 + 0.04 * h
    group = np.array(["GROUP_1", "GROUP_2", "GROUP_3"])[
        np.searchsorted([0.15, 0.6], rng.random(n), side="right")
    ]
    p["disability"] = np.where(disabled, np.where(age < 18, "CHILD", group), None)
    since = np.datetime64(month, "D") - rng.integers(30, 4000, n).astype("timedelta64[D]")
    p["disability_since"] = np.where(disabled, np.maximum(p["birth"].to_numpy(), since), np.datetime64("NaT"))
    p["clinic"] = rng.random(n) > 0.01 + 0.12 * h
    p["chronic"] = rng.random(n) < 0.02 + 0.004 * age
    shares = np.stack([0.05 + 0.3 * h, np.full(n, 0.3), 0.35 - 0.15 * h, 0.3 - 0.15 * h], axis=1)
    levels = _pick(
        rng, shares.cumsum(axis=1), np.array(["BASIC_SECONDARY", "SECONDARY", "VOCATIONAL", "HIGHER"])
    )
    p["education"] = np.select(
        [age >= 18, age >= 15, age >= 11], [levels, "BASIC_SECONDARY", "PRIMARY"], "NONE"
    ).astype(object)


def _age(birth: np.ndarray, on: date) -> np.ndarray:
    return (np.datetime64(on, "D") - birth.astype("datetime64[D]")).astype(np.int64) / 365.25


def _birth(rng: np.random.Generator, low: np.ndarray, high: np.ndarray, month: date) -> np.ndarray:
    age = rng.uniform(low, high)
    return np.datetime64(month, "D") - (age * 365.25).astype(np.int64).astype("timedelta64[D]")


def _population(
    rng: np.random.Generator, n: int, month: date, iins: Iins
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`n` new families and their members as of `month` (demo.family.Simulation._new_family)."""
    f = pd.DataFrame({"hardship": rng.beta(1.1, 5.5, n)})
    f["region"] = rng.choice(len(REGION_CODES), size=n, p=REGION_WEIGHTS)
    f["last"] = rng.integers(len(LAST), size=n)
    size = rng.choice(bundled.SIZES, size=n, p=bundled.SIZE_SHARES)
    head_male = rng.random(n) < 0.68
    head_age = rng.uniform(np.where(size > 1, 22, 19), 78)
    spouse = (size >= 2) & (rng.random(n) < 0.78)
    parent = (size >= 4) & (head_age < 55) & (rng.random(n) < 0.2)
    alone = np.array(["DIVORCED", "WIDOWED", "SINGLE"])[
        np.searchsorted([0.5, 0.8], rng.random(n), side="right")
    ]

    fam = np.repeat(np.arange(n), size)
    pos = np.arange(len(fam)) - np.repeat(np.cumsum(size) - size, size)
    ha = head_age[fam]
    is_spouse = spouse[fam] & (pos == 1)
    is_parent = parent[fam] & (pos == 1 + spouse[fam])
    relation = np.select([pos == 0, is_spouse, is_parent], ["HEAD", "SPOUSE", "PARENT"], "CHILD")
    child_high = np.minimum(np.maximum(0.5, ha - 18), 30.0)
    low = np.select(
        [pos == 0, is_spouse, is_parent],
        [ha, np.maximum(19, ha - 8), ha + 20],
        np.minimum(np.maximum(0.0, ha - 45), child_high - 0.5),
    )
    high = np.select([pos == 0, is_spouse, is_parent], [ha, ha + 3, ha + 32], child_high)
    male = np.select(
        [pos == 0, is_spouse, is_parent],
        [head_male[fam], ~head_male[fam], False],
        rng.random(len(fam)) < 0.51,
    )
    head_marital = np.where(spouse, "MARRIED", np.where(size >= 2, alone, "SINGLE"))
    p = pd.DataFrame(
        {
            "fam": fam,
            "pos": pos,
            "relation": relation.astype(object),
            "female": ~male,
            "birth": _birth(rng, low, high, month),
            "marital": np.select(
                [pos == 0, is_spouse, is_parent], [head_marital[fam], "MARRIED", "WIDOWED"], "SINGLE"
            ).astype(object),
        }
    )
    _identify(rng, p, f, iins)
    _attributes(rng, p, f["hardship"].to_numpy()[fam], month)
    f["family_id"] = "FAM-" + p.loc[p["pos"] == 0, "iin"].to_numpy()
    h = f["hardship"].to_numpy()
    tenure = np.stack([0.78 - 0.4 * h, 0.12 + 0.2 * h, 0.03 + 0.05 * h, 0.065 + 0.13 * h], axis=1)
    f["dwelling"] = _pick(rng, np.c_[tenure.cumsum(axis=1), np.ones(n)], np.array(schema.DWELLING_TYPES))
    f["area"] = np.round(rng.lognormal(np.log(19 * (1 - 0.5 * h)), 0.3) * size, 2)
    f["water"] = rng.random(n) > 0.03 + 0.3 * h
    f["sewerage"] = rng.random(n) > 0.1 + 0.4 * h
    f["heating"] = rng.random(n) > 0.02 + 0.2 * h
    f["next_pos"] = size
    qualifying = _qualifying(p, f, month)
    for benefit in bundled.STATUS_BENEFITS:
        f[benefit] = qualifying[benefit] & (rng.random(n) < 0.85)
    return p, f


def _identify(rng: np.random.Generator, p: pd.DataFrame, f: pd.DataFrame, iins: Iins) -> None:
    """IINs and names of the people in `p` (last names from their family's)."""
    female = p["female"].to_numpy()
    p["iin"], p["serial"] = iins.draw(p["birth"].to_numpy(), female.astype(np.int64))
    last = f["last"].to_numpy()[p["fam"].to_numpy()]
    p["last_name"] = np.where(female, LAST_F[last], LAST[last])
    first_f, first_m = np.array(bundled.FIRST_F), np.array(bundled.FIRST_M)
    pick = rng.integers(len(first_f), size=len(p))
    p["first_name"] = np.where(female, first_f[pick], first_m[pick])


def _qualifying(p: pd.DataFrame, f: pd.DataFrame, month: date) -> dict[str, np.ndarray]:
    """Families that qualify for each status benefit (demo.family.Simulation.qualifies), counting
    the living only."""
    n = len(f)
    living = p[p["death"].isna()] if "death" in p else p
    fam = living["fam"].to_numpy()
    child = _age(living["birth"].to_numpy(), month) < 18
    members = np.bincount(fam, minlength=n)
    income = np.bincount(fam, weights=living["income"] + living["pension"], minlength=n)
    disabled = child & (living["disability"] == "CHILD").to_numpy()
    return {
        "LARGE_FAMILY": np.bincount(fam, weights=child.astype(float), minlength=n) >= 4,
        "CHILD_DISABILITY": np.bincount(fam, weights=disabled.astype(float), minlength=n) > 0,
        "TARGETED_SOCIAL_ASSISTANCE": (members > 0)
        & (income < 0.7 * bundled.SUBSISTENCE_MINIMUM_KZT * np.maximum(members, 1)),
    }


def _recipients(p: pd.DataFrame, n: int) -> np.ndarray:
    """Per family, the row of its recipient of offers: the first living woman who is head or
    spouse, else its first living member (-1 for a family with nobody living)."""
    living = p[p["death"].isna()]
    mother = living["female"] & living["relation"].isin(["HEAD", "SPOUSE"])
    ordered = living.assign(other=~mother).sort_values(["fam", "other", "pos"])
    first = ordered.drop_duplicates("fam")
    rows = np.full(n, -1)
    rows[first["fam"].to_numpy()] = first.index.to_numpy()
    return rows


class Offers:
    """Proactive offers of a chunk and month, turned into events (demo.family.Simulation._offer)."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []
        self.numbered = 0  # offers numbered so far: OF-00000001, ... across chunks

    def add(self, fam: np.ndarray, iin: np.ndarray, benefit, offered: np.ndarray) -> None:
        self.parts.append(
            pd.DataFrame(
                {"fam": fam, "iin": iin, "benefit": benefit, "offered": offered.astype("datetime64[D]")}
            )
        )

    def events(self, rng: np.random.Generator, f: pd.DataFrame) -> pd.DataFrame:
        o = pd.concat(self.parts, ignore_index=True) if self.parts else pd.DataFrame()
        self.parts = []
        if o.empty:
            return o
        n, h = len(o), f["hardship"].to_numpy()[o["fam"].to_numpy()]
        offer_id = np.char.add("OF-", np.char.zfill((self.numbered + np.arange(1, n + 1)).astype(str), 8))
        self.numbered += n
        base = {
            "offer_id": offer_id.astype(object),
            "family_id": f["family_id"].to_numpy()[o["fam"].to_numpy()],
            "member_iin": o["iin"].to_numpy(),
            "benefit_type": o["benefit"].to_numpy(),
            "region_kato": KATO[f["region"].to_numpy()[o["fam"].to_numpy()]],
        }
        offered = o["offered"].to_numpy().astype("datetime64[s]")
        at = offered + (rng.uniform(9, 19, n) * 3600).astype("timedelta64[s]")
        deadline = o["offered"].to_numpy().astype("datetime64[D]") + np.timedelta64(bundled.ANSWER_DAYS, "D")
        roll = rng.random(n)
        no_answer = roll < 0.12 + 0.1 * h
        declined = ~no_answer & (roll < 0.17 + 0.1 * h)
        accepted = ~no_answer & ~declined
        answered = at + (rng.uniform(0.2, 24 * (bundled.ANSWER_DAYS - 0.5), n) * 3600).astype(
            "timedelta64[s]"
        )
        assigned = answered + (rng.uniform(0.5, 3, n) * 86400).astype("timedelta64[s]")
        paid = assigned + (rng.uniform(1, 9, n) * 86400).astype("timedelta64[s]")
        kzt = np.array([BENEFIT_KZT.get(b, 45_000) for b in schema.BENEFIT_TYPES])
        benefit_no = pd.Categorical(o["benefit"], categories=schema.BENEFIT_TYPES).codes
        amount = np.round(kzt[benefit_no] * rng.uniform(0.9, 1.1, n), 2)
        nat = np.datetime64("NaT", "D")
        kinds = [
            ("OFFER_SENT", np.ones(n, bool), at, deadline, np.nan),
            ("NO_ANSWER", no_answer, (deadline + 1).astype("datetime64[s]"), nat, np.nan),
            ("DECLINED", declined, answered, nat, np.nan),
            ("ACCEPTED", accepted, answered, nat, np.nan),
            ("ASSIGNED", accepted, assigned, nat, np.nan),
            ("PAID", accepted, paid, nat, amount),
        ]
        parts = []
        for kind, rows, when, answer_by, kzt_paid in kinds:
            part = pd.DataFrame({k: v[rows] for k, v in base.items()})
            part["event_id"] = part["offer_id"] + f"-{kind}"
            part["event_type"] = kind
            part["event_time"] = when[rows]
            part["answer_deadline"] = np.broadcast_to(answer_by, n)[rows]
            part["amount_kzt"] = np.broadcast_to(kzt_paid, n)[rows]
            parts.append(part)
        for benefit in bundled.STATUS_BENEFITS:  # an accepted status benefit is then received
            f.loc[o["fam"].to_numpy()[accepted & (o["benefit"].to_numpy() == benefit)], benefit] = True
        return pd.concat(parts, ignore_index=True)


def _advance(
    rng: np.random.Generator,
    p: pd.DataFrame,
    f: pd.DataFrame,
    month: date,
    end: date,
    iins: Iins,
    offers: Offers,
) -> pd.DataFrame:
    """Deaths and births within the month, and the offers they and the status benefits bring.
    Returns the month's newborns (their death column empty); deaths are dated in `p`."""
    start, days = np.datetime64(month, "D"), (end - month).days
    people = len(p)
    age = _age(p["birth"].to_numpy(), month)
    # Deaths: the older, the likelier, about DEATHS_PER_1000 a month.
    weight = np.exp(age / 12)
    died = rng.random(people) < weight * (bundled.DEATHS_PER_1000 * people / 1000) / weight.sum()
    p["death"] = np.where(
        died, start + rng.integers(days, size=people).astype("timedelta64[D]"), np.datetime64("NaT")
    )
    recipients = _recipients(p, len(f))
    young = ((age < 18) & p["death"].isna().to_numpy()).astype(float)
    with_children = np.bincount(p["fam"], weights=young, minlength=len(f)) > 0
    dead = p[died & with_children[p["fam"].to_numpy()] & (rng.random(people) < 0.8)]
    dead = dead[recipients[dead["fam"].to_numpy()] >= 0]
    offers.add(
        dead["fam"].to_numpy(),
        p["iin"].to_numpy()[recipients[dead["fam"].to_numpy()]],
        "SURVIVOR",
        dead["death"].to_numpy() + rng.integers(3, 12, len(dead)).astype("timedelta64[D]"),
    )
    # Births: to a living woman of 20-42 who is head or spouse.
    mother = (
        p["female"] & p["relation"].isin(["HEAD", "SPOUSE"]) & (age >= 20) & (age < 42) & p["death"].isna()
    )
    expected = bundled.BIRTHS_PER_1000 * people / 1000
    mothers = p[mother & (rng.random(people) < expected / max(1, mother.sum()))]
    born = start + rng.integers(days, size=len(mothers)).astype("timedelta64[D]")
    babies = pd.DataFrame(
        {
            "fam": mothers["fam"].to_numpy(),
            "relation": "CHILD",
            "female": rng.random(len(mothers)) >= 0.51,
            "birth": born,
            "marital": "SINGLE",
        }
    )
    babies["pos"] = f["next_pos"].to_numpy()[babies["fam"]] + babies.groupby("fam").cumcount()
    f["next_pos"] += np.bincount(babies["fam"], minlength=len(f))
    _identify(rng, babies, f, iins)
    _attributes(rng, babies, f["hardship"].to_numpy()[babies["fam"]], month)
    babies["death"] = pd.NaT
    told = rng.random(len(mothers)) < 0.9
    offers.add(
        mothers["fam"].to_numpy()[told],
        mothers["iin"].to_numpy()[told],
        "CHILDBIRTH",
        born[told] + rng.integers(1, 6, told.sum()).astype("timedelta64[D]"),
    )
    # Status benefits: a qualifying family not yet receiving one is offered it with probability 0.5.
    everyone = pd.concat([p, babies], ignore_index=True)
    recipients = _recipients(everyone, len(f))
    qualifying = _qualifying(everyone, f, month)
    for benefit in bundled.STATUS_BENEFITS:
        fam = np.flatnonzero(qualifying[benefit] & ~f[benefit].to_numpy() & (recipients >= 0))
        fam = fam[rng.random(len(fam)) < 0.5]
        offered = start + rng.integers(days, size=len(fam)).astype("timedelta64[D]")
        offers.add(fam, everyone["iin"].to_numpy()[recipients[fam]], benefit, offered)
    # A few offers of the other benefit types.
    fam = rng.integers(len(f), size=rng.poisson(len(f) / 300))
    fam = fam[recipients[fam] >= 0]
    offered = start + rng.integers(days, size=len(fam)).astype("timedelta64[D]")
    offers.add(
        fam,
        everyone["iin"].to_numpy()[recipients[fam]],
        rng.choice(bundled.OTHER_BENEFITS, len(fam)),
        offered,
    )
    return babies


def _next_month(
    p: pd.DataFrame, babies: pd.DataFrame, f: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """The members at the next month's start: the dead leave, the newborns join, a family whose
    head died gets the spouse (else the eldest) as head, and a few families move region."""
    p = pd.concat([p[p["death"].isna()], babies], ignore_index=True)
    headless = ~np.isin(p["fam"], p.loc[p["relation"] == "HEAD", "fam"])
    if headless.any():
        heirs = (
            p[headless]
            .assign(spouse=p["relation"] != "SPOUSE")
            .sort_values(["fam", "spouse", "birth"])
            .drop_duplicates("fam")
            .index
        )
        p.loc[heirs, "relation"] = "HEAD"
        p.loc[heirs, "marital"] = p.loc[heirs, "marital"].replace("MARRIED", "WIDOWED")
    moving = np.flatnonzero(rng.random(len(f)) < bundled.MOVES_PER_FAMILY)
    f.loc[moving, "region"] = (
        f.loc[moving, "region"] + rng.integers(1, len(REGION_CODES), len(moving))
    ) % len(REGION_CODES)
    return p.sort_values(["fam", "pos"], ignore_index=True)


def _money(values, precision: int = 14) -> pa.Array:
    return pa.array(np.asarray(values, dtype=float), from_pandas=True).cast(
        pa.decimal128(precision, 2), safe=False
    )


def _dates(values) -> pa.Array:
    return pa.array(np.asarray(values, dtype="datetime64[D]"))


def _extracts(p: pd.DataFrame, babies: pd.DataFrame, f: pd.DataFrame, month: date) -> dict[str, dict]:
    """The month's extracts of one chunk, as columns (pyarrow arrays or numpy), in the order of
    ingest/family_schema.py: the members at the month's start (the registry with the month's deaths
    dated and its newborns)."""
    region = KATO[f["region"].to_numpy()]
    registry = pd.concat([p, babies], ignore_index=True)
    age = _age(p["birth"].to_numpy(), month)
    fam = p["fam"].to_numpy()
    iin = p["iin"].to_numpy()
    income, pension = p["income"].to_numpy(), p["pension"].to_numpy()
    earning = (income > 0) | (pension > 0)
    source = np.where(
        income == 0, "PENSION", np.where(p["employment"] == "SELF_EMPLOYED", "SELF_EMPLOYED", "SALARY")
    )
    owns = ((p["real_estate"] > 0) | (p["vehicles"] > 0)).to_numpy()
    borrows = (p["loans"] > 0).to_numpy()
    disabled = p["disability"].notna().to_numpy()
    pregnant = p["female"] & (age >= 20) & (age < 40) & (p["serial"] % 40 == 0)
    draw = (p["serial"] % 1000).to_numpy() / 1000  # stable per person (demo.family._institution)
    h = f["hardship"].to_numpy()[fam]
    institution = np.select(
        [age < 3, age < 7, age < 18, age < 23],
        [
            "NONE",
            np.where(draw > 0.15 + 0.4 * h, "KINDERGARTEN", "NONE"),
            np.where(draw > 0.005 + 0.05 * h, "SCHOOL", "NONE"),
            np.where(draw < 0.35, "UNIVERSITY", np.where(draw < 0.5, "COLLEGE", "NONE")),
        ],
        "NONE",
    )
    recipients = _recipients(p.assign(death=pd.NaT), len(f))
    members = np.bincount(fam, minlength=len(f)) > 0  # a family whose members all died is gone
    benefits = [
        pd.DataFrame({"fam": np.flatnonzero(f[b].to_numpy() & (recipients >= 0)), "benefit": b})
        for b in sorted(bundled.STATUS_BENEFITS)
    ]
    paid = pd.concat(benefits).sort_values("fam", kind="stable")
    return {
        "civil_registry": {
            "member_iin": registry["iin"].to_numpy(),
            "family_id": f["family_id"].to_numpy()[registry["fam"].to_numpy()],
            "relation_to_head": registry["relation"].to_numpy(),
            "sex": np.where(registry["female"], "F", "M"),
            "birth_date": _dates(registry["birth"]),
            "death_date": _dates(registry["death"]),
            "marital_status": registry["marital"].to_numpy(),
            "region_kato": region[registry["fam"].to_numpy()],
            "last_name": registry["last_name"].to_numpy(),
            "first_name": registry["first_name"].to_numpy(),
        },
        "income": {
            "member_iin": iin[earning],
            "income_source": source[earning],
            "income_kzt": _money(income[earning]),
            "pension_kzt": _money(pension[earning]),
        },
        "property": {
            "member_iin": iin[owns],
            "real_estate_count": p["real_estate"].to_numpy()[owns],
            "vehicle_count": p["vehicles"].to_numpy()[owns],
            "property_value_kzt": _money(p["property_value"].to_numpy()[owns], 16),
        },
        "loans": {
            "member_iin": iin[borrows],
            "loans_active": p["loans"].to_numpy()[borrows],
            "loan_debt_kzt": _money(p["debt"].to_numpy()[borrows], 16),
            "overdue_90_days": p["overdue"].to_numpy()[borrows],
        },
        "employment": {
            "member_iin": iin[age >= 16],
            "employment_status": p["employment"].to_numpy()[age >= 16],
        },
        "social_benefits": {
            "member_iin": iin[recipients[paid["fam"].to_numpy()]],
            "benefit_type": paid["benefit"].to_numpy(),
            "benefit_kzt": _money(
                paid["benefit"].map({"LARGE_FAMILY": 63_000, "CHILD_DISABILITY": 55_000}).fillna(25_000)
            ),
        },
        "disability": {
            "member_iin": iin[disabled],
            "disability_group": p["disability"].to_numpy()[disabled],
            "established_on": _dates(p["disability_since"].to_numpy()[disabled]),
        },
        "health": {
            "member_iin": iin,
            "clinic_attached": p["clinic"].to_numpy(),
            "chronic_registered": p["chronic"].to_numpy(),
            "pregnancy_registered": pregnant.to_numpy(),
        },
        "education": {
            "member_iin": iin[age >= 1],
            "institution_type": institution[age >= 1],
            "education_level": p["education"].to_numpy()[age >= 1],
        },
        "housing": {
            "family_id": f["family_id"].to_numpy()[members],
            "dwelling_type": f["dwelling"].to_numpy()[members],
            "area_m2": _money(f["area"].to_numpy()[members], 8),
            "rooms": np.maximum(1, np.round(f["area"].to_numpy()[members] / 18)).astype(int),
            "has_water": f["water"].to_numpy()[members],
            "has_sewerage": f["sewerage"].to_numpy()[members],
            "has_heating": f["heating"].to_numpy()[members],
        },
    }


def _append(handle, columns: dict) -> None:
    table = pa.table(
        {
            name: values if isinstance(values, pa.Array) else pa.array(values)
            for name, values in columns.items()
        }
    )
    pa_csv.write_csv(table, handle, pa_csv.WriteOptions(include_header=False, quoting_style="none"))


def _months(first: date, months: int) -> list[date]:
    return [
        date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, 1)
        for k in range(months + 1)
    ]


def write_scale_family(
    out_dir: Path,
    families: int = 1_000_000,
    months: int = 1,
    first_month: date = bundled.FIRST_MONTH,
    seed: int = 7,
    chunk: int = CHUNK_FAMILIES,
) -> list[Path]:
    """Write the monthly extracts of `families` families over `months` months, and the daily event
    files of those months, to `out_dir`; a chunk of families at a time."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    starts = _months(first_month, months)
    handles = {}
    for month in starts[:-1]:
        for source, columns in schema.SOURCES.items():
            handle = (out_dir / f"family_{source}_{month:%Y-%m}.csv").open("wb")
            handle.write((",".join(c for c, _ in columns) + "\n").encode())
            handles[source, month] = handle
    iins, offers, events = Iins(), Offers(), []
    try:
        for k, first in enumerate(range(0, families, chunk)):
            rng = np.random.default_rng([seed, k])
            p, f = _population(rng, min(chunk, families - first), first_month, iins)
            for month, end in zip(starts[:-1], starts[1:], strict=True):
                babies = _advance(rng, p, f, month, end, iins, offers)
                for source, columns in _extracts(p, babies, f, month).items():
                    _append(handles[source, month], columns)
                events.append(offers.events(rng, f))
                p = _next_month(p, babies, f, rng)
    finally:
        for handle in handles.values():
            handle.close()
    paths = [out_dir / f"family_{source}_{month:%Y-%m}.csv" for (source, month) in handles]
    paths += _write_events(out_dir, pd.concat(events, ignore_index=True), starts[0], starts[-1])
    record_demo_files(paths)
    return paths


def _write_events(out_dir: Path, events: pd.DataFrame, first: date, end: date) -> list[Path]:
    """One file per day, each event in the file of the day it arrived (about 2 % a day late)."""
    late = events.index.to_numpy() % 50 == 7
    received = events["event_time"].to_numpy().astype("datetime64[D]") + late.astype("timedelta64[D]")
    events = events.assign(received=received).sort_values(["event_time", "event_id"])
    columns = [c for c, _ in schema.EVENT_COLUMNS]
    paths = []
    for day in np.arange(np.datetime64(first, "D"), np.datetime64(end, "D")):
        rows = events[events["received"] == day]
        path = out_dir / f"family_proactive_events_{day}.csv"
        with path.open("wb") as handle:
            handle.write((",".join(columns) + "\n").encode())
            if len(rows):
                times = pa.array(rows["event_time"].to_numpy().astype("datetime64[s]"))
                _append(
                    handle,
                    {
                        **{c: rows[c].to_numpy() for c in columns},
                        "event_time": pc.strftime(times, "%Y-%m-%dT%H:%M:%S"),
                        "answer_deadline": _dates(rows["answer_deadline"]),
                        "amount_kzt": _money(rows["amount_kzt"]),
                    },
                )
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo.family_national", description=__doc__.split("\n")[0]
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--families", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    paths = write_scale_family(args.out_dir, args.families, args.months, seed=args.seed)
    print(f"{len(paths)} files written to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
