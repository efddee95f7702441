"""KPIs = hand-computed values = independent SQL on the raw tables; None on 0 ÷ 0;
the attention index is monotonic in each component."""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from data import indicators as ind
from data.calendar import week_bounds
from data.codes import code_range
from data.queries import KPI_KEYS, fetch_child_metrics, fetch_hot_townships, fetch_kpis, fetch_trend
from data.scope import Scope
from tests.support.small import CA, CB, CITY, PREV, PROV, T1, WEEK

ALL = Scope.of(PROV)
HAND = {  # (region, week) -> KPI values worked out by hand from tests/support/small.py
    (PROV, WEEK): dict(complaints_received=3, on_time_completion_rate=1 / 4, satisfaction_rate=2 / 3,
                       disbursement_rate_ytd=1400.42 / 15000, disclosure_on_time_rate=2 / 4,
                       new_clues=2, open_red_warnings=2, reporting_completeness=1 / 4),
    (PROV, PREV): dict(complaints_received=1, on_time_completion_rate=None, satisfaction_rate=None,
                       disbursement_rate_ytd=400.32 / 10000, disclosure_on_time_rate=1.0,
                       new_clues=1, open_red_warnings=2, reporting_completeness=1 / 4),
    (CA, WEEK): dict(complaints_received=2, on_time_completion_rate=1 / 4, satisfaction_rate=1 / 2,
                     disbursement_rate_ytd=1400.42 / 10000, disclosure_on_time_rate=2 / 3,
                     new_clues=1, open_red_warnings=2, reporting_completeness=1 / 3),
    (CB, WEEK): dict(complaints_received=1, on_time_completion_rate=None, satisfaction_rate=1.0,
                     disbursement_rate_ytd=0.0, disclosure_on_time_rate=0.0,
                     new_clues=1, open_red_warnings=0, reporting_completeness=0.0),
}

RAW_SQL = {  # independent of the rollup SQL: plain filters on the raw rows
    "complaints_received": ("SELECT COUNT(*) FROM complaint WHERE village_code BETWEEN :lo AND :hi"
                            " AND received_at >= :mon AND received_at < :next", None),
    "on_time_completion_rate": (
        "SELECT SUM(CASE WHEN closed_at IS NOT NULL AND substr(closed_at, 1, 10) <= due_date"
        " THEN 1 ELSE 0 END) FROM complaint WHERE village_code BETWEEN :lo AND :hi"
        " AND due_date BETWEEN :mon AND :sun",
        "SELECT COUNT(*) FROM complaint WHERE village_code BETWEEN :lo AND :hi"
        " AND due_date BETWEEN :mon AND :sun"),
    "satisfaction_rate": (
        "SELECT COUNT(*) FROM complaint WHERE village_code BETWEEN :lo AND :hi AND closed_at >= :mon"
        " AND closed_at < :next AND satisfaction IN ('satisfied', 'very_satisfied')",
        "SELECT COUNT(*) FROM complaint WHERE village_code BETWEEN :lo AND :hi AND closed_at >= :mon"
        " AND closed_at < :next AND satisfaction IS NOT NULL"),
    "disbursement_rate_ytd": (
        "SELECT SUM(amount) FROM fund_payment WHERE village_code BETWEEN :lo AND :hi"
        " AND paid_date BETWEEN :jan1 AND :sun",
        "SELECT SUM(amount) FROM fund_allocation WHERE region_code BETWEEN :lo AND :hi"
        " AND year = :year AND allocated_on <= :sun"),
    "disclosure_on_time_rate": (
        "SELECT COUNT(*) FROM disclosure WHERE village_code BETWEEN :lo AND :hi"
        " AND due_date BETWEEN :mon5 AND :sun AND published_date <= due_date",
        "SELECT COUNT(*) FROM disclosure WHERE village_code BETWEEN :lo AND :hi"
        " AND due_date BETWEEN :mon5 AND :sun"),  # the KPI's 5-week window
    "new_clues": ("SELECT COUNT(*) FROM clue WHERE region_code BETWEEN :lo AND :hi"
                  " AND flagged_on BETWEEN :mon AND :sun", None),
    "open_red_warnings": ("SELECT COUNT(*) FROM warning WHERE region_code BETWEEN :lo AND :hi"
                          " AND level = 'red' AND raised_on <= :sun"
                          " AND (closed_on IS NULL OR closed_on > :sun)", None),
    "reporting_completeness": (
        "SELECT COUNT(DISTINCT village_code) FROM village_ledger WHERE village_code BETWEEN :lo AND :hi"
        " AND entry_date BETWEEN :rep_first AND :rep_last",  # the month last due by Sunday
        "SELECT COUNT(*) FROM region WHERE level = 'village' AND code BETWEEN :lo AND :hi"),
}


