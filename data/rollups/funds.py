"""Rollups of the fund-flows page (/funds), rebuilt after data/rollups.py's own.

The shared rollups are township-level; at province scale (1,900 townships, two years)
summing them over a year costs 200-400 ms in SQLite, so this module keeps what the
page reads at the size it reads it (all rebuilt inside the caller's transaction):

- `rollup_funds_alloc_cy`: allocations, county x budget year x week of allocated_on x
  programme x source level (from rollup_allocation_ty).
- `rollup_funds_paid_cw`: payments, county x ISO week x calendar year x programme
  (from rollup_payment_twp): paid/due amounts and counts.
- `rollup_funds_overdue_tw`: payments outstanding at each week's Sunday (due on or
  before it, not paid by it), township x week x programme x age bucket (weeks since
  the due week: w1 = 0-1, w4 = 2-4, w13 = 5-13, w13p = more than 13).
- `rollup_ledger_cm`: village finance, county x month x direction x category.
- `rollup_ledger_outlier_vy`: per village, calendar year and expense category, the
  per-capita spending with its county peers' quartiles and the upper IQR fence
  (Q3 + k x IQR, k = OUTLIER_K); only rows above the fence are kept.
- `rollup_disclosure_late_vw`: per village, week of due date and kind, the items due,
  published late and unpublished; only rows with a late or unpublished item.
"""
from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
from sqlalchemy import Float, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from data.rollups import frames
from data.model.rollups import Sum, _code_pk, _count, _money, _pk, _Rollup
from data.model.schema import Base

log = logging.getLogger(__name__)
OUTLIER_K = 3.0  # Tukey's "far out" fence: Q3 + 3 x IQR
AGE_BUCKETS = ("w1", "w4", "w13", "w13p")  # weeks since due week: 0-1, 2-4, 5-13, >13
CTY = "substr({0}, 1, 6) || '000000'"


class RollupFundsAllocCY(_Rollup, Base):
    """Allocations: county x budget year x week of allocated_on x programme x source level."""
    __tablename__ = "rollup_funds_alloc_cy"
    year: Mapped[int] = _pk()
    county_code: Mapped[str] = _code_pk()
    week_key: Mapped[int] = _pk()
    program_id: Mapped[int] = _pk()
    source_level: Mapped[str] = _pk(String(12))
    amount: Mapped[float] = _money()


class RollupFundsPaidCW(_Rollup, Base):
    """Payments: county x ISO week x calendar year x programme (sums of rollup_payment_twp)."""
    __tablename__ = "rollup_funds_paid_cw"
    year: Mapped[int] = _pk()
    county_code: Mapped[str] = _code_pk()
    week_key: Mapped[int] = _pk()
    program_id: Mapped[int] = _pk()
    paid_amount: Mapped[float] = _money()
    paid_count: Mapped[int] = _count()
    due_amount: Mapped[float] = _money()
    due_count: Mapped[int] = _count()


class RollupFundsOverdueTW(_Rollup, Base):
    """Payments outstanding at the week's Sunday: township x week x programme x age bucket."""
    __tablename__ = "rollup_funds_overdue_tw"
    week_key: Mapped[int] = _pk()
    township_code: Mapped[str] = _code_pk()
    program_id: Mapped[int] = _pk()
    age_bucket: Mapped[str] = _pk(String(6))
    payments: Mapped[int] = _count()
    amount: Mapped[float] = _money()


class RollupLedgerCM(_Rollup, Base):
    """Village finance: county x month x direction x category (from rollup_ledger_tm)."""
    __tablename__ = "rollup_ledger_cm"
    month_key: Mapped[int] = _pk()
    county_code: Mapped[str] = _code_pk()
    direction: Mapped[str] = _pk(String(8))
    category: Mapped[str] = _pk(String(24))
    amount: Mapped[float] = _money()
    entries: Mapped[int] = _count()


class RollupLedgerOutlierVY(_Rollup, Base):
    """Villages whose per-capita spending in a category is above their county's IQR fence."""
    __tablename__ = "rollup_ledger_outlier_vy"
    year: Mapped[int] = _pk()
    village_code: Mapped[str] = _code_pk()
    category: Mapped[str] = _pk(String(24))
    amount: Mapped[float] = _money()
    population: Mapped[int] = _count()
    per_capita: Mapped[float] = mapped_column(Float, nullable=False)
    peers: Mapped[int] = _count()
    q1: Mapped[float] = mapped_column(Float, nullable=False)
    median: Mapped[float] = mapped_column(Float, nullable=False)
    q3: Mapped[float] = mapped_column(Float, nullable=False)
    fence: Mapped[float] = mapped_column(Float, nullable=False)


class RollupDisclosureLateVW(_Rollup, Base):
    """Disclosure items not published on time: village x week of due date x kind."""
    __tablename__ = "rollup_disclosure_late_vw"
    week_key: Mapped[int] = _pk()
    village_code: Mapped[str] = _code_pk()
    kind: Mapped[str] = _pk(String(16))
    due: Mapped[int] = _count()
    published_late: Mapped[int] = _count()
    unpublished: Mapped[int] = _count()


FUNDS_ROLLUP_CLASSES = (RollupFundsAllocCY, RollupFundsPaidCW, RollupFundsOverdueTW,
                        RollupLedgerCM, RollupLedgerOutlierVY, RollupDisclosureLateVW)
FUNDS_ROLLUP_TABLES = tuple(cls.__table__ for cls in FUNDS_ROLLUP_CLASSES)
_ = (Integer, Sum)  # re-exported types used by the migration

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

