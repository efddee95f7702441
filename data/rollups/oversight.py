"""Oversight rollups: problem clues and risk warnings (tables: data/model/rollups.py).

- `rollup_clue_tw`: clues, township x week of flagged_on x rule (flagged, amount, verified,
  filed).
- `rollup_warning_tw`: warnings, township x week x level: raised, closed, and `open_end`
  (raised on or before the week's Sunday and not closed by it); rows where any is > 0.
"""
from __future__ import annotations

from data.model.rollups import RollupClueTW, RollupWarningTW
from data.rollups.registry import Run, rollup
from data.rollups.sql import RUNNING, TWP

_CLUE_TW = f"""
INSERT INTO rollup_clue_tw (week_key, township_code, rule, flagged, amount, verified, filed)
SELECT k.week_key, {TWP.format('x.region_code')}, x.rule, COUNT(*), SUM(x.amount),
  SUM(CASE WHEN x.verified_on IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN x.filed_on IS NOT NULL THEN 1 ELSE 0 END)
FROM clue x JOIN calendar_day k ON k.day = x.flagged_on WHERE {{f_x}}
GROUP BY k.week_key, {TWP.format('x.region_code')}, x.rule"""

_WARNING_TW = f"""
INSERT INTO rollup_warning_tw (week_key, township_code, level, raised, closed, open_end)
WITH {{weeks}},
iv AS (SELECT {TWP.format('x.region_code')} AS township_code, x.level, s.idx AS start_idx,
  e.idx AS end_idx FROM warning x JOIN calendar_day kr ON kr.day = x.raised_on
  JOIN w s ON s.week_key = kr.week_key LEFT JOIN calendar_day kc ON kc.day = x.closed_on
  LEFT JOIN w e ON e.week_key = kc.week_key WHERE {{f_x}}),
ev AS (SELECT township_code, level, idx, SUM(r) AS raised, SUM(c) AS closed, SUM(d) AS delta
  FROM (SELECT township_code, level, start_idx AS idx, 1 AS r, 0 AS c,
    CASE WHEN end_idx IS NULL OR end_idx > start_idx THEN 1 ELSE 0 END AS d FROM iv
  UNION ALL SELECT township_code, level, end_idx, 0, 1,
    CASE WHEN end_idx > start_idx THEN -1 ELSE 0 END FROM iv WHERE end_idx IS NOT NULL) z
  GROUP BY township_code, level, idx),
dense AS (SELECT w.week_key, k.township_code, k.level, COALESCE(ev.raised, 0) AS raised,
  COALESCE(ev.closed, 0) AS closed,
  SUM(COALESCE(ev.delta, 0)) {RUNNING.format('k.township_code, k.level')} AS open_end
  FROM w CROSS JOIN (SELECT DISTINCT township_code, level FROM ev) k
  LEFT JOIN ev ON ev.township_code = k.township_code AND ev.level = k.level AND ev.idx = w.idx)
SELECT week_key, township_code, level, raised, closed, open_end FROM dense
WHERE raised > 0 OR closed > 0 OR open_end > 0"""


@rollup(RollupClueTW, sources=("clue",))
def clue_tw(run: Run) -> int:
    return run.insert_sql(_CLUE_TW, f_x="x.region_code")


@rollup(RollupWarningTW, sources=("warning",), dense=True)
def warning_tw(run: Run) -> int:
    return run.insert_sql(_WARNING_TW, f_x="x.region_code")
