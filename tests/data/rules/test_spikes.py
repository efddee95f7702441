"""The complaint spike rule: exact Poisson limits, quiet on flat series, finds the planted surge."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from data.rules.spikes import SpikeRule, detect, detect_frame, poisson_upper
from tests.support.demo import DEMO_COUNTY, DEMO_WEEK


def _cdf(k: int, lam: float) -> float:
    return sum(math.exp(i * math.log(lam) - lam - math.lgamma(i + 1)) for i in range(k + 1))


@pytest.mark.parametrize("lam", [0.5, 1.0, 3.0, 9.5, 17.25, 42.0])
@pytest.mark.parametrize("alpha", [0.01, 0.001])
def test_poisson_upper_is_the_exact_quantile(lam, alpha):
    k = int(poisson_upper([lam], alpha)[0])
    assert _cdf(k, lam) >= 1 - alpha > _cdf(k - 1, lam)


def test_poisson_upper_large_baselines_are_close_to_the_exact_quantile():
    for lam in (60.0, 150.0, 800.0):
        k = int(poisson_upper([lam], 0.001)[0])
        # exact by summing in log space
        logs = [i * math.log(lam) - lam - math.lgamma(i + 1) for i in range(int(lam * 3))]
        cdf = np.cumsum(np.exp(logs))
        exact = int(np.argmax(cdf >= 0.999))
        assert abs(k - exact) <= 1


@pytest.mark.parametrize("level", [0, 3, 12, 40, 250])
def test_flat_series_has_no_spike(level):
    assert not detect(np.full((1, 104), level)).spike.any()


def test_poisson_noise_at_a_stable_rate_is_rarely_flagged():
    rng = np.random.default_rng(2026)
    found = detect(rng.poisson(9.5, (100, 104)), SpikeRule())
    assert found.spike.mean() < 0.003  # ≈ alpha (0.001) inflated a little by baseline noise


def test_holiday_dip_and_rebound_are_not_spikes():
    """A Spring-Festival-like dip (3 weeks at 40 %) then the usual level: no spike."""
    series = np.full(40, 100.0)
    series[20:23] = 40
    series[23] = 75
    assert not detect(series).spike.any()


def test_three_week_surge_is_flagged_every_week():
    rng = np.random.default_rng(7)
    series = np.r_[rng.poisson(9.5, 30), [38, 38, 38]]
    found = detect(series)
    assert found.loc[found.spike, "week"].tolist() == [30, 31, 32]


def test_min_count_and_short_series():
    assert not detect(np.r_[np.zeros(10), [4]]).spike.any()  # 4 < min_count 5
    assert detect(np.r_[np.zeros(10), [5]]).spike.iloc[-1]
    assert detect(np.ones(5)).empty  # fewer weeks than the baseline


def test_detect_frame_fills_missing_weeks_with_zero():
    weeks = list(range(202601, 202613))
    frame = pd.DataFrame({"unit": ["a"] * 3, "week_key": [202601, 202605, 202612], "received": [1, 1, 30]})
    found = detect_frame(frame, unit="unit", weeks=weeks)
    assert len(found) == 4 and found.spike.tolist() == [False, False, False, True]


def test_the_planted_surge_is_found_in_the_demo(demo_engine):
    """demo_truth's three-week surge township is a hotspot in each of its three weeks."""
    from data.calendar import week_key, weeks_back
    from data.queries.complaints import fetch_township_weekly
    from data.scope import Scope

    with demo_engine.connect() as conn:
        truth = conn.execute(text("SELECT region_code, start_date, end_date FROM demo_truth "
                                  "WHERE kind = 'complaint_surge'")).one()
        weeks = weeks_back(DEMO_WEEK, 60)
        towns = fetch_township_weekly(conn, Scope.of(DEMO_COUNTY), region_code=DEMO_COUNTY, weeks=weeks)
    found = detect_frame(towns, unit="code", weeks=weeks)
    hits = found[found.spike]
    start = pd.Timestamp(truth.start_date).date()
    surge_weeks = weeks_back(week_key(pd.Timestamp(truth.end_date).date()), 3)
    assert week_key(start) == surge_weeks[0]
    assert sorted(hits.loc[hits.code == truth.region_code, "week_key"]) == surge_weeks
    # and nothing else in those weeks
    assert set(hits.loc[hits.week_key.isin(surge_weeks), "code"]) == {truth.region_code}
