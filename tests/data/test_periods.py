"""Periods ending with a week are the right week keys."""
import pytest

from data.periods import period_bounds, period_weeks, previous_period, same_weeks_last_year


def test_week_and_rolling():
    assert period_weeks("week", 202646) == [202646]
    assert period_weeks("4w", 202602) == [202551, 202552, 202601, 202602]
    assert len(period_weeks("104w", 202646)) == 104


def test_quarter_to_date():
    # 2026-W46 ends Sunday 2026-11-15: Q4 from 2026-10-01 (in W40) to W46
    assert period_weeks("quarter", 202646) == list(range(202640, 202647))


def test_year_to_date_uses_the_iso_year():
    weeks = period_weeks("ytd", 202646)
    assert weeks[0] == 202601 and weeks[-1] == 202646 and len(weeks) == 46
    assert period_weeks("ytd", 202601) == [202601]


def test_bounds_and_previous():
    start, end = period_bounds("4w", 202646)
    assert (start.isoformat(), end.isoformat()) == ("2026-10-19", "2026-11-15")
    assert previous_period("4w", 202646) == [202639, 202640, 202641, 202642]
    assert same_weeks_last_year([202601, 202653]) == [202501, 202552]


def test_unknown_kind():
    with pytest.raises(ValueError):
        period_weeks("fortnight", 202646)
