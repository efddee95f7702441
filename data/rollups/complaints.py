"""Complaint and service-request rollups (tables: data/model/rollups.py).

- `rollup_complaint_twcc` (pandas, rollups.frames.complaint_twcc) and `rollup_complaint_tw`
  (SQL, with the open-overdue count at each Sunday): township-level, read by the overview,
  map and briefing.

The township rollups have no department, no cohort funnel and no handling times; at
province scale (1,900 townships, two years) summing them over a region costs 100-400 ms.
So the complaints page reads these, already summed at every level a user can pick:

- `rollup_complaint_rwd`: complaints, region x dimension value x ISO week, for
  regions of level province, city and county with dimensions `all` (value ''),
  `category`, `channel` and `department`, and for townships with `all` and
  `department`. Measures, each counted in the week of its own event:
  - week of received_at: `received`, `accepted` (accepted_at set), `repeats`
    (repeat_of set) and the cohort funnel of those complaints as loaded:
    `c_replied` (replied_at set), `c_closed` (closed_at set);
  - week of closed_at: `closed`, `replied` (replied_at set), `rated`, `satisfied`
    (very_satisfied | satisfied) — the same definitions as rollup_complaint_twcc — and
    `close_days` (sum of days from receipt to closure);
  - week of due_date: `due`, `due_on_time` (date(closed_at) <= due_date);
  - week of replied_at: `reply_n`, `reply_days` (sum of days from receipt to the first reply).
- `rollup_service_rwm`: 我要办 service requests, region (all four levels) x matter x
  ISO week: `submitted` (week of submitted_at); `completed`, `rated`, `rating_sum`,
  `rating_1` … `rating_5` (week of completed_at); `due`, `due_on_time`
  (date(completed_at) <= due_date) by the week of due_date.

The record-list indexes of the page (`ix_complaint_open`, `ix_service_request_open`) are
declared with the tables in data/model/rollups.py.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from data.model.rollups import (
    RollupComplaintRWD,
    RollupComplaintTW,
    RollupComplaintTWCC,
    RollupServiceRWM,
)
from data.rollups import frames
from data.rollups.registry import Run, rollup
from data.rollups.sql import TWP

LEVEL_PREFIX = {"province": 2, "city": 4, "county": 6, "township": 9}
TOWNSHIP_DIMS = ("all", "department")
DIMS = ("all", "category", "channel", "department")
RATING_STARS = (1, 2, 3, 4, 5)


COMPLAINT_MEASURES = tuple(frames.COMPLAINT_MEASURES)
SERVICE_MEASURES = ("submitted", "completed", "due", "due_on_time", "rated", "rating_sum",
                    *(f"rating_{s}" for s in RATING_STARS))
_COMPLAINT_TW = f"""
INSERT INTO rollup_complaint_tw (week_key, township_code, received, accepted, repeats, closed,
  replied, rated, satisfied, due, due_on_time, open_overdue_end)
WITH {{weeks}},
towns AS (SELECT code AS township_code FROM region WHERE level = 'township' AND {{f_code}}
  UNION SELECT DISTINCT township_code FROM rollup_complaint_twcc WHERE {{f_t}}),
ov AS (SELECT {TWP.format('x.village_code')} AS township_code, kd.week_key AS due_week,
  x.due_date, kc.week_key AS closed_week, COUNT(*) AS n
  FROM complaint x JOIN calendar_day kd ON kd.day = x.due_date
  LEFT JOIN calendar_day kc ON kc.day = date(x.closed_at)
  WHERE (x.closed_at IS NULL OR date(x.closed_at) > x.due_date) AND {{f_x}}
  GROUP BY {TWP.format('x.village_code')}, kd.week_key, x.due_date, kc.week_key),
iv AS (SELECT township_code, closed_week, n, CASE WHEN due_date < (SELECT MAX(k.day)
  FROM calendar_day k WHERE k.week_key = ov.due_week) THEN due_week ELSE (SELECT MIN(k.week_key)
  FROM calendar_day k WHERE k.week_key > ov.due_week) END AS start_week FROM ov),
u AS (SELECT w.week_key, t.township_code, 1 AS grid, 0 AS a, 0 AS b, 0 AS c, 0 AS d, 0 AS e,
  0 AS f, 0 AS g, 0 AS h, 0 AS i, 0 AS delta FROM w CROSS JOIN towns t
 UNION ALL SELECT week_key, township_code, 0, received, accepted, repeats, closed, replied,
  rated, satisfied, due, due_on_time, 0 FROM rollup_complaint_twcc WHERE {{f_t}}
 UNION ALL SELECT start_week, township_code, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, n FROM iv
  WHERE closed_week IS NULL OR closed_week > start_week
 UNION ALL SELECT closed_week, township_code, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -n FROM iv
  WHERE closed_week > start_week)
