"""Livelihood-fund rollups: allocations, payments and overdue payments (tables:
data/model/rollups.py).

- `rollup_payment_twp` (pandas, rollups.frames.payment_twp): payments, township x week x
  programme; `rollup_allocation_ty`: allocations, township x week x year x programme x
  source level; `rollup_payment_tw`: their township sums with the year-to-date columns.
- The /funds page reads them summed further, at the size it reads them (summing the
  township rows over a year at province scale, 1,900 townships, costs 200-400 ms):
  `rollup_funds_alloc_cy` (county x budget year x week x programme x source level),
  `rollup_funds_paid_cw` (county x week x calendar year x programme: paid/due amounts and
  counts) and `rollup_funds_overdue_tw`: payments outstanding at each week's Sunday (due on
  or before it, not paid by it), township x week x programme x age bucket (weeks since the
  due week: w1 = 0-1, w4 = 2-4, w13 = 5-13, w13p = more than 13).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import text

from data.model.rollups import (
    RollupAllocationTY,
    RollupFundsAllocCY,
    RollupFundsOverdueTW,
    RollupFundsPaidCW,
    RollupPaymentTW,
    RollupPaymentTWP,
)
from data.rollups import frames
from data.rollups.registry import Run, rollup
from data.rollups.sql import CTY, RUNNING, TWP

AGE_BUCKETS = ("w1", "w4", "w13", "w13p")  # weeks since due week: 0-1, 2-4, 5-13, >13

_ALLOCATION_TY = f"""
INSERT INTO rollup_allocation_ty (week_key, township_code, year, program_id, source_level,
  amount, entries)
SELECT k.week_key, {TWP.format('x.region_code')}, x.year, x.program_id, x.source_level,
  SUM(x.amount), COUNT(*)
FROM fund_allocation x JOIN calendar_day k ON k.day = x.allocated_on WHERE {{f_x}}
GROUP BY k.week_key, {TWP.format('x.region_code')}, x.year, x.program_id, x.source_level"""

_PAYMENT_TW = f"""
INSERT INTO rollup_payment_tw (week_key, township_code, ytd_year, paid_amount, paid_count,
  due_amount, due_count, paid_late_count, paid_amount_ytd, allocated_amount_ytd)
WITH {{weeks}},
towns AS (SELECT code AS township_code FROM region WHERE level = 'township' AND {{f_code}}
  UNION SELECT township_code FROM rollup_payment_twp WHERE {{f_t}}
  UNION SELECT township_code FROM rollup_allocation_ty WHERE {{f_t}}),
flows AS (SELECT week_key, township_code, SUM(paid_amount) AS paid_amount,
  SUM(paid_count) AS paid_count, SUM(due_amount) AS due_amount, SUM(due_count) AS due_count,
  SUM(paid_late_count) AS paid_late_count
  FROM rollup_payment_twp WHERE {{f_t}} GROUP BY week_key, township_code),
paid AS (SELECT p.week_key, p.township_code, SUM(p.paid_amount) AS amount
  FROM rollup_payment_twp p JOIN w ON w.week_key = p.week_key AND w.ytd_year = p.year
  WHERE {{f_t}} GROUP BY p.week_key, p.township_code),
alloc AS (SELECT wk, township_code, SUM(amount) AS amount FROM (
  SELECT CASE WHEN w.ytd_year < a.year THEN (SELECT MIN(w2.week_key) FROM w w2
    WHERE w2.ytd_year = a.year) ELSE a.week_key END AS wk, a.township_code, a.year, a.amount
  FROM rollup_allocation_ty a JOIN w ON w.week_key = a.week_key
  WHERE w.ytd_year <= a.year AND {{f_t}}) z GROUP BY wk, township_code)
SELECT w.week_key, t.township_code, w.ytd_year, COALESCE(f.paid_amount, 0),
  COALESCE(f.paid_count, 0), COALESCE(f.due_amount, 0), COALESCE(f.due_count, 0),
  COALESCE(f.paid_late_count, 0),
  COALESCE(SUM(COALESCE(p.amount, 0)) {RUNNING.format('t.township_code, w.ytd_year')}, 0),
  COALESCE(SUM(COALESCE(a.amount, 0)) {RUNNING.format('t.township_code, w.ytd_year')}, 0)