_LEDGER_CM = f"""
INSERT INTO rollup_ledger_cm (month_key, county_code, direction, category, amount, entries)
SELECT month_key, {CTY.format('township_code')}, direction, category, SUM(amount), SUM(entries)
FROM rollup_ledger_tm GROUP BY month_key, {CTY.format('township_code')}, direction, category"""

_DISCLOSURE_LATE = """
INSERT INTO rollup_disclosure_late_vw (week_key, village_code, kind, due, published_late,
 unpublished)
SELECT k.week_key, x.village_code, x.kind, COUNT(*),
 SUM(CASE WHEN x.published_date > x.due_date THEN 1 ELSE 0 END),
 SUM(CASE WHEN x.published_date IS NULL THEN 1 ELSE 0 END)
FROM disclosure x JOIN calendar_day k ON k.day = x.due_date
WHERE x.published_date IS NULL OR x.published_date > x.due_date
GROUP BY k.week_key, x.village_code, x.kind"""


def rebuild_funds(conn, late: pd.DataFrame | None = None) -> dict[str, int]:
    """Delete and rebuild every funds rollup (after data.rollups' tables); rows per table.

    late: rollup_frames.late_payments of every payment, when the caller has it already.
    """
    counts = {}
    late = frames.late_payments(frames.read_payments(conn)) if late is None else late
    steps = ((RollupFundsAllocCY, _ALLOC_CY), (RollupFundsPaidCW, _PAID_CW),
             (RollupLedgerCM, _LEDGER_CM), (RollupDisclosureLateVW, _DISCLOSURE_LATE),
             (RollupFundsOverdueTW, lambda c: _overdue(c, late)), (RollupLedgerOutlierVY, _outliers))
    for cls, build in steps:
        started = time.perf_counter()
        conn.execute(text(f"DELETE FROM {cls.__tablename__}"))
        if isinstance(build, str):
            counts[cls.__tablename__] = conn.execute(text(build)).rowcount
        else:
            counts[cls.__tablename__] = _insert(conn, cls, build(conn))
        log.info("rebuilt %s in %.2f s", cls.__tablename__, time.perf_counter() - started)
    return counts


def _insert(conn, cls, frame: pd.DataFrame) -> int:
    from data.model.db import insert_plain
    return insert_plain(conn, cls.__table__, frame)


def _data_weeks(conn) -> list[int]:
    """Every ISO week of the calendar, in order (the weeks a payment can be outstanding in)."""
    return [r[0] for r in conn.execute(text(
        "SELECT DISTINCT week_key FROM calendar_day ORDER BY week_key"))]


def _overdue(conn, late: pd.DataFrame) -> pd.DataFrame:
    """Rows of rollup_funds_overdue_tw: each late group (rollup_frames.late_payments)
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


def _outliers(conn) -> pd.DataFrame:
    """Rows of rollup_ledger_outlier_vy: above-fence villages per year, county and category."""
    spend = pd.DataFrame(conn.execute(text(
        "SELECT month_key / 100 AS year, village_code, category, SUM(amount) FROM rollup_ledger_vm "
        "WHERE direction = 'expense' GROUP BY month_key / 100, village_code, category")).all(),
        columns=["year", "village_code", "category", "amount"])
    villages = pd.DataFrame(conn.execute(text(
        "SELECT code, population FROM region WHERE level = 'village'")).all(),
        columns=["village_code", "population"])
    return iqr_outliers(spend, villages, OUTLIER_K)


def iqr_outliers(spend: pd.DataFrame, villages: pd.DataFrame, k: float = OUTLIER_K) -> pd.DataFrame:
    """Villages whose per-capita spending in a category is above Q3 + k x IQR of their county.

    spend: year, village_code, category, amount; villages: village_code, population (every
    village of the region, so villages without spending count as 0 among their peers).
    Villages with no population are left out (per capita undefined).
    """
    cols = ["year", "village_code", "category", "amount", "population", "per_capita", "peers",
            "q1", "median", "q3", "fence"]
    people = villages[villages["population"] > 0]
    if spend.empty or people.empty:
        return pd.DataFrame(columns=cols)
    grid = pd.MultiIndex.from_product(
        [sorted(spend["year"].unique()), people["village_code"], sorted(spend["category"].unique())],
        names=["year", "village_code", "category"])
    full = (spend.assign(amount=spend["amount"].astype(float))
            .groupby(["year", "village_code", "category"])["amount"].sum()
            .reindex(grid, fill_value=0.0).reset_index()
            .merge(people, on="village_code"))
    full["per_capita"] = full["amount"] / full["population"]
    full["county"] = full["village_code"].str.slice(0, 6)
    groups = full.groupby(["year", "county", "category"])["per_capita"]
    full["q1"], full["median"], full["q3"] = (groups.transform(lambda s, q=q: s.quantile(q))
                                              for q in (0.25, 0.5, 0.75))
    full["peers"] = groups.transform("size")
    full["fence"] = full["q3"] + k * (full["q3"] - full["q1"])
    flagged = full[(full["per_capita"] > full["fence"]) & (full["peers"] >= 4)]
    return flagged[cols].reset_index(drop=True)


def main(url: str | None = None) -> None:
    """Fill the funds rollups of an existing database (DATABASE_URL by default), once
    after upgrading it to revision 0002_funds:
    `python -c 'from data.rollups.funds import main; main()' [URL]`."""
    import sys

    from data.model.db import make_engine
    from data.model.migrate import upgrade
    from settings import load_settings

    logging.basicConfig(level=logging.INFO)
    url = url or (sys.argv[1] if len(sys.argv) > 1 else load_settings().database_url)
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        print(rebuild_funds(conn))
    engine.dispose()