def raw_kpis(conn, region: str, week: int) -> dict:
    """Each KPI straight from the raw tables."""
    mon, sun = week_bounds(week)
    lo, hi = code_range(region)
    params = dict(lo=lo, hi=hi, mon=mon.isoformat(), sun=sun.isoformat(), year=sun.year,
                  mon5=(mon - pd.Timedelta(weeks=4)).isoformat(),
                  next=(sun + pd.Timedelta(days=1)).isoformat(), jan1=f"{sun.year}-01-01",
                  **_reported_month(sun))
    out = {}
    for key, (num_sql, den_sql) in RAW_SQL.items():
        num = conn.execute(text(num_sql), params).scalar() or 0
        out[key] = num if den_sql is None else ind.ratio(num, conn.execute(text(den_sql), params).scalar() or 0)
    return out


def _reported_month(sunday) -> dict:
    """First and last day of the month whose ledger was due (on the 10th after it) by Sunday."""
    first = (sunday - pd.Timedelta(days=9)).replace(day=1)
    first = (first - pd.Timedelta(days=1)).replace(day=1)
    last = (first + pd.Timedelta(days=32)).replace(day=1) - pd.Timedelta(days=1)
    return {"rep_first": first.isoformat(), "rep_last": last.isoformat()}


def _close(a, b) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-9)


@pytest.mark.parametrize("region, week", list(HAND))
def test_kpis_equal_hand_values_and_raw_sql(conn, region, week):
    got = fetch_kpis(conn, ALL, region_code=region, week_key=week).set_index("key")
    assert list(got.index) == list(KPI_KEYS)
    raw = raw_kpis(conn, region, week)
    for key, expected in HAND[(region, week)].items():
        assert _close(got.value[key], expected), (key, got.value[key], expected)
        assert _close(raw[key], expected), (key, raw[key], expected)


def test_kpi_previous_and_change(conn):
    got = fetch_kpis(conn, ALL, region_code=PROV, week_key=WEEK).set_index("key")
    assert got.previous["complaints_received"] == 1 and got.change["complaints_received"] == 200
    assert got.change["on_time_completion_rate"] is None  # nothing was due the week before
    # January's ledger is the one due by both Sundays (Feb 22, Mar 1): 1 of 4 villages each
    assert _close(got.value["reporting_completeness"], 1 / 4) and _close(got.change["reporting_completeness"], 0.0)
    # disclosures over the 5 weeks to W09 (2 of 4 on time) vs to W08 (1 of 1)
    assert _close(got.change["disclosure_on_time_rate"], (2 / 4 - 1) * 100)


def test_rates_none_on_zero_denominator():
    for fn in (ind.acceptance_rate, ind.on_time_completion_rate, ind.reply_rate,
               ind.satisfaction_rate, ind.repeat_complaint_rate, ind.disbursement_rate,
               ind.disclosure_on_time_rate, ind.reporting_completeness,
               ind.clue_verification_rate, ind.filing_rate, ind.warning_closure_rate,
               ind.complaints_per_10k):
        assert fn(0, 0) is None and fn(3, 0) is None and fn(1, None) is None
        assert fn.__doc__ and ("÷" in fn.__doc__)
    series = ind.ratio(pd.Series([1, 2]), pd.Series([2, 0]))
    assert series.tolist() == [0.5, None]
    assert ind.complaints_per_10k(3, 20000) == 1.5
    assert ind.week_on_week_change(5, 0) is None and ind.week_on_week_change(0.5, 0.25, "rate") == 25


def test_registry_covers_kpis_and_components():
    for key in (*KPI_KEYS, *ind.ATTENTION_WEIGHTS, "acceptance_rate", "reply_rate",
                "clue_verification_rate", "filing_rate", "warning_closure_rate", "attention_index"):
        item = ind.INDICATORS[key]
        assert item.formula_zh and item.formula_en and item.unit
    assert abs(sum(ind.ATTENTION_WEIGHTS.values()) - 1) < 1e-9
    assert ind.INDICATORS["on_time_completion_rate"].higher_is_better
    assert not ind.INDICATORS["repeat_complaint_rate"].higher_is_better


