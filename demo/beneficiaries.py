"""Who receives each livelihood-fund programme, and from when to when.

One row per (beneficiary, programme) enrolment: village, first and last covered month,
amount per payment, birth year, and — for those who leave because they died — the date
of death. Normal enrolments end before death; the planted cases keep being paid.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from demo.context import Context
from demo.names import keys

# id, code, name, category, department, standard (yuan per payment), cycle,
# mean beneficiaries per 1,650 residents, birth-year range, death share of leavers
PROGRAMS = [
    (1, "dibao", "最低生活保障", "social_assistance", "civil_affairs", 420, "monthly", 5.0, (1950, 1995), 0.2),
    (2, "tekun", "特困人员救助供养", "social_assistance", "civil_affairs", 650, "monthly", 1.5, (1940, 1970), 0.5),
    (3, "farmland", "耕地地力保护补贴", "agriculture", "agriculture", 105, "yearly", 45.0, (1950, 1985), 0.1),
    (4, "housing", "农村危房改造", "housing", "housing", 30000, "one_off", 0.3, (1950, 1985), 0.0),
    (5, "disability", "残疾人两项补贴", "disability", "disabled_federation", 190, "monthly", 3.0, (1950, 2005), 0.2),
    (6, "elderly", "高龄津贴", "social_welfare", "civil_affairs", 100, "monthly", 4.0, (1936, 1946), 0.6),
]
DIBAO_ID = 1


def program_table() -> pd.DataFrame:
    """Rows of table fund_program."""
    return pd.DataFrame([p[:7] for p in PROGRAMS], columns=[
        "id", "code", "name", "category", "department", "per_person_standard", "payment_cycle"])


def window_months(ctx: Context) -> np.ndarray:
    """First days of the months overlapping the window (datetime64[D])."""
    first = np.datetime64(ctx.start, "M")
    last = np.datetime64(ctx.as_of, "M")
    return np.arange(first, last + 1).astype("datetime64[D]")


def enrolments(ctx: Context, villages: pd.DataFrame) -> pd.DataFrame:
    """All enrolments of all programmes, in programme then village order."""
    frames = [_program_enrolments(ctx, villages, p) for p in PROGRAMS]
    frame = pd.concat(frames, ignore_index=True)
    frame["key"] = keys(ctx.rng("beneficiary_keys"), len(frame), "B")
    return frame


def _program_enrolments(ctx: Context, villages: pd.DataFrame, program: tuple) -> pd.DataFrame:
    """Enrolments of one programme: Poisson count per village, entry/exit months."""
    pid, _, _, _, _, _standard, cycle, mean, years, death_share = program
    rng = ctx.rng("enrol", pid)
    n_months = len(window_months(ctx))
    scale = 2 if cycle == "one_off" else 1  # one-off: expected count per year x 2 years
    counts = rng.poisson(mean * scale * villages["population"].to_numpy() / 1650)
    idx = np.repeat(np.arange(len(villages)), counts)
    n = len(idx)
    enter = np.where(rng.random(n) < 0.12, rng.integers(0, n_months, n), 0)
    leaves = (rng.random(n) < 0.13) & (cycle == "monthly")
    exit_ = np.where(leaves, rng.integers(enter, n_months), n_months - 1)
    # deaths fall in the month after the last payment, so normal exits are never paid after death
    died = leaves & (rng.random(n) < death_share) & (exit_ < n_months - 1)
    months = window_months(ctx)
    death_month = months[np.minimum(exit_ + 1, n_months - 1)]
    deceased = np.where(died, death_month + rng.integers(0, 28, n), np.datetime64("NaT"))
    deceased[died & (deceased > ctx.end64)] = np.datetime64("NaT")
    return pd.DataFrame({
        "program_id": pid, "village_code": villages["code"].to_numpy()[idx],
        "county_code": villages["county_code"].to_numpy()[idx],
        "enter_m": enter, "exit_m": exit_, "amount": _amounts(rng, program, n),
        "birth_year": rng.integers(years[0], years[1] + 1, n),
        "deceased_date": deceased.astype("datetime64[D]"),
        "due_day": rng.integers(0, 7 * 104, n) if cycle == "one_off" else 0,
    })


def _amounts(rng: np.random.Generator, program: tuple, n: int) -> np.ndarray:
    """Amount per payment: household-specific for 低保 and farmland, fixed otherwise."""
    code, standard = program[1], program[5]
    if code == "dibao":
        return np.round(standard * rng.uniform(0.6, 1.6, n))
    if code == "farmland":
        return np.round(standard * rng.lognormal(np.log(3.5), 0.5, n), 2)
    if code == "housing":
        return np.round(rng.uniform(20000, 40000, n), -2)
    return np.full(n, float(standard))
