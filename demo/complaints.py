"""Complaints and reports (投诉举报): volumes, channels, categories, repeats, identities.

Weekly volume per village is Poisson: population x county complaint rate x village noise
x season (Spring Festival and Golden Week dips). Planted: a three-week surge in one
township ending in the as-of week. About 6 % of complaints are repeated (same village and
category within 30 days), linked through repeat_of. Workflow timestamps come from
`demo.workflow`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from demo import texts
from demo.context import WEEKS, Context, spread_days, week_factors
from demo.names import id_numbers, person_names, phones
from demo.plan import SURGE_MULTIPLIER, Plan
from demo.workflow import workflow

RATE_PER_PERSON_WEEK = 1.9e-4


def complaints(ctx: Context, villages: pd.DataFrame, counties: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """All complaint rows with ids, sorted by received_at."""
    counts = _weekly_counts(ctx, villages, counties, plan)
    rng = ctx.rng("complaint_rows")
    vidx = np.repeat(np.repeat(np.arange(len(villages)), WEEKS), counts.ravel())
    week = np.repeat(np.tile(np.arange(WEEKS), len(villages)), counts.ravel())
    received = _moments(rng, ctx.week_starts()[week])
    frame = pd.DataFrame({
        "vidx": vidx, "received_at": received,
        "channel": rng.choice(np.array(texts.CHANNELS, dtype=object), len(vidx), p=texts.CHANNEL_SHARES),
        "category": rng.choice(np.array(texts.CATEGORIES, dtype=object), len(vidx), p=texts.CATEGORY_SHARES),
    })
    frame = _with_repeats(ctx, frame)
    frame = workflow(ctx, frame, counties.set_index("code")["slowness"].reindex(
        villages["county_code"].to_numpy()[frame["vidx"].to_numpy()]).to_numpy())
    return _finish(ctx, frame, villages)


def _weekly_counts(ctx: Context, villages: pd.DataFrame, counties: pd.DataFrame, plan: Plan) -> np.ndarray:
    """Complaints per village (rows) and week (columns), surge included."""
    rng = ctx.rng("complaint_counts")
    rate = counties.set_index("code")["complaint_rate"].reindex(villages["county_code"]).to_numpy()
    lam = RATE_PER_PERSON_WEEK * villages["population"].to_numpy() * rate * rng.lognormal(0, 0.3, len(villages))
    counts = rng.poisson(np.outer(lam, week_factors(ctx)))
    in_town = np.flatnonzero(villages["township_code"].to_numpy() == plan.surge_township)
    weekly = counts[in_town].sum(axis=0)
    base = weekly[WEEKS - 11:WEEKS - 3].mean()
    pop = villages["population"].to_numpy()[in_town]
    for w in range(WEEKS - 3, WEEKS):
        target = int(np.ceil(SURGE_MULTIPLIER * max(base, 2.0)))
        extra = max(0, target - weekly[w])
        counts[in_town, w] += rng.multinomial(extra, pop / pop.sum())
    plan.add_truth("complaint_surge", plan.surge_township, "", plan.surge_start, ctx.as_of,
                   multiplier=SURGE_MULTIPLIER, prior_8_week_mean=round(float(base), 2),
                   weekly_counts=counts[in_town, WEEKS - 3:].sum(axis=0).tolist())
    return counts


def _moments(rng: np.random.Generator, mondays: np.ndarray) -> np.ndarray:
    """Receipt moments: a day of the week (weekdays favoured) and office-ish hours."""
    n = len(mondays)
    day = mondays + spread_days(rng, n)
    hour = rng.choice(24, n, p=_HOURS / _HOURS.sum())
    seconds = hour * 3600 + rng.integers(0, 3600, n)
    return day.astype("datetime64[s]") + seconds


_HOURS = np.array([1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 12, 9, 12, 14, 14, 12, 9, 7, 6, 5, 4, 2, 1], float)


def _with_repeats(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    """Append repeats of ~6 % of complaints 2-25 days later, then sort and link repeat_of."""
    rng = ctx.rng("complaint_repeats")
    orig = np.flatnonzero(rng.random(len(frame)) < 0.06)
    rep = frame.iloc[orig].copy()
    rep["received_at"] = rep["received_at"].to_numpy() + rng.integers(2 * 86400, 25 * 86400, len(orig)).astype("timedelta64[s]")
    rep["channel"] = rng.choice(np.array(texts.CHANNELS, dtype=object), len(orig), p=texts.CHANNEL_SHARES)
    rep["orig"] = orig
    frame = frame.assign(orig=-1)
    last = (ctx.end64 + 1).astype("datetime64[s]")
    both = pd.concat([frame, rep[rep["received_at"].to_numpy() < last]], ignore_index=True)
    order = np.lexsort((np.arange(len(both)), both["received_at"].to_numpy()))
    new_id = np.empty(len(both), dtype=np.int64)
    new_id[order] = np.arange(1, len(both) + 1)
    both = both.iloc[order].reset_index(drop=True)
    o = both["orig"].to_numpy()
    both["repeat_of"] = pd.array(np.where(o >= 0, new_id[np.maximum(o, 0)], 0), dtype="Int64")
    both.loc[o < 0, "repeat_of"] = pd.NA
    both["id"] = np.arange(1, len(both) + 1)
    return both.drop(columns="orig")


def _finish(ctx: Context, frame: pd.DataFrame, villages: pd.DataFrame) -> pd.DataFrame:
    """Village code, department, content, case number and complainant identity."""
    rng = ctx.rng("complaint_text")
    n = len(frame)
    vidx = frame["vidx"].to_numpy()
    code = villages["code"].to_numpy()[vidx]
    frame["village_code"] = code
    frame["department"] = frame["category"].map(texts.DEPARTMENT)
    frame["content"] = texts.contents(rng, frame["category"].to_numpy(), villages["name"].to_numpy()[vidx])
    year = frame["received_at"].dt.year
    seq = frame.groupby([pd.Series(code).str.slice(0, 6), year]).cumcount().to_numpy() + 1
    frame["case_no"] = ("TS" + pd.Series(code).str.slice(0, 6) + year.astype(str)
                        + pd.Series(seq).astype(str).str.zfill(6)).to_numpy(dtype=object)
    frame["complainant_name"] = person_names(rng, n)
    frame["complainant_phone"] = phones(rng, n)
    frame["complainant_id_number"] = id_numbers(rng, pd.Series(code).str.slice(0, 6).to_numpy(),
                                                rng.integers(1950, 2004, n))
    frame["batch_id"] = ctx.batch_id
    return frame.drop(columns="vidx")
