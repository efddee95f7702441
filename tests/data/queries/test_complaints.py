"""Complaints page queries: every count and rate equals an independent SQL on the raw tables.

County demo (永兴县 431023, as-of 2026-11-15); the period is the 4 weeks 2026-W43..W46
(Mon 2026-10-19 .. Sun 2026-11-15). The raw SQL below reads `complaint` and
`service_request` directly (no rollup, no calendar table), so a wrong rollup, a wrong
week mapping or a wrong formula makes these tests fail.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from data.calendar import week_key, weeks_back
from data.periods import same_weeks_last_year
from data.queries import complaints as qc
from data.scope import Scope
from tests.support.complaints import approx_rate, assert_units_equal_raw, raw_unit_counts
from tests.support.demo import DEMO_AS_OF, DEMO_COUNTY, DEMO_WEEK

WEEKS = weeks_back(DEMO_WEEK, 4)
START, END = "2026-10-19", "2026-11-16"  # [Monday of W43, Monday after W46)
SCOPE = Scope.of("430000")
IN_COUNTY = "village_code LIKE '431023%'"


def _one(conn, sql, **params):
    return conn.execute(text(sql), params).one()


@pytest.fixture(scope="module")
def conn(demo_engine):
    with demo_engine.connect() as connection:
        yield connection


def test_handling_summary_equals_raw_sql(conn):
    s = qc.handling_summary(qc.fetch_totals(conn, SCOPE, region_code=DEMO_COUNTY, weeks=WEEKS))
    rx = _one(conn, f"""SELECT COUNT(*), SUM(accepted_at IS NOT NULL), SUM(replied_at IS NOT NULL),
        SUM(closed_at IS NOT NULL), SUM(repeat_of IS NOT NULL) FROM complaint
        WHERE {IN_COUNTY} AND received_at >= :a AND received_at < :b""", a=START, b=END)
    assert s["funnel"] == [("received", rx[0]), ("accepted", rx[1]), ("replied", rx[2]), ("closed", rx[3])]
    assert rx[0] > 100
    due = _one(conn, f"""SELECT COUNT(*), SUM(closed_at IS NOT NULL AND date(closed_at) <= due_date)
        FROM complaint WHERE {IN_COUNTY} AND due_date >= :a AND due_date < :b""", a=START, b=END)
    closed = _one(conn, f"""SELECT COUNT(*), SUM(replied_at IS NOT NULL), SUM(satisfaction IS NOT NULL),
        SUM(satisfaction IN ('very_satisfied', 'satisfied')),
        AVG(julianday(closed_at) - julianday(received_at))
        FROM complaint WHERE {IN_COUNTY} AND date(closed_at) >= :a AND date(closed_at) < :b""", a=START, b=END)
    reply = _one(conn, f"""SELECT AVG(julianday(replied_at) - julianday(received_at)) FROM complaint
        WHERE {IN_COUNTY} AND date(replied_at) >= :a AND date(replied_at) < :b""", a=START, b=END)
    assert approx_rate(s["on_time_completion_rate"], due[1] / due[0])
    assert approx_rate(s["reply_rate"], closed[1] / closed[0])
    assert approx_rate(s["satisfaction_rate"], closed[3] / closed[2])
    assert approx_rate(s["repeat_complaint_rate"], rx[4] / rx[0])
    assert approx_rate(s["acceptance_rate"], rx[1] / rx[0])
    assert s["avg_days_to_close"] == pytest.approx(closed[4], rel=1e-6)
    assert s["avg_days_to_reply"] == pytest.approx(reply[0], rel=1e-6)


def test_township_league_rates_equal_raw_sql(conn):
    units = qc.fetch_township_units(conn, SCOPE, region_code=DEMO_COUNTY, weeks=WEEKS).set_index("code")
    raw = raw_unit_counts(conn, "substr(village_code, 1, 9) || '000'", IN_COUNTY, START, END)
    assert len(units) >= 10 and set(raw.index) <= set(units.index)
    assert_units_equal_raw(units, raw)
    assert units["name"].str.len().min() > 0 and set(units["county_name"]) == {"永兴县"}
    one = qc.fetch_township_units(conn, Scope.of(units.index[0]), region_code=units.index[0], weeks=WEEKS)
    assert one["code"].tolist() == [units.index[0]] and one["county_name"].tolist() == ["永兴县"]


def test_department_rates_equal_raw_sql(conn):
    units = qc.fetch_department_units(conn, SCOPE, region_code=DEMO_COUNTY, weeks=WEEKS).set_index("code")
    raw = pd.read_sql_query(text(f"""
        SELECT department AS code, COUNT(*) AS closed, SUM(satisfaction IS NOT NULL) AS rated,
          SUM(satisfaction IN ('very_satisfied', 'satisfied')) AS satisfied, SUM(replied_at IS NOT NULL) AS replied
        FROM complaint WHERE {IN_COUNTY} AND date(closed_at) >= :a AND date(closed_at) < :b GROUP BY 1"""),
        conn, params={"a": START, "b": END}).set_index("code")
    assert set(raw.index) == set(units.index) and len(raw) >= 5
    for code, row in raw.iterrows():
        assert approx_rate(units.loc[code, "satisfaction_rate"], row["satisfied"] / row["rated"])
        assert approx_rate(units.loc[code, "reply_rate"], row["replied"] / row["closed"])


def test_league_flags_units_against_the_floors():
    from views.complaints import league
    frame = qc._with_unit_rates(pd.DataFrame({
        "code": ["a", "b", "c", "d"], "received": [100, 100, 100, 0], "repeats": [5, 20, 5, 0],
        "closed": [100, 100, 100, 0], "replied": [95, 90, 100, 0], "rated": [100, 100, 100, 0],
        "satisfied": [90, 80, 84, 0], "due": [1, 1, 1, 0], "due_on_time": [1, 1, 1, 0]}))
    out = league(frame, (0.92, 0.85, 0.08)).set_index("code")
    assert out.loc["a", "misses"] == 0
    assert out.loc["b"][["reply_below", "satisfaction_below", "repeat_above"]].tolist() == [True, True, True]
    assert out.loc["c", "misses"] == 1 and out.loc["c", "satisfaction_below"]
    assert out.loc["d", "misses"] == 0  # no data is not "below"
    assert list(out.index[:2]) == ["b", "c"]  # worst first


def test_services_equal_raw_sql(conn):
    svc = qc.fetch_services(conn, SCOPE, region_code=DEMO_COUNTY, weeks=WEEKS).set_index("matter")
    sub = pd.read_sql_query(text(f"""SELECT matter, COUNT(*) AS n FROM service_request WHERE {IN_COUNTY}
        AND submitted_at >= :a AND submitted_at < :b GROUP BY 1"""), conn,
        params={"a": START, "b": END}).set_index("matter")
    due = pd.read_sql_query(text(f"""SELECT matter, COUNT(*) AS due,
        SUM(completed_at IS NOT NULL AND date(completed_at) <= due_date) AS on_time FROM service_request
        WHERE {IN_COUNTY} AND due_date >= :a AND due_date < :b GROUP BY 1"""), conn,
        params={"a": START, "b": END}).set_index("matter")
    rated = pd.read_sql_query(text(f"""SELECT matter, AVG(rating) AS avg, SUM(rating = 5) AS five
        FROM service_request WHERE {IN_COUNTY} AND date(completed_at) >= :a AND date(completed_at) < :b
        AND rating IS NOT NULL GROUP BY 1"""), conn, params={"a": START, "b": END}).set_index("matter")
    for matter in sub.index:
        assert svc.loc[matter, "submitted"] == sub.loc[matter, "n"]
    for matter in due.index:
        assert approx_rate(svc.loc[matter, "on_time_rate"], due.loc[matter, "on_time"] / due.loc[matter, "due"])
    for matter in rated.index:
        assert svc.loc[matter, "avg_rating"] == pytest.approx(rated.loc[matter, "avg"])
        assert svc.loc[matter, "rating_5"] == rated.loc[matter, "five"]
    total = qc.service_summary(svc.reset_index())
    assert total["submitted"] == sub["n"].sum()


def _raw_weekly(conn, column, weeks, where=IN_COUNTY):
    monday = dt.date.fromisocalendar(weeks[0] // 100, weeks[0] % 100, 1)
    sunday = dt.date.fromisocalendar(weeks[-1] // 100, weeks[-1] % 100, 7)
    raw = pd.read_sql_query(text(f"SELECT received_at, {column} AS key FROM complaint WHERE {where} "
                                 "AND received_at >= :a AND received_at < :b"), conn,
                            params={"a": str(monday), "b": str(sunday + dt.timedelta(days=1))})
    raw["week_key"] = [week_key(pd.Timestamp(v).date()) for v in raw["received_at"]]
    return raw.groupby(["week_key", "key"]).size()


@pytest.mark.parametrize("by", ["category", "channel"])
def test_weekly_trend_equals_raw_counts(conn, by):
    weeks = weeks_back(DEMO_WEEK, 12)
    got = qc.fetch_weekly(conn, SCOPE, region_code=DEMO_COUNTY, weeks=weeks, by=by)
    got = got.set_index(["week_key", "key"])["received"]
    raw = _raw_weekly(conn, by, weeks)
    assert got[got > 0].sort_index().astype(int).to_dict() == raw.sort_index().astype(int).to_dict()


def test_trend_by_township_and_inside_a_township(conn):
    weeks = weeks_back(DEMO_WEEK, 8)
    towns = qc.fetch_weekly(conn, SCOPE, region_code=DEMO_COUNTY, weeks=weeks, by="region")
    raw = _raw_weekly(conn, "substr(village_code, 1, 9) || '000'", weeks)
    assert towns.set_index(["week_key", "key"])["received"].astype(int).sort_index().to_dict() == raw.to_dict()
    town = str(towns.groupby("key")["received"].sum().idxmax())
    inside = qc.fetch_weekly(conn, SCOPE, region_code=town, weeks=weeks, by="channel")
    raw = _raw_weekly(conn, "channel", weeks, where=f"village_code LIKE '{town[:9]}%'")
    inside = inside[inside["received"] > 0]  # twcc rows of closures only count 0 received
    assert inside.set_index(["week_key", "key"])["received"].astype(int).sort_index().to_dict() == raw.to_dict()
    # a township has no sub-regions: "region" falls back to categories
    assert set(qc.fetch_weekly(conn, SCOPE, region_code=town, weeks=weeks, by="region")["key"]) <= {
        "village_affairs_disclosure", "village_finance", "benefit_funds", "low_income_assessment",
        "land_acquisition", "project_quality", "cadre_conduct", "environment", "other"}


def test_same_weeks_last_year(conn):
    weeks = weeks_back(DEMO_WEEK, 12)
    before = qc.fetch_totals(conn, SCOPE, region_code=DEMO_COUNTY, weeks=same_weeks_last_year(weeks))
    assert before["week_key"].tolist() == [w - 100 for w in weeks]
    raw = _raw_weekly(conn, "'x'", [w - 100 for w in weeks]).droplevel("key")
    assert before.set_index("week_key")["received"].astype(int).to_dict() == raw.to_dict()


def test_open_complaints_oldest_first_and_ages(conn):
    rows, total = qc.fetch_open_complaints(conn, SCOPE, region_code=DEMO_COUNTY, limit=50)
    raw = conn.execute(text(f"SELECT case_no FROM complaint WHERE {IN_COUNTY} AND closed_at IS NULL "
                            "ORDER BY received_at, id")).scalars().all()
    assert total == len(raw) > 0 and rows["case_no"].tolist() == raw[:50]
    assert not {"complainant_name", "complainant_phone", "complainant_id_number"} & set(rows.columns)
    ages = qc.fetch_open_ages(conn, SCOPE, region_code=DEMO_COUNTY, as_of=DEMO_AS_OF).set_index("band")
    assert ages["open"].sum() == total
    raw_ages = pd.read_sql_query(text(f"SELECT received_at, due_date FROM complaint WHERE {IN_COUNTY} "
                                      "AND closed_at IS NULL"), conn)
    days = [(DEMO_AS_OF - pd.Timestamp(v).date()).days for v in raw_ages["received_at"]]
    assert ages.loc["d0_7", "open"] == sum(d <= 7 for d in days)
    assert ages.loc["d91p", "open"] == sum(d > 90 for d in days)
    assert ages["overdue"].sum() == sum(pd.Timestamp(d).date() < DEMO_AS_OF for d in raw_ages["due_date"])


def test_record_sources_of_the_page(conn):
    from data.records import fetch_records
    params = {"region": DEMO_COUNTY, "as_of": DEMO_AS_OF.isoformat()}
    rows, total = fetch_records(conn, SCOPE, "complaints_open", params, offset=0, limit=20)
    raw = conn.execute(text(f"SELECT case_no, received_at FROM complaint WHERE {IN_COUNTY} "
                            "AND closed_at IS NULL ORDER BY received_at, id")).all()
    assert total == len(raw) and rows["case_no"].tolist() == [r[0] for r in raw[:20]]
    assert rows["age_days"].iloc[0] == (DEMO_AS_OF - pd.Timestamp(raw[0][1]).date()).days
    assert set(rows["stage"]) <= {"received", "accepted", "replied"}
    assert not any(c.startswith("complainant") for c in rows.columns)
    rows, total = fetch_records(conn, SCOPE, "services_overdue", params, offset=0, limit=20)
    raw = conn.execute(text(f"SELECT id FROM service_request WHERE {IN_COUNTY} AND completed_at IS NULL "
                            "AND due_date < :d ORDER BY due_date, id"), {"d": DEMO_AS_OF}).scalars().all()
    assert total == len(raw) and rows["id"].tolist() == raw[:20]
    assert (rows["days_overdue"] > 0).all()


def test_out_of_scope_region_returns_nothing(conn):
    other = Scope.of("431021")  # 桂阳县 only
    assert qc.fetch_weekly(conn, other, region_code=DEMO_COUNTY, weeks=WEEKS, by="category").empty
    assert qc.fetch_totals(conn, other, region_code=DEMO_COUNTY, weeks=WEEKS).empty
    assert qc.fetch_township_units(conn, other, region_code=DEMO_COUNTY, weeks=WEEKS).empty
    assert qc.fetch_department_units(conn, other, region_code=DEMO_COUNTY, weeks=WEEKS).empty
    assert qc.fetch_services(conn, other, region_code=DEMO_COUNTY, weeks=WEEKS).empty
    assert qc.fetch_open_complaints(conn, other, region_code=DEMO_COUNTY)[1] == 0
    assert qc.fetch_overdue_services(conn, other, region_code=DEMO_COUNTY, as_of=DEMO_AS_OF)[1] == 0
    assert qc.fetch_township_weekly(conn, other, region_code=DEMO_COUNTY, weeks=WEEKS).empty
    from data.records import fetch_records
    assert fetch_records(conn, other, "complaints_open", {"region": DEMO_COUNTY}, limit=10)[1] == 0
    # a province user asking for a region outside the dataset gets nothing either
    assert qc.fetch_totals(conn, SCOPE, region_code="110000", weeks=WEEKS).empty
