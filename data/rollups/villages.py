"""Village finance and disclosure rollups (tables: data/model/rollups.py).

- `rollup_ledger_vm` / `rollup_ledger_tm` (pandas, rollups.frames): village finance by
  village or township x month x direction x category; `rollup_reporting_tw`: per
  township and week, its villages and those that booked an entry in the month whose
  ledger was last due by the week's Sunday (reporting completeness, 数据报送完整率);
  `rollup_disclosure_tw`: disclosure items by week of due date x kind.
- Read by the /funds page: `rollup_ledger_cm` (county x month x direction x category);
  `rollup_ledger_outlier_vy`: per village, calendar year and expense category, the
  per-capita spending with its county peers' quartiles and the upper IQR fence
  (Q3 + k x IQR, k = OUTLIER_K), only rows above the fence; `rollup_disclosure_late_vw`:
  per village, week of due date and kind, the items due, published late and unpublished,
  only rows with a late or unpublished item.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import text

from data.model.rollups import (
    RollupDisclosureLateVW,
    RollupDisclosureTW,
    RollupLedgerCM,
    RollupLedgerOutlierVY,
    RollupLedgerTM,
    RollupLedgerVM,
    RollupReportingTW,
)
from data.rollups import frames
from data.rollups.registry import Run, rollup
from data.rollups.sql import CTY, TWP

OUTLIER_K = 3.0  # Tukey's "far out" fence: Q3 + 3 x IQR

_REPORTING_TW = f"""
INSERT INTO rollup_reporting_tw (week_key, township_code, villages, villages_reported)
WITH {{weeks}},
vc AS (SELECT {TWP.format('code')} AS township_code, COUNT(*) AS villages FROM region
  WHERE level = 'village' AND {{f_code}} GROUP BY {TWP.format('code')}),
rep AS (SELECT {TWP.format('x.village_code')} AS township_code, x.month_key, COUNT(DISTINCT x.village_code) AS n
  FROM rollup_ledger_vm x WHERE {{f_x}} GROUP BY {TWP.format('x.village_code')}, x.month_key),
towns AS (SELECT township_code, SUM(villages) AS villages FROM (
  SELECT code AS township_code, 0 AS villages FROM region WHERE level = 'township' AND {{f_code}}
  UNION ALL SELECT township_code, villages FROM vc
  UNION ALL SELECT DISTINCT township_code, 0 FROM rep) z GROUP BY township_code)
SELECT w.week_key, t.township_code, t.villages, COALESCE(rep.n, 0)
FROM w CROSS JOIN towns t
LEFT JOIN rep ON rep.township_code = t.township_code AND rep.month_key = w.report_month"""

_DISCLOSURE_TW = f"""
INSERT INTO rollup_disclosure_tw (week_key, township_code, kind, due, on_time, published_late,
  unpublished)
SELECT k.week_key, {TWP.format('x.village_code')}, x.kind, COUNT(*),
  SUM(CASE WHEN x.published_date <= x.due_date THEN 1 ELSE 0 END),
  SUM(CASE WHEN x.published_date > x.due_date THEN 1 ELSE 0 END),
  SUM(CASE WHEN x.published_date IS NULL THEN 1 ELSE 0 END)
FROM disclosure x JOIN calendar_day k ON k.day = x.due_date WHERE {{f_x}}
GROUP BY k.week_key, {TWP.format('x.village_code')}, x.kind"""

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


# village x month sums in the database: reading a county's two years of entries back into
# pandas (Decimal per value) cost 1 s of a month's import; the GROUP BY costs 0.3 s
_LEDGER_VM = """INSERT INTO rollup_ledger_vm (month_key, village_code, direction, category, amount, entries)
SELECT k.month_key, x.village_code, x.direction, x.category, ROUND(SUM(x.amount), 2), COUNT(*)
FROM village_ledger x JOIN calendar_day k ON k.day = x.entry_date
WHERE {f_x}
GROUP BY k.month_key, x.village_code, x.direction, x.category"""

_LEDGER_TM = """INSERT INTO rollup_ledger_tm (month_key, township_code, direction, category, amount, entries)
SELECT month_key, SUBSTR(village_code, 1, 9) || '000', direction, category, ROUND(SUM(amount), 2), SUM(entries)
FROM rollup_ledger_vm
WHERE {f_x}
GROUP BY month_key, SUBSTR(village_code, 1, 9) || '000', direction, category"""


@rollup(RollupLedgerVM, sources=("village_ledger",))
def ledger_vm(run: Run) -> pd.DataFrame | int:
    if "ledger_vm" in run.given:  # a load that computed them from its own rows
        return run.ledger_vm()
    return run.insert_sql(_LEDGER_VM, f_x="x.village_code")


@rollup(RollupLedgerTM, sources=("village_ledger",), reads=(RollupLedgerVM,))
def ledger_tm(run: Run) -> pd.DataFrame | int:
    if "ledger_vm" in run.given:
        return frames.ledger_tm(run.ledger_vm())
    return run.insert_sql(_LEDGER_TM, f_x="village_code")


@rollup(RollupReportingTW, sources=("region",), reads=(RollupLedgerVM,), dense=True)
def reporting_tw(run: Run) -> int:
    return run.insert_sql(_REPORTING_TW, f_x="x.village_code", f_code="code")


@rollup(RollupDisclosureTW, sources=("disclosure",))
def disclosure_tw(run: Run) -> int:
    return run.insert_sql(_DISCLOSURE_TW, f_x="x.village_code")


@rollup(RollupLedgerCM, sources=(), reads=(RollupLedgerTM,), partial=False)
def ledger_cm(run: Run) -> int:
    return run.insert_sql(_LEDGER_CM)


@rollup(RollupDisclosureLateVW, sources=("disclosure",), partial=False)
def disclosure_late_vw(run: Run) -> int:
    return run.insert_sql(_DISCLOSURE_LATE)


@rollup(RollupLedgerOutlierVY, sources=("region",), reads=(RollupLedgerVM,), partial="county")
def ledger_outlier_vy(run: Run) -> pd.DataFrame:
    return _outliers(run)


def _outliers(run: Run) -> pd.DataFrame:
    """Rows of rollup_ledger_outlier_vy: above-fence villages per year, county and category
    (the run's counties: a village is judged among the villages of its county only)."""
    in_spend, params = run.code_filter("village_code")
    in_villages, _ = run.code_filter("code")
    spend = pd.DataFrame(run.conn.execute(text(
        "SELECT month_key / 100 AS year, village_code, category, SUM(amount) FROM rollup_ledger_vm "
        f"WHERE direction = 'expense' AND {in_spend} GROUP BY month_key / 100, village_code, category"), params).all(),
        columns=["year", "village_code", "category", "amount"])
    villages = pd.DataFrame(run.conn.execute(text(
        f"SELECT code, population FROM region WHERE level = 'village' AND {in_villages}"), params).all(),
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
    keys = ["year", "county", "category"]
    groups = full.groupby(keys)["per_capita"]
    quartiles = groups.quantile([0.25, 0.5, 0.75]).unstack()  # one cythonised pass, not one per group
    quartiles.columns = ["q1", "median", "q3"]
    full = full.merge(quartiles.reset_index(), on=keys, how="left")
    full["peers"] = groups.transform("size")
    full["fence"] = full["q3"] + k * (full["q3"] - full["q1"])
    flagged = full[(full["per_capita"] > full["fence"]) & (full["peers"] >= 4)]
    return flagged[cols].reset_index(drop=True)