FROM w CROSS JOIN towns t
LEFT JOIN flows f ON f.week_key = w.week_key AND f.township_code = t.township_code
LEFT JOIN paid p ON p.week_key = w.week_key AND p.township_code = t.township_code
LEFT JOIN alloc a ON a.wk = w.week_key AND a.township_code = t.township_code"""

_ALLOC_CY = f"""
INSERT INTO rollup_funds_alloc_cy (year, county_code, week_key, program_id, source_level, amount)
SELECT year, {CTY.format('township_code')}, week_key, program_id, source_level, SUM(amount)
FROM rollup_allocation_ty GROUP BY year, {CTY.format('township_code')}, week_key, program_id,
 source_level"""

_PAID_CW = f"""
INSERT INTO rollup_funds_paid_cw (year, county_code, week_key, program_id, paid_amount,
 paid_count, due_amount, due_count)
SELECT year, {CTY.format('township_code')}, week_key, program_id, SUM(paid_amount),
 SUM(paid_count), SUM(due_amount), SUM(due_count)
FROM rollup_payment_twp GROUP BY year, {CTY.format('township_code')}, week_key, program_id"""


@rollup(RollupPaymentTWP, sources=("fund_payment",))
def payment_twp(run: Run) -> pd.DataFrame:
    return frames.payment_twp(run.payments())


@rollup(RollupAllocationTY, sources=("fund_allocation",))
def allocation_ty(run: Run) -> int:
    return run.insert_sql(_ALLOCATION_TY, f_x="x.region_code")


@rollup(RollupPaymentTW, sources=("region",), reads=(RollupPaymentTWP, RollupAllocationTY), dense=True)
def payment_tw(run: Run) -> int:
    return run.insert_sql(_PAYMENT_TW, f_t="township_code", f_code="code")


@rollup(RollupFundsAllocCY, sources=(), reads=(RollupAllocationTY,), partial=False)
def funds_alloc_cy(run: Run) -> int:
    return run.insert_sql(_ALLOC_CY)


@rollup(RollupFundsPaidCW, sources=(), reads=(RollupPaymentTWP,), partial=False)
def funds_paid_cw(run: Run) -> int:
    return run.insert_sql(_PAID_CW)


@rollup(RollupFundsOverdueTW, sources=("fund_payment", "calendar_day"), dense=True)
def funds_overdue_tw(run: Run) -> pd.DataFrame:
    return _overdue(run.conn, run.late_payments())


def _data_weeks(conn) -> list[int]:
    """Every ISO week of the calendar, in order (the weeks a payment can be outstanding in)."""
    return [r[0] for r in conn.execute(text(
        "SELECT DISTINCT week_key FROM calendar_day ORDER BY week_key"))]


def _overdue(conn, late: pd.DataFrame) -> pd.DataFrame:
    """Rows of rollup_funds_overdue_tw: each late group (frames.late_payments)
    expanded over the weeks it was open."""
    cols = ["week_key", "township_code", "program_id", "age_bucket", "payments", "amount"]
    weeks = np.array(_data_weeks(conn))
    if late.empty or not len(weeks):
        return pd.DataFrame(columns=cols)
    due_idx = np.searchsorted(weeks, late["due_week"].to_numpy(dtype=np.int64))
    paid = late["paid_week"].fillna(weeks[-1] * 10).to_numpy(dtype=np.int64)
    end_idx = np.minimum(np.searchsorted(weeks, paid), len(weeks))  # first week not outstanding
    span = np.maximum(end_idx - due_idx, 0)
    rows = np.repeat(np.arange(len(late)), span)
    age = np.arange(len(rows)) - np.repeat(np.cumsum(span) - span, span)
    expanded = late.iloc[rows][["township_code", "program_id", "payments", "amount"]].copy()
    expanded["week_key"] = weeks[due_idx[rows] + age]
    expanded["age_bucket"] = np.select([age <= 1, age <= 4, age <= 13], list(AGE_BUCKETS[:3]),
                                       AGE_BUCKETS[3])
    expanded["amount"] = expanded["amount"].astype(float)
    out = (expanded.groupby(["week_key", "township_code", "program_id", "age_bucket"], sort=True)
           [["payments", "amount"]].sum().reset_index())
    out["amount"] = out["amount"].round(2)
    return out[cols]
