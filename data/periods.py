"""Reporting periods ending with a chosen ISO week, shared by every page.

A period is (kind, end week). Kinds: `week` (that week), `4w` (the 4 weeks ending with
it), `quarter` (the calendar quarter of the week's Sunday, to that week), `ytd` (the
ISO year of the week, to that week), and `12w`/`26w`/`52w`/`104w` for trend windows.
Rollups are keyed by ISO week, so every period is a list of week keys.
"""
from __future__ import annotations

import datetime as dt

from data.calendar import week_bounds, week_key, weeks_back

PERIOD_KINDS = ("week", "4w", "quarter", "ytd")
TREND_KINDS = ("12w", "26w", "52w", "104w")
DEFAULT_PERIOD = "week"


def _weeks_from(start: dt.date, end_week: int) -> list[int]:
    """Week keys from the week holding `start` to `end_week`, oldest first."""
    first = week_key(start)
    return [w for w in weeks_back(end_week, 54) if w >= first]


def period_weeks(kind: str, end_week: int) -> list[int]:
    """The ISO week keys of the period, oldest first; ValueError for an unknown kind."""
    if kind == "week":
        return [end_week]
    if kind.endswith("w") and kind[:-1].isdigit():
        return weeks_back(end_week, int(kind[:-1]))
    sunday = week_bounds(end_week)[1]
    if kind == "quarter":
        return _weeks_from(dt.date(sunday.year, 3 * ((sunday.month - 1) // 3) + 1, 1), end_week)
    if kind == "ytd":
        return [w for w in weeks_back(end_week, 53) if w // 100 == end_week // 100]
    raise ValueError(f"unknown period kind: {kind!r}")


def period_bounds(kind: str, end_week: int) -> tuple[dt.date, dt.date]:
    """(first Monday, last Sunday) of the period."""
    weeks = period_weeks(kind, end_week)
    return week_bounds(weeks[0])[0], week_bounds(weeks[-1])[1]


def previous_period(kind: str, end_week: int) -> list[int]:
    """The weeks of the same-length period just before (for period-on-period change)."""
    weeks = period_weeks(kind, end_week)
    return weeks_back(weeks[0], len(weeks) + 1)[:-1]


def same_weeks_last_year(weeks: list[int]) -> list[int]:
    """The same ISO week numbers one year earlier (week 53 maps to week 52)."""
    out = []
    for key in weeks:
        year, number = divmod(key, 100)
        try:
            week_bounds((year - 1) * 100 + number)
            out.append((year - 1) * 100 + number)
        except ValueError:
            out.append((year - 1) * 100 + 52)
    return out