SELECT week_key, township_code, SUM(a), SUM(b), SUM(c), SUM(d), SUM(e), SUM(f), SUM(g), SUM(h),
  SUM(i), SUM(SUM(delta)) OVER (PARTITION BY township_code ORDER BY week_key
  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
FROM u GROUP BY week_key, township_code HAVING MAX(grid) = 1"""


@rollup(RollupComplaintTWCC, sources=("complaint",))
def complaint_twcc(run: Run) -> pd.DataFrame:
    return frames.complaint_twcc(run.complaint_events())


@rollup(RollupComplaintTW, sources=("region",), reads=(RollupComplaintTWCC,), dense=True)
def complaint_tw(run: Run) -> int:
    return run.insert_sql(_COMPLAINT_TW, f_x="x.village_code", f_t="township_code", f_code="code")


@rollup(RollupComplaintRWD, sources=("complaint",), partial=False)
def build_complaint_rwd(run: Run) -> pd.DataFrame:
    return complaint_rwd(run.complaint_events())


@rollup(RollupServiceRWM, sources=("service_request",), partial=False)
def build_service_rwm(run: Run) -> pd.DataFrame:
    return service_rwm(run.services())


def complaint_rwd(events: pd.DataFrame) -> pd.DataFrame:
    """rollup_complaint_rwd rows from the township events (frames.complaint_events)."""
    parts = []
    for level, dims in _levels():
        region = _region_codes(events["township_code"], level)
        for dim in dims:
            value = "" if dim == "all" else events[dim].to_numpy()
            rows = (events.assign(region_code=region, value=value)
                    .groupby(["week_key", "region_code", "value"], sort=False, dropna=False)[list(COMPLAINT_MEASURES)]
                    .sum().reset_index())
            parts.append(rows.assign(level=level, dim=dim))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["dim", "level", "week_key", "region_code", "value"], ignore_index=True)


def service_rwm(requests: pd.DataFrame) -> pd.DataFrame:
    """rollup_service_rwm rows: township events by week of submission, completion and due
    date (see the module doc), summed at every level."""
    submitted, completed = frames.days(requests["submitted_at"]), frames.days(requests["completed_at"])
    due = frames.days(requests["due_date"])
    keys = pd.DataFrame({"township_code": frames.townships(requests["village_code"]),
                         "matter": requests["matter"].to_numpy()})
    is_done, has_due = ~np.isnat(completed), ~np.isnat(due)
    rating = pd.to_numeric(requests["rating"]).astype(float).to_numpy()[is_done]
    stars = {f"rating_{s}": (rating == s).astype(np.int64) for s in RATING_STARS}
    events = pd.concat([
        keys.assign(week_key=frames.week_keys(submitted), submitted=1),
        keys[is_done].assign(week_key=frames.week_keys(completed[is_done]), completed=1,
                             rated=(~np.isnan(rating)).astype(np.int64),
                             rating_sum=np.nan_to_num(rating).astype(np.int64), **stars),
        keys[has_due].assign(week_key=frames.week_keys(due[has_due]), due=1,
                             due_on_time=(is_done & (completed <= due))[has_due].astype(np.int64)),
    ], ignore_index=True).fillna(dict.fromkeys(SERVICE_MEASURES, 0)).astype(dict.fromkeys(SERVICE_MEASURES, np.int64))
    parts = []
    for level, _ in _levels():
        rows = (events.assign(region_code=_region_codes(events["township_code"], level))
                .groupby(["region_code", "matter", "week_key"], sort=False, dropna=False)[list(SERVICE_MEASURES)]
                .sum().reset_index())
        parts.append(rows.assign(level=level))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["level", "region_code", "matter", "week_key"], ignore_index=True)


def _levels():
    """(level, dimensions kept at that level) from the province down to townships."""
    return [(level, TOWNSHIP_DIMS if level == "township" else DIMS) for level in LEVEL_PREFIX]


def _region_codes(townships: pd.Series, level: str) -> np.ndarray:
    """The level's region code of each township code."""
    return frames.code_prefixes(townships, LEVEL_PREFIX[level])
