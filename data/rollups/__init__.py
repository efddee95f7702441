"""Rebuild the rollup tables (data/model/rollups.py) from the raw tables.

The group-bys over every complaint event, payment and ledger entry (rollup_complaint_twcc,
rollup_payment_twp, rollup_ledger_vm and its township sums) are computed with pandas
(data/rollups/frames.py) and inserted; the others are INSERT ... SELECT in portable SQL
(SQLite and PostgreSQL: substr, ||, date(), CASE, window SUM ... OVER). All of it runs
inside the CALLER's transaction: nothing here commits.
Fact dates are mapped to week/month keys by joining `calendar_day`, which must cover
every fact date (`CalendarGap` otherwise: call data.calendar.fill_calendar first).
Township of a village code = substr(code, 1, 9) || '000'. Order matters: tw tables are
built from their twcc/twp parents. Measure definitions: data/model/rollups.py.
"""
from __future__ import annotations

import datetime as dt
import logging
import time

import pandas as pd
from sqlalchemy import Date, bindparam, func, select, text

from data.rollups import frames
from data.calendar import week_key
from data.codes import code_range, normalize_code
from data.model.db import insert_plain
from data.model.rollups import ROLLUP_TABLES
from data.rollups.funds import rebuild_funds
from data.rollups.complaints import rebuild_complaints_rollups
from data.model.schema import CalendarDay, Clue, Complaint, Disclosure, FundAllocation, FundPayment
from data.model.schema import VillageLedger, Warning

log = logging.getLogger(__name__)
TWP = "substr({0}, 1, 9) || '000'"
FACT_DATES = (  # (column, is a timestamp) joined to calendar_day somewhere below
    (Complaint.received_at, True), (Complaint.closed_at, True), (Complaint.due_date, False),
    (FundPayment.paid_date, False), (FundPayment.due_date, False),
    (FundAllocation.allocated_on, False), (VillageLedger.entry_date, False),
    (Disclosure.due_date, False), (Clue.flagged_on, False),
    (Warning.raised_on, False), (Warning.closed_on, False),
)
RUNNING = "OVER (PARTITION BY {0} ORDER BY w.idx ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"

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

_REPORTING_TW = f"""
INSERT INTO rollup_reporting_tw (week_key, township_code, villages, villages_reported)
WITH {{weeks}},
vc AS (SELECT {TWP.format('code')} AS township_code, COUNT(*) AS villages FROM region
  WHERE level = 'village' AND {{f_code}} GROUP BY {TWP.format('code')}),
rep AS (SELECT township_code, week_key, COUNT(*) AS n FROM (SELECT DISTINCT x.village_code,
  {TWP.format('x.village_code')} AS township_code, k.week_key FROM village_ledger x
  JOIN calendar_day k ON k.day = x.entry_date WHERE {{f_x}}) z GROUP BY township_code, week_key),
towns AS (SELECT township_code, SUM(villages) AS villages FROM (
  SELECT code AS township_code, 0 AS villages FROM region WHERE level = 'township' AND {{f_code}}
  UNION ALL SELECT township_code, villages FROM vc
  UNION ALL SELECT DISTINCT township_code, 0 FROM rep) z GROUP BY township_code)
SELECT week_key, township_code, SUM(villages), SUM(n) FROM (
  SELECT w.week_key, t.township_code, t.villages, 0 AS n FROM w CROSS JOIN towns t
  UNION ALL SELECT week_key, township_code, 0, n FROM rep) z
GROUP BY week_key, township_code"""

_DISCLOSURE_TW = f"""
INSERT INTO rollup_disclosure_tw (week_key, township_code, kind, due, on_time, published_late,
  unpublished)
SELECT k.week_key, {TWP.format('x.village_code')}, x.kind, COUNT(*),
  SUM(CASE WHEN x.published_date <= x.due_date THEN 1 ELSE 0 END),
  SUM(CASE WHEN x.published_date > x.due_date THEN 1 ELSE 0 END),
  SUM(CASE WHEN x.published_date IS NULL THEN 1 ELSE 0 END)
FROM disclosure x JOIN calendar_day k ON k.day = x.due_date WHERE {{f_x}}
GROUP BY k.week_key, {TWP.format('x.village_code')}, x.kind"""

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

