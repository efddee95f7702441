"""The comparison registry (table person) and the protected beneficiary identities.

person holds beneficiaries (person_key = beneficiary_key), village cadres with their
official post, and some cadres' relatives (relative_of = the cadre's key): exactly what
information-comparison rules cross-check. Real names and ID numbers exist only in
beneficiary_identity (protected). Planted: a cadre's relative receiving 低保.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from demo.beneficiaries import DIBAO_ID, window_months
from demo.context import Context
from demo.names import id_numbers, keys, person_names
from demo.plan import Plan

POSTS = ("village_secretary", "village_director", "accountant", "committee_member")
PERSON_COLUMNS = ["person_key", "village_code", "birth_year", "deceased_date", "official_post",
                  "relative_of", "has_vehicle", "has_property"]


def cadres_and_relatives(ctx: Context, villages: pd.DataFrame) -> pd.DataFrame:
    """Village cadres (4 posts + extra committee members) and some of their relatives."""
    rng = ctx.rng("cadres")
    extra = rng.poisson(1.0, len(villages))
    per_village = 4 + extra
    vidx = np.repeat(np.arange(len(villages)), per_village)
    rank = np.arange(len(vidx)) - np.repeat(np.cumsum(per_village) - per_village, per_village)
    posts = np.array(POSTS, dtype=object)[np.minimum(rank, 3)]
    n = len(vidx)
    cadres = pd.DataFrame({
        "person_key": keys(rng, n, "P"), "village_code": villages["code"].to_numpy()[vidx],
        "birth_year": rng.integers(1960, 1996, n), "official_post": posts, "relative_of": None,
        "has_vehicle": rng.random(n) < 0.45, "has_property": rng.random(n) < 0.2})
    n_rel = rng.poisson(0.8, n)
    ridx = np.repeat(np.arange(n), n_rel)
    m = len(ridx)
    relatives = pd.DataFrame({
        "person_key": keys(ctx.rng("relatives"), m, "R"),
        "village_code": cadres["village_code"].to_numpy()[ridx],
        "birth_year": rng.integers(1940, 2005, m), "official_post": None,
        "relative_of": cadres["person_key"].to_numpy()[ridx],
        "has_vehicle": rng.random(m) < 0.2, "has_property": rng.random(m) < 0.05})
    both = pd.concat([cadres, relatives], ignore_index=True)
    both["deceased_date"] = np.datetime64("NaT", "D")
    return both[PERSON_COLUMNS]


def plant_relative_benefit(ctx: Context, plan: Plan, officials: pd.DataFrame,
                           enrol: pd.DataFrame) -> pd.DataFrame:
    """Add a relative of a village director/secretary enrolled in 低保 for the last 10 months.

    Returns the enrolments with the new row appended; the relative is added to `officials`
    by the caller through the returned frame's key (see `persons`).
    """
    rng = ctx.rng("plant_relative")
    heads = officials[(officials["village_code"] == plan.relative_village)
                      & officials["official_post"].isin(POSTS[:2])]
    cadre = heads.iloc[int(rng.integers(len(heads)))]
    n_months = len(window_months(ctx))
    row = {"program_id": DIBAO_ID, "village_code": plan.relative_village,
           "county_code": plan.relative_village[:6] + "000000", "enter_m": n_months - 10,
           "exit_m": n_months - 1, "amount": 520.0, "birth_year": 1968,
           "deceased_date": np.datetime64("NaT", "D"), "due_day": 0,
           "key": keys(rng, 1, "B")[0], "relative_of": cadre["person_key"]}
    first_due = window_months(ctx)[n_months - 10] + 9
    plan.add_truth("cadre_relative_benefit", plan.relative_village, row["key"], first_due,
                   ctx.as_of, cadre_key=cadre["person_key"], post=cadre["official_post"],
                   program_id=DIBAO_ID)
    return pd.concat([enrol, pd.DataFrame([row])], ignore_index=True)


def persons(ctx: Context, enrol: pd.DataFrame, officials: pd.DataFrame) -> pd.DataFrame:
    """Table person: one row per beneficiary enrolment key plus cadres and relatives."""
    rng = ctx.rng("person_flags")
    n = len(enrol)
    poor = enrol["program_id"].isin([1, 2]).to_numpy()
    relative_of = enrol["relative_of"] if "relative_of" in enrol else pd.Series([None] * n)
    beneficiaries = pd.DataFrame({
        "person_key": enrol["key"].to_numpy(), "village_code": enrol["village_code"].to_numpy(),
        "birth_year": enrol["birth_year"].to_numpy(),
        "deceased_date": enrol["deceased_date"].to_numpy(), "official_post": None,
        "relative_of": relative_of.astype(object).where(relative_of.notna(), None).to_numpy(),
        "has_vehicle": rng.random(n) < np.where(poor, 0.006, 0.08),
        "has_property": rng.random(n) < np.where(poor, 0.003, 0.03)})
    out = pd.concat([beneficiaries, officials], ignore_index=True)[PERSON_COLUMNS]
    out["relation"] = np.where(out["relative_of"].notna(), "亲属", "")
    return out


def identities(ctx: Context, enrol: pd.DataFrame) -> pd.DataFrame:
    """Protected table beneficiary_identity: name and fake ID number per beneficiary key."""
    rng = ctx.rng("identities")
    county6 = enrol["village_code"].str.slice(0, 6).to_numpy()
    return pd.DataFrame({
        "beneficiary_key": enrol["key"].to_numpy(),
        "name": person_names(rng, len(enrol)),
        "id_number": id_numbers(rng, county6, enrol["birth_year"].to_numpy())})
