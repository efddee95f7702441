"""Due dates in working days as the complaints page counts them (holidays, make-up days, fallback).

The expected dates are written by hand from the State Council's holiday notices
(国务院办公厅关于部分节假日安排的通知), not computed with the library under test:
- 2025 Spring Festival: Jan 28 – Feb 4 off; Sun Jan 26 and Sat Feb 8 worked.
- 2025 National Day + Mid-Autumn: Oct 1 – 8 off; Sun Sep 28 and Sat Oct 11 worked.
- 2026 Spring Festival: Feb 15 – 23 off; Sat Feb 14 and Sat Feb 28 worked.
- 2026 National Day: Oct 1 – 7 off; Sun Sep 20 and Sat Oct 10 worked.
"""
from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import pytest
from sqlalchemy import text

from data.calendar import add_working_days, is_workday

D = dt.date


@pytest.mark.parametrize("start, n, due", [
    (D(2025, 1, 24), 1, D(2025, 1, 26)),    # Fri -> Sun Jan 26, a make-up working day
    (D(2025, 1, 27), 1, D(2025, 2, 5)),     # the whole Spring Festival break skipped
    (D(2025, 1, 27), 10, D(2025, 2, 17)),   # ... and Sat Feb 8 counted
    (D(2025, 9, 26), 10, D(2025, 10, 16)),  # Sep 28 counted, Oct 1-8 skipped, Oct 11 counted
    (D(2026, 2, 13), 10, D(2026, 3, 5)),    # Feb 14 counted, Feb 15-23 skipped, Feb 28 counted
    (D(2026, 2, 12), 15, D(2026, 3, 11)),   # a land case (15 working days) across the break
    (D(2026, 9, 18), 1, D(2026, 9, 20)),    # Sun Sep 20 2026 make-up day
    (D(2026, 9, 30), 3, D(2026, 10, 10)),   # Oct 1-7 skipped, Oct 8, 9, Sat Oct 10
    (D(2026, 9, 30), 10, D(2026, 10, 20)),
])
def test_due_dates_across_spring_festival_and_national_day(start, n, due):
    assert add_working_days(start, n) == due


def test_a_year_beyond_the_library_falls_back_to_monday_to_friday(caplog):
    """chinese-calendar 1.11 knows years up to 2026: in 2027 New Year's Day counts as a
    working day (Mon-Fri fallback) and a warning says holidays are ignored."""
    with caplog.at_level(logging.WARNING, logger="data.calendar"):
        assert is_workday(D(2027, 1, 1))  # Friday; a holiday in reality
        # Mon Dec 28 2026 + 10: Dec 29, 30, 31, Jan 1 (fallback), 4, 5, 6, 7, 8, 11
        assert add_working_days(D(2026, 12, 28), 10) == D(2027, 1, 11)
        assert not is_workday(D(2027, 1, 2))  # Saturday stays off
    from data.calendar import _warn_fallback
    _warn_fallback.cache_clear()
    with caplog.at_level(logging.WARNING, logger="data.calendar"):
        is_workday(D(2027, 3, 1))
    assert any("2027" in r.getMessage() for r in caplog.records)


def test_demo_complaint_due_dates_are_working_days_after_receipt(demo_engine):
    """Every demo complaint received around the holidays has due_date = receipt + 10 working
    days (15 for land acquisition and project quality), as the page's on-time rate assumes."""
    with demo_engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT received_at, category, due_date FROM complaint WHERE "
            "(received_at >= '2025-01-20' AND received_at < '2025-02-10') OR "
            "(received_at >= '2025-09-24' AND received_at < '2025-10-12') OR "
            "(received_at >= '2026-02-09' AND received_at < '2026-03-01') OR "
            "(received_at >= '2026-09-16' AND received_at < '2026-10-11')")).all()
    assert len(rows) > 200
    wrong = []
    for received, category, due in rows:
        day = pd.Timestamp(received).date()
        n = 15 if category in ("land_acquisition", "project_quality") else 10
        if pd.Timestamp(due).date() != add_working_days(day, n):
            wrong.append((received, category, due))
    assert wrong == []


def test_demo_service_request_due_dates_follow_the_same_calendar(demo_engine):
    from demo.services import MATTERS
    limits = {name: days for name, _share, days in MATTERS}
    with demo_engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT submitted_at, matter, due_date FROM service_request WHERE "
            "(submitted_at >= '2026-02-09' AND submitted_at < '2026-03-01') OR "
            "(submitted_at >= '2026-09-16' AND submitted_at < '2026-10-11')")).all()
    assert len(rows) > 50
    assert [r for r in rows if pd.Timestamp(r[2]).date()
            != add_working_days(pd.Timestamp(r[0]).date(), limits[r[1]])] == []