# (statement, {placeholder: column it filters}) in build order; None: built with pandas.
_BUILD = (
    (None, {}),  # rollup_complaint_twcc: rollup_frames.complaint_twcc
    (_COMPLAINT_TW, {"f_x": "x.village_code", "f_t": "township_code", "f_code": "code"}),
    (None, {}),  # rollup_payment_twp: rollup_frames.payment_twp
    (_ALLOCATION_TY, {"f_x": "x.region_code"}),
    (_PAYMENT_TW, {"f_t": "township_code", "f_code": "code"}),
    (None, {}),  # rollup_ledger_vm: rollup_frames.ledger_vm
    (None, {}),  # rollup_ledger_tm: rollup_frames.ledger_tm
    (_REPORTING_TW, {"f_x": "x.village_code", "f_code": "code"}),
    (_DISCLOSURE_TW, {"f_x": "x.village_code"}),
    (_CLUE_TW, {"f_x": "x.region_code"}),
    (_WARNING_TW, {"f_x": "x.region_code"}),
)


class CalendarGap(RuntimeError):
    """A fact date lies outside `calendar_day`; fill the calendar first."""


def rebuild_all(conn, *, payments: pd.DataFrame | None = None, complaints: pd.DataFrame | None = None,
                services: pd.DataFrame | None = None, ledger_vm: pd.DataFrame | None = None
                ) -> dict[str, int]:
    """Delete and rebuild every rollup from the raw tables; returns rows per rollup.

    A load that still holds its rows can pass them instead of having them read back:
    `payments`, `complaints` and `services` (every row, with rollup_frames.PAYMENT_COLUMNS,
    COMPLAINT_COLUMNS, rollups_complaints.SERVICE_COLUMNS) and `ledger_vm`
    (rollup_frames.ledger_vm of every entry loaded).
    """
    return _rebuild(conn, None, payments=payments, complaints=complaints, services=services,
                    ledger_vm=ledger_vm)


def rebuild_for_townships(conn, township_codes) -> dict[str, int]:
    """Rebuild only the rows of these townships (after an import touching them).

    Falls back to `rebuild_all` when the data's week range changed (dense tables must
    cover the same weeks for every township).
    """
    codes = sorted({normalize_code(c)[:9] + "000" for c in township_codes})
    if not codes:
        return {}
    lo, hi = fact_date_range(conn)
    weeks = conn.execute(text("SELECT MIN(week_key), MAX(week_key) FROM rollup_reporting_tw")).one()
    if tuple(weeks) != (_week_of(conn, lo), _week_of(conn, hi)):
        return rebuild_all(conn)
    return _rebuild(conn, [code_range(c) for c in codes])


def _week_of(conn, day: dt.date) -> int:
    table = CalendarDay.__table__
    return conn.execute(select(table.c.week_key).where(table.c.day == day)).scalar_one()


def _rebuild(conn, ranges: list[tuple[str, str]] | None, *, payments=None, complaints=None,
             services=None, ledger_vm=None) -> dict[str, int]:
    """Delete (all or the ranges' rows) then build every rollup in order."""
    lo, hi = fact_date_range(conn)
    weeks_sql, params = _weeks_cte(conn, lo, hi)
    payments = frames.read_payments(conn) if payments is None else payments
    complaints = frames.read_complaints(conn) if complaints is None else complaints
    events = frames.complaint_events(complaints)
    if ledger_vm is None or ranges is not None:
        ledger_vm = frames.ledger_vm(frames.read_ledger(conn, *_code_filter("village_code", ranges)))
    built = {"rollup_complaint_twcc": lambda: frames.complaint_twcc(events),
             "rollup_payment_twp": lambda: frames.payment_twp(payments),
             "rollup_ledger_vm": lambda: ledger_vm,
             "rollup_ledger_tm": lambda: frames.ledger_tm(ledger_vm)}
    counts = {}
    for table, (sql, filters) in zip(ROLLUP_TABLES, _BUILD, strict=True):
        code_col = "village_code" if "village_code" in table.c else "township_code"
        cond, cond_params = _code_filter(code_col, ranges)
        conn.execute(text(f"DELETE FROM {table.name} WHERE {cond}"), cond_params)
        if sql is None:
            started = time.perf_counter()
            rows = built[table.name]()
            counts[table.name] = insert_plain(conn, table, rows[frames.in_ranges(rows[code_col], ranges)])
            log.info("rebuilt %s in %.2f s", table.name, time.perf_counter() - started)
            continue
        fills = {name: _code_filter(col, ranges)[0] for name, col in filters.items()}
        stmt = text(sql.format(weeks=weeks_sql, **fills))
        if "{weeks}" in sql:
            stmt = stmt.bindparams(*[bindparam(k, type_=Date) for k in params if k[0] == "e"])
        started = time.perf_counter()
        counts[table.name] = conn.execute(stmt, {**params, **cond_params}).rowcount
        log.info("rebuilt %s in %.2f s", table.name, time.perf_counter() - started)
    counts.update(rebuild_funds(conn, late=frames.late_payments(payments)))
    counts.update(rebuild_complaints_rollups(conn, events=events, services=services))
    return counts


