"""Working-day calendar and ISO week keys.

- `week_key` is the ISO week as an int yyyyww: 2026-W46 -> 202646 (ISO year, so
  2025-12-29 belongs to 202601); `month_key` is yyyymm.
- Working days come from the `chinese-calendar` package (statutory holidays and
  make-up working days, e.g. Spring Festival 2026: Feb 15-23 off, Feb 14 and 28 worked).
  For years the package does not cover (it raises NotImplementedError) we fall back
  to Monday-Friday and log a warning: due dates in such years ignore holidays.
- Table `calendar_day` is the join target of every rollup (fact date -> week/month).
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from functools import cache

import chinese_calendar
import numpy as np
from sqlalchemy import delete, insert

from data.model.schema import CalendarDay

log = logging.getLogger(__name__)

REPORT_DUE_DAY = 10  # a village's ledger of a month is due on the 10th of the next
_WEEK_RE = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


@cache
def _warn_fallback(year: int) -> None:
    """Log once per year that Mon-Fri is used (cached so it is logged once)."""
    log.warning("chinese-calendar has no data for %s: working days fall back to Mon-Fri "
                "(statutory holidays and make-up days ignored)", year)


def is_workday(day: dt.date) -> bool:
    """True on a working day: chinese-calendar, or Mon-Fri for uncovered years."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        _warn_fallback(day.year)
        return day.weekday() < 5


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The due date `n` working days after `start` (the start day itself not counted).

    add_working_days(Fri 2026-02-13, 1) -> Sat 2026-02-14 (make-up working day);
    n = 0 returns `start`.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    day = start
    while n > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def working_days_after(days: np.ndarray, n_days) -> np.ndarray:
    """datetime64[D] due dates: `n_days` working days after each of `days` (the day itself
    not counted), vectorised: a running count of working days over the covered span
    turns "n working days after d" into one lookup, so a million complaints cost one
    calendar pass (the same rule as `add_working_days`)."""
    days = days.astype("datetime64[D]")
    n_days = np.broadcast_to(np.asarray(n_days, dtype=np.int64), days.shape)
    if days.size == 0:
        return days
    first = days.min()
    span = int((days.max() - first).astype(int)) + 2 * int(n_days.max()) + 40
    calendar = first + np.arange(span)
    work = np.array([is_workday(d.astype(dt.date)) for d in calendar])
    cum = np.cumsum(work)  # working days in [first, day]
    offset = (days - first).astype(int)
    # the earliest day whose running count reaches count(start) + n
    return calendar[np.searchsorted(cum, cum[offset] + n_days, side="left")]


def week_key(day: dt.date) -> int:
    """ISO week key yyyyww of a date (ISO year: 2025-12-29 -> 202601)."""
    iso = day.isocalendar()
    return iso.year * 100 + iso.week


def month_key(day: dt.date) -> int:
    """Month key yyyymm of a date."""
    return day.year * 100 + day.month


def reported_month(day: dt.date) -> int:
    """The month (YYYYMM) whose village ledger was last due by `day`: a month's ledger is
    due on the REPORT_DUE_DAY of the next (on 10 November, October's is due)."""
    back = day - dt.timedelta(days=REPORT_DUE_DAY - 1)
    previous = back.replace(day=1) - dt.timedelta(days=1)
    return previous.year * 100 + previous.month

def week_bounds(key: int) -> tuple[dt.date, dt.date]:
    """(Monday, Sunday) of ISO week `key`; ValueError for a week that does not exist."""
    monday = dt.date.fromisocalendar(key // 100, key % 100, 1)
    return monday, monday + dt.timedelta(days=6)


def previous_week(key: int) -> int:
    """The ISO week before `key` (202601 -> 202552 or 202553)."""
    return week_key(week_bounds(key)[0] - dt.timedelta(days=7))


def weeks_back(key: int, n: int) -> list[int]:
    """The `n` weeks ending with `key`, oldest first (weeks_back(202602, 3) = [202552, 202601, 202602])."""
    monday = week_bounds(key)[0]
    return [week_key(monday - dt.timedelta(weeks=i)) for i in range(n - 1, -1, -1)]


def parse_week(text: str | int) -> int:
    """'2026-W46' (or '2026W46', '202646', 202646) -> 202646; ValueError if invalid."""
    raw = str(text).strip()
    match = _WEEK_RE.match(raw)
    key = int(match.group(1)) * 100 + int(match.group(2)) if match else None
    if key is None and raw.isdigit() and len(raw) == 6:
        key = int(raw)
    if key is None:
        raise ValueError(f"not an ISO week: {text!r}")
    week_bounds(key)  # validates that the week exists
    return key


def format_week(key: int) -> str:
    """202646 -> '2026-W46'."""
    return f"{key // 100}-W{key % 100:02d}"


def latest_complete_week(today: dt.date) -> int:
    """The latest ISO week whose Sunday is before `today` (on Sunday: the week before)."""
    return week_key(today - dt.timedelta(days=today.weekday() + 1))


def fill_calendar(conn, start: dt.date, end: dt.date) -> int:
    """Replace the `calendar_day` rows from `start` to `end` (inclusive); returns days.

    Runs in the caller's transaction. Idempotent: existing days in the range are
    deleted first, so it can extend or refresh a calendar.
    """
    if end < start:
        raise ValueError("end must not be before start")
    table = CalendarDay.__table__
    conn.execute(delete(table).where(table.c.day.between(start, end)))
    rows = []
    day = start
    while day <= end:
        rows.append({"day": day, "week_key": week_key(day), "month_key": month_key(day),
                     "is_workday": is_workday(day)})
        day += dt.timedelta(days=1)
    conn.execute(insert(table), rows)
    return len(rows)
