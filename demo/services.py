"""我要办 service requests: matter, village, submitted, due (working days), completed, rating.

Volumes follow population and season like complaints (about 0.25 per village per
week); each matter has its statutory time limit in working days; most are completed
in time, slow counties less often; requests still running on as_of have no completion.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from data.calendar import working_days_after as due_dates
from demo.context import WEEKS, Context, spread_days, week_factors
from demo.names import numbered

# matter, share, time limit in working days
MATTERS = [("residence_certificate", 0.22, 3), ("subsidy_application", 0.18, 15),
           ("homestead_approval", 0.08, 20), ("medical_insurance", 0.17, 5),
           ("pension_insurance", 0.12, 5), ("land_contract_change", 0.06, 15),
           ("hardship_certificate", 0.10, 3), ("business_license_help", 0.07, 10)]


def service_requests(ctx: Context, villages: pd.DataFrame, counties: pd.DataFrame) -> pd.DataFrame:
    """All service_request rows with ids, sorted by submission time."""
    rng = ctx.rng("service_requests")
    lam = 0.25 * villages["population"].to_numpy() / 1650
    counts = rng.poisson(np.outer(lam, week_factors(ctx)))
    vidx = np.repeat(np.repeat(np.arange(len(villages)), WEEKS), counts.ravel())
    week = np.repeat(np.tile(np.arange(WEEKS), len(villages)), counts.ravel())
    n = len(vidx)
    day = ctx.week_starts()[week] + spread_days(rng, n)
    submitted = day.astype("datetime64[s]") + rng.integers(8 * 3600, 20 * 3600, n)
    m = rng.choice(len(MATTERS), n, p=[x[1] for x in MATTERS])
    limit = np.array([x[2] for x in MATTERS])[m]
    due = due_dates(day, limit)
    slowness = counties.set_index("code")["slowness"].reindex(
        villages["county_code"].to_numpy()[vidx]).to_numpy()
    took = rng.lognormal(np.log(limit * 0.6), 0.5) * slowness
    completed = submitted + (took * 86400).astype("timedelta64[s]")
    completed[completed >= (ctx.end64 + 1).astype("datetime64[s]")] = np.datetime64("NaT")
    late = completed.astype("datetime64[D]") > due
    rating = np.where(late, rng.choice([1, 2, 3, 4, 5], n, p=[0.15, 0.2, 0.3, 0.2, 0.15]),
                      rng.choice([1, 2, 3, 4, 5], n, p=[0.02, 0.03, 0.1, 0.35, 0.5]))
    rated = ~np.isnat(completed) & (rng.random(n) < 0.7)
    frame = pd.DataFrame({
        "matter": np.array([x[0] for x in MATTERS], dtype=object)[m],
        "village_code": villages["code"].to_numpy()[vidx], "submitted_at": submitted,
        "due_date": due, "time_limit_days": limit, "completed_at": completed,
        "rating": pd.array(np.where(rated, rating, 0), dtype="Int64")})
    frame.loc[~rated, "rating"] = pd.NA
    frame = frame.sort_values("submitted_at", kind="stable").reset_index(drop=True)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    frame["request_no"] = numbered("BS", frame["id"], 8)
    return frame
