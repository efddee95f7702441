"""Working days (chinese-calendar) and ISO week keys."""
from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import select

from data.calendar import (
    add_working_days,
    fill_calendar,
    format_week,
    is_workday,
    latest_complete_week,
    parse_week,
    previous_week,
    reported_month,
    week_bounds,
    week_key,
    weeks_back,
)
from data.model.schema import CalendarDay

D = dt.date


@pytest.mark.parametrize("start, n, due", [
    (D(2026, 2, 13), 1, D(2026, 2, 14)),   # Sat Feb 14 2026 is a make-up working day
    (D(2026, 2, 14), 1, D(2026, 2, 24)),   # Feb 15-23 Spring Festival off
    (D(2026, 2, 13), 5, D(2026, 2, 27)),
    (D(2026, 2, 25), 3, D(2026, 2, 28)),   # Sat Feb 28 2026 make-up day
    (D(2026, 2, 26), 3, D(2026, 3, 2)),
    (D(2025, 9, 26), 1, D(2025, 9, 28)),   # Sun Sep 28 2025 make-up day
    (D(2025, 9, 30), 1, D(2025, 10, 9)),   # Oct 1-8 National Day off
    (D(2025, 9, 30), 3, D(2025, 10, 11)),  # Sat Oct 11 2025 make-up day
    (D(2026, 3, 2), 0, D(2026, 3, 2)),
])
def test_add_working_days_across_holidays(start, n, due):
    assert add_working_days(start, n) == due


def test_holiday_flags():
    assert not is_workday(D(2026, 2, 23)) and not is_workday(D(2025, 10, 8))
    assert is_workday(D(2026, 2, 14)) and is_workday(D(2025, 9, 28)) and is_workday(D(2025, 10, 11))


def test_uncovered_year_falls_back_to_monday_friday(caplog):
    with caplog.at_level(logging.WARNING):
        assert add_working_days(D(2099, 1, 2), 1) == D(2099, 1, 5)  # Fri -> Mon
    assert is_workday(D(2099, 1, 1))  # a holiday in reality, Mon-Fri in the fallback


def test_week_keys():
    assert week_key(D(2026, 11, 15)) == 202646
    assert week_key(D(2025, 12, 29)) == 202601  # ISO year
    assert week_bounds(202609) == (D(2026, 2, 23), D(2026, 3, 1))
    assert previous_week(202601) == 202552 and previous_week(202101) == 202053
    assert weeks_back(202602, 3) == [202552, 202601, 202602]
    assert parse_week("2026-W46") == 202646 == parse_week(202646) == parse_week("2026w46")
    assert format_week(202646) == "2026-W46" and format_week(202601) == "2026-W01"
    with pytest.raises(ValueError):
        parse_week("2026-W60")


def test_latest_complete_week():
    assert latest_complete_week(D(2026, 11, 16)) == 202646  # Monday -> last week
    assert latest_complete_week(D(2026, 11, 15)) == 202645  # Sunday: week not over yet


def test_fill_calendar_rows(conn):
    fill_calendar(conn, D(2026, 2, 10), D(2026, 2, 20))  # refill inside the range: idempotent
    table = CalendarDay.__table__
    rows = {r.day: r for r in conn.execute(select(table)).all()}
    assert len(rows) == (D(2026, 3, 31) - D(2025, 9, 1)).days + 1
    feb14, feb16 = rows[D(2026, 2, 14)], rows[D(2026, 2, 16)]
    assert (feb14.week_key, feb14.month_key, feb14.is_workday) == (202607, 202602, True)
    assert (feb16.week_key, feb16.is_workday) == (202608, False)


@pytest.mark.parametrize("sunday, month", [(dt.date(2026, 11, 8), 202609), (dt.date(2026, 11, 15), 202610),
                                           (dt.date(2026, 1, 4), 202511), (dt.date(2026, 1, 11), 202512)])
def test_the_month_reported_by_a_sunday_is_the_last_one_due(sunday, month):
    """A month's village ledger is due on the 10th of the next: by Sunday 8 November
    October's is not due yet (September's is), by the 15th it is."""
    assert reported_month(sunday) == month