def _components(n=6, seed=1):
    import numpy as np
    rng = np.random.default_rng(seed)
    return pd.DataFrame({k: rng.random(n) for k in ind.ATTENTION_WEIGHTS})


@pytest.mark.parametrize("key", list(ind.ATTENTION_WEIGHTS))
def test_attention_index_monotonic_in_each_component(key):
    base = _components()
    before = ind.attention_index(base)["attention_index"]
    for row in range(len(base)):
        for bump in (0.01, 0.3, 5.0):
            more = base.copy()
            more.loc[row, key] += bump
            after = ind.attention_index(more)["attention_index"]
            assert after[row] >= before[row] - 1e-12


def test_attention_index_bounds_and_reasons():
    df = pd.DataFrame({k: [0.0, 0.0, 0.0] for k in ind.ATTENTION_WEIGHTS})
    df.loc[2, "new_clues"], df.loc[2, "overdue_rate"] = 3, None  # None counts as 0
    df.loc[1, "complaints_per_10k"] = 9
    out = ind.attention_index(df)
    assert out.attention_index.between(0, 100).all() and out.attention_index[0] == 0
    assert out.loc[2, "contrib_new_clues"] > 0 and out.loc[0, "attention_index"] == 0
    full = ind.attention_index(pd.DataFrame({k: [0.0, 1.0] for k in ind.ATTENTION_WEIGHTS}))
    assert full.attention_index.tolist() == [0.0, 100.0]


def test_child_metrics_and_hot_townships(conn):
    kids = fetch_child_metrics(conn, ALL, region_code=CITY, week_key=WEEK, window=1)
    assert set(kids.code) == {CA, CB}
    a = kids.set_index("code").loc[CA]
    assert a.received == 2 and _close(a.complaints_per_10k, 2 / 15000 * 10000)
    assert _close(a.overdue_rate, 0.75) and a.attention_index > 0 and len(a.reasons) <= 3
    assert kids.attention_index.is_monotonic_decreasing
    hot = fetch_hot_townships(conn, ALL, region_code=PROV, week_key=WEEK, n=2)
    assert len(hot) == 2 and hot.code.iloc[0] == T1


def test_attention_measures_give_the_same_index_and_reasons(demo_engine):
    """The hot lists and the overview map sum only ATTENTION_MEASURES: same index, same
    reasons and same figures as with every measure."""
    from data.judgement import COMPONENT_INDICATOR
    from data.queries import ATTENTION_MEASURES
    from tests.support.demo import DEMO_COUNTY
    with demo_engine.connect() as c:
        week = c.execute(text("SELECT MAX(week_key) FROM rollup_complaint_tw")).scalar()
        full = fetch_child_metrics(c, ALL, region_code=DEMO_COUNTY, week_key=week, child_level="township")
        part = fetch_child_metrics(c, ALL, region_code=DEMO_COUNTY, week_key=week, child_level="township",
                                   measures=ATTENTION_MEASURES)
    assert len(full) > 10 and full.code.tolist() == part.code.tolist()
    columns = ["attention_index", *ind.ATTENTION_WEIGHTS, *sorted(set(COMPONENT_INDICATOR.values()))]
    pd.testing.assert_frame_equal(full[columns], part[columns])
    assert full.reasons.tolist() == part.reasons.tolist()


def test_trend(conn):
    trend = fetch_trend(conn, ALL, region_code=PROV, week_key=WEEK, weeks=4)
    assert trend.week_key.tolist() == [202606, 202607, 202608, 202609]
    assert trend.complaints_received.tolist() == [0, 1, 1, 3]
    assert trend.on_time_completion_rate.iloc[0] is None
    assert _close(trend.satisfaction_rate.iloc[-1], 2 / 3)


def test_demo_kpis_equal_raw_sql(demo_engine):
    """On the generated county demo, for the fixed week, every KPI equals the raw SQL."""
    from tests.support.demo import DEMO_COUNTY, DEMO_WEEK
    with demo_engine.connect() as conn:
        got = fetch_kpis(conn, Scope.of(DEMO_COUNTY), region_code=DEMO_COUNTY, week_key=DEMO_WEEK)
        raw = raw_kpis(conn, DEMO_COUNTY, DEMO_WEEK)
    values = got.set_index("key").value
    assert all(values[k] is not None for k in KPI_KEYS), values.to_dict()
    assert {k: v for k, v in raw.items() if not _close(values[k], v)} == {}