def _code_filter(column: str, ranges) -> tuple[str, dict]:
    """SQL `(col BETWEEN :lo0 AND :hi0 OR ...)` with its parameters; '1 = 1' for all."""
    if ranges is None:
        return "1 = 1", {}
    parts = [f"{column} BETWEEN :rlo{i} AND :rhi{i}" for i in range(len(ranges))]
    params = {f"r{side}{i}": bound for i, r in enumerate(ranges)
              for side, bound in zip(("lo", "hi"), r)}
    return "(" + " OR ".join(parts) + ")", params


def _weeks_cte(conn, lo: dt.date, hi: dt.date) -> tuple[str, dict]:
    """CTE `w(week_key, idx, week_end, ytd_year)`: the ISO weeks of the data, in order.

    week_end is the Sunday; ytd_year the calendar year of that Sunday (the year a
    year-to-date figure for the week belongs to).
    """
    table = CalendarDay.__table__
    keys = conn.execute(select(table.c.week_key).where(table.c.day.between(lo, hi))
                        .distinct().order_by(table.c.week_key)).scalars().all() or [week_key(lo)]
    rows, params = [], {}
    for i, key in enumerate(keys):
        sunday = dt.date.fromisocalendar(key // 100, key % 100, 7)
        params.update({f"w{i}": key, f"i{i}": i + 1, f"e{i}": sunday, f"y{i}": sunday.year})
        rows.append(f"(:w{i}, :i{i}, :e{i}, :y{i})")
    return "w (week_key, idx, week_end, ytd_year) AS (VALUES " + ", ".join(rows) + ")", params


def fact_date_range(conn) -> tuple[dt.date, dt.date]:
    """(earliest, latest) fact date, checking that `calendar_day` covers them all.

    Raises CalendarGap naming the first uncovered column, or when the calendar has holes.
    """
    table = CalendarDay.__table__
    cal_lo, cal_hi, days = conn.execute(
        select(func.min(table.c.day), func.max(table.c.day), func.count())).one()
    found = [d for col, _ in FACT_DATES for d in _min_max(conn, col)]
    if not found:
        return (cal_lo, cal_lo) if cal_lo else (dt.date.today(),) * 2
    lo, hi = min(found), max(found)
    if cal_lo is None or lo < cal_lo or hi > cal_hi:
        raise CalendarGap(f"calendar_day covers {cal_lo}..{cal_hi} but the data has dates "
                          f"{lo}..{hi}: call data.calendar.fill_calendar(conn, {lo!r}, {hi!r}) first")
    if days != (cal_hi - cal_lo).days + 1:
        raise CalendarGap(f"calendar_day has holes between {cal_lo} and {cal_hi}: refill it")
    return lo, hi


def _min_max(conn, column) -> list[dt.date]:
    """The column's non-null min and max as dates (timestamps truncated)."""
    values = conn.execute(select(func.min(column), func.max(column))).one()
    return [v.date() if isinstance(v, dt.datetime) else v for v in values if v is not None]
