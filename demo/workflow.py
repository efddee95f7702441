"""Complaint workflow timestamps: received -> accepted -> assigned -> replied -> closed.

Due date = 10 working days after receipt (15 for land and project-quality cases), with
the official holiday calendar. Handling time depends on the county (`slowness`), so some
counties close late more often; anything after as_of is not known yet (NULL), so recent
complaints are open. About 85 % of closed cases are rated, late ones rated worse.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from data.calendar import working_days_after as due_dates
from demo import texts
from demo.context import Context

SATISFACTION = np.array(["very_satisfied", "satisfied", "basic", "unsatisfied"], dtype=object)
_HOUR = np.timedelta64(3600, "s")


def workflow(ctx: Context, frame: pd.DataFrame, slowness: np.ndarray) -> pd.DataFrame:
    """Add the workflow columns to `frame` (received_at, category, id set)."""
    rng = ctx.rng("complaint_workflow")
    n = len(frame)
    received = frame["received_at"].to_numpy().astype("datetime64[s]")
    n_days = frame["category"].map(texts.WORKING_DAYS_DUE).fillna(10).to_numpy(dtype=np.int64)
    due = due_dates(received.astype("datetime64[D]"), n_days)
    accepted_ok = rng.random(n) >= 0.03
    accepted = received + _hours(rng, 0.2, 24, n)
    assigned = accepted + _hours(rng, 0.5, 48, n)
    # calendar days of handling: lognormal around 7.5 days, longer in slow counties
    handling = rng.lognormal(np.log(7.5), 0.55, n) * slowness * (n_days / 10)
    closed = received + (handling * 86400).astype("timedelta64[s]")
    stuck = rng.random(n) < 0.004
    replied = np.maximum(assigned, closed - _hours(rng, 0, 48, n))
    dismissed = ~accepted_ok
    replied[dismissed] = received[dismissed] + _hours(rng, 12, 48, dismissed.sum())
    closed[dismissed] = replied[dismissed]
    cutoff = (ctx.end64 + 1).astype("datetime64[s]")
    nat = np.datetime64("NaT", "s")
    accepted = np.where(accepted_ok & (accepted < cutoff), accepted, nat)
    assigned = np.where(accepted_ok & (assigned < cutoff), assigned, nat)
    replied = np.where(~stuck & (replied < cutoff), replied, nat)
    closed = np.where(~stuck & (closed < cutoff), closed, nat)
    frame["accepted_at"], frame["assigned_at"] = accepted, assigned
    frame["replied_at"], frame["closed_at"] = replied, closed
    frame["due_date"] = due
    frame["time_limit_days"] = n_days
    frame["status"] = np.select([~np.isnat(closed), ~np.isnat(replied), ~np.isnat(accepted)],
                                ["已办结", "已答复", "已受理"], "待受理")
    frame["satisfaction"] = _satisfaction(rng, closed, due, dismissed)
    return frame


def _hours(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    """Random durations between `low` and `high` hours, as timedelta64[s]."""
    return (rng.uniform(low, high, n) * 3600).astype("timedelta64[s]")


def _satisfaction(rng: np.random.Generator, closed: np.ndarray, due: np.ndarray,
                  dismissed: np.ndarray) -> np.ndarray:
    """Rating of closed cases (about 85 % rated); late and dismissed ones rated worse."""
    n = len(closed)
    late = closed.astype("datetime64[D]") > due
    good = rng.choice(4, n, p=[0.52, 0.33, 0.10, 0.05])
    bad = rng.choice(4, n, p=[0.15, 0.30, 0.28, 0.27])
    pick = np.where(late | dismissed, bad, good)
    out = SATISFACTION[pick]
    out[np.isnat(closed) | (rng.random(n) > 0.85)] = None
    return out
