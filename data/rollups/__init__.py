"""Rebuild the rollup tables (data/model/rollups.py) from the raw tables.

Each rollup has one builder in the registry (data/rollups/registry.py), registered by its
domain module: complaints.py, funds.py, villages.py, oversight.py. The big group-bys (every
complaint event, payment and ledger entry) run in pandas (frames.py); the others are
INSERT ... SELECT in portable SQL (SQLite and PostgreSQL: substr, ||, date(), CASE, window
SUM ... OVER). All of it runs inside the CALLER's transaction: nothing here commits.
Fact dates are mapped to week/month keys by joining `calendar_day`, which must cover
every fact date (`CalendarGap` otherwise: call data.calendar.fill_calendar first).
Township of a village code = substr(code, 1, 9) || '000'.
"""
from __future__ import annotations

import datetime as dt
import importlib

import pandas as pd
from sqlalchemy import func, select, text

from data.calendar import reported_month, week_key
from data.codes import code_range, normalize_code
from data.model.schema import CalendarDay, Region
from data.rollups import bounds
from data.rollups.bounds import FACT_DATES, min_max
from data.rollups.registry import BUILDERS, Run, run_builders

DOMAINS = ("complaints", "funds", "villages", "oversight")  # each module registers its builders
for _domain in DOMAINS:
    importlib.import_module(f"{__name__}.{_domain}")
__all__ = [
    "BUILDERS",
    "FACT_DATES",
    "CalendarGap",
    "fact_date_range",
    "min_max",
    "rebuild_all",
    "rebuild_for_townships",
    "township_runs",
]


class CalendarGap(RuntimeError):
    """A fact date lies outside `calendar_day`; fill the calendar first."""


def rebuild_all(conn, *, payments: pd.DataFrame | None = None, complaints: pd.DataFrame | None = None,
                services: pd.DataFrame | None = None, ledger_vm: pd.DataFrame | None = None
                ) -> dict[str, int]:
    """Delete and rebuild every rollup from the raw tables; returns rows per rollup.

    A load that still holds its rows can pass them instead of having them read back:
    `payments`, `complaints` and `services` (every row, with frames.PAYMENT_COLUMNS,
    COMPLAINT_COLUMNS, registry.SERVICE_COLUMNS) and `ledger_vm` (frames.ledger_vm of
    every entry loaded). The kept fact date bounds are scanned afresh.
    """
    bounds.forget(conn)
    return _rebuild(conn, None, payments=payments, complaints=complaints, services=services,
                    ledger_vm=ledger_vm)


def rebuild_for_townships(conn, township_codes, tables: set[str] | None = None,
                          given: dict[str, pd.DataFrame] | None = None) -> dict[str, int]:
    """Rebuild only the rows of these townships (after an import touching them); the
    rollups summed over counties or ranked among peers (not `partial`) are rebuilt whole.
    `tables`: only the rollups built from these raw tables (and from those rollups).
    `given`: rows the caller holds, as `rebuild_all` takes them (a table loaded whole by
    this import: its `payments`, its `ledger_vm`).

    When the data's weeks changed, the `dense` rollups (a row for every township and week)
    are rebuilt whole as well: every township needs the new weeks.
    """
    codes = sorted({normalize_code(c)[:9] + "000" for c in township_codes})
    if not codes:
        return {}
    lo, hi = fact_date_range(conn)
    weeks = conn.execute(text("SELECT MIN(week_key), MAX(week_key) FROM rollup_reporting_tw")).one()
    if weeks[0] is None:
        return rebuild_all(conn, **(given or {}))
    moved = tuple(weeks) != (_week_of(conn, lo), _week_of(conn, hi))
    whole = {name for name, b in BUILDERS.items() if b.dense} if moved else set()
    return _rebuild(conn, township_runs(conn, codes), changed=tables, whole=whole, **(given or {}))


def township_runs(conn, township_codes) -> list[tuple[str, str]]:
    """Code ranges covering these townships, one per run of townships with no other
    township between them: a county's every township is one range. One range is one index
    range scan; a long OR of them makes SQLite scan the whole table (22 townships of a
    county: 2.7 s; the county's one range: 0.2 s). A range may also cover codes below a
    county that are no township: rebuilding those again changes nothing."""
    wanted = {normalize_code(c)[:9] + "000" for c in township_codes}
    known = conn.execute(select(Region.code).where(Region.level == "township").order_by(Region.code)).scalars()
    runs: list[list[str]] = []
    open_run = False
    for code in known:
        if code in wanted:
            if open_run:
                runs[-1][1] = code
            else:
                runs.append([code, code])
            open_run = True
        else:
            open_run = False
    covered = {c for first, last in runs for c in wanted if first <= c <= last}
    runs += [[c, c] for c in sorted(wanted - covered)]  # townships not in the tree (a county's own cases)
    return sorted((code_range(first)[0], code_range(last)[1]) for first, last in runs)


def _week_of(conn, day: dt.date) -> int:
    table = CalendarDay.__table__
    return conn.execute(select(table.c.week_key).where(table.c.day == day)).scalar_one()


def _rebuild(conn, ranges: list[tuple[str, str]] | None, changed: set[str] | None = None,
             whole: frozenset[str] | set[str] = frozenset(), **given) -> dict[str, int]:
    """Delete (all, or the ranges' rows of the partial rollups) and rebuild every rollup
    (or those built from `changed`), and the rollups named in `whole` over everything."""
    lo, hi = fact_date_range(conn)
    weeks_sql, params = _weeks_cte(conn, lo, hi)
    handed = {name: rows for name, rows in given.items() if rows is not None}
    return run_builders(Run(conn, ranges, weeks_sql, params, given=handed), changed, whole)


def _weeks_cte(conn, lo: dt.date, hi: dt.date) -> tuple[str, dict]:
    """CTE `w(week_key, idx, week_end, ytd_year, report_month)`: the ISO weeks of the
    data, in order.

    week_end is the Sunday; ytd_year the calendar year of that Sunday (the year a
    year-to-date figure for the week belongs to); report_month the month whose village
    ledger was last due by that Sunday (reported_month).
    """
    table = CalendarDay.__table__
    keys = conn.execute(select(table.c.week_key).where(table.c.day.between(lo, hi))
                        .distinct().order_by(table.c.week_key)).scalars().all() or [week_key(lo)]
    rows, params = [], {}
    for i, key in enumerate(keys):
        sunday = dt.date.fromisocalendar(key // 100, key % 100, 7)
        params.update({f"w{i}": key, f"i{i}": i + 1, f"e{i}": sunday, f"y{i}": sunday.year,
                       f"m{i}": reported_month(sunday)})
        rows.append(f"(:w{i}, :i{i}, :e{i}, :y{i}, :m{i})")
    return "w (week_key, idx, week_end, ytd_year, report_month) AS (VALUES " + ", ".join(rows) + ")", params



def fact_date_range(conn) -> tuple[dt.date, dt.date]:
    """(earliest, latest) fact date (as kept by data.rollups.bounds), checking that
    `calendar_day` covers them all.

    Raises CalendarGap naming the first uncovered column, or when the calendar has holes.
    """
    table = CalendarDay.__table__
    cal_lo, cal_hi, days = conn.execute(
        select(func.min(table.c.day), func.max(table.c.day), func.count())).one()
    found = bounds.date_bounds(conn).facts()
    if not found:
        return (cal_lo, cal_lo) if cal_lo else (dt.date.today(),) * 2
    lo, hi = min(found), max(found)
    if cal_lo is None or lo < cal_lo or hi > cal_hi:
        raise CalendarGap(f"calendar_day covers {cal_lo}..{cal_hi} but the data has dates "
                          f"{lo}..{hi}: call data.calendar.fill_calendar(conn, {lo!r}, {hi!r}) first")
    if days != (cal_hi - cal_lo).days + 1:
        raise CalendarGap(f"calendar_day has holes between {cal_lo} and {cal_hi}: refill it")
    return lo, hi

