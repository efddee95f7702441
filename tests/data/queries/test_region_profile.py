"""Region profile (/region/<code>): numbers vs raw SQL, comparisons, scope, layout."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from data.scope import Scope
from tests.support.demo import DEMO_COUNTY, DEMO_WEEK
from tests.support.session import signed_in

SCOPE = Scope.of("430000")
SURGE_TOWN = "431023113000"


def _profile(engine, code, period="week", scope=SCOPE):
    from data.queries.region_profile import fetch_profile
    with engine.connect() as conn:
        return fetch_profile(conn, scope, region_code=code, week_key=DEMO_WEEK, period=period)


def test_township_profile_matches_raw_sql(demo_engine):
    prof = _profile(demo_engine, SURGE_TOWN, period="4w")
    with demo_engine.connect() as conn:
        now = conn.execute(text("select count(*) from complaint where village_code like '431023113%' "
                                "and received_at >= '2026-10-19' and received_at < '2026-11-16'")).scalar()
        before = conn.execute(text("select count(*) from complaint where village_code like '431023113%' "
                                   "and received_at >= '2026-09-21' and received_at < '2026-10-19'")).scalar()
        county = conn.execute(text("select count(*) from complaint where village_code like '431023%' "
                                   "and received_at >= '2026-10-19' and received_at < '2026-11-16'")).scalar()
        pop = conn.execute(text("select sum(population) from region where level='village' "
                                "and code like '431023113%'")).scalar()
    assert prof["own"]["received"] == now and prof["previous"]["received"] == before
    assert prof["parent"]["received"] == county and prof["parent_code"] == DEMO_COUNTY
    assert prof["own"]["population"] == pop
    assert now > 2 * before  # the planted surge (x4 from 2026-10-26)
    assert prof["ranks"]["complaints_received"][0] == 1
    assert len(prof["children"]) > 5 and prof["children"]["code"].str.startswith("431023113").all()


def test_village_profile_and_trend(demo_engine):
    from data.queries.region_profile import fetch_region_trend
    village = "431023113201"
    prof = _profile(demo_engine, village, period="quarter")
    assert prof is not None and prof["children"].empty and prof["parent_code"] == SURGE_TOWN
    with demo_engine.connect() as conn:
        trend = fetch_region_trend(conn, SCOPE, region_code=village, week_key=DEMO_WEEK, weeks=12)
        raw = conn.execute(text("select count(*) from complaint where village_code = :v "
                                "and received_at >= '2026-08-24' and received_at < '2026-11-16'"),
                           {"v": village}).scalar()
        raw_sat = conn.execute(text(
            "select sum(satisfaction in ('very_satisfied','satisfied')), count(satisfaction) "
            "from complaint where village_code = :v and closed_at >= '2026-11-09' "
            "and closed_at < '2026-11-16'"), {"v": village}).one()
    assert len(trend) == 12 and trend["received"].sum() == raw
    last = trend.iloc[-1]
    assert (last["satisfied"], last["rated"]) == (float(raw_sat[0] or 0), float(raw_sat[1]))


def test_township_trend_comes_from_the_rollups(demo_engine):
    from data.queries.region_profile import fetch_region_trend
    with demo_engine.connect() as conn:
        trend = fetch_region_trend(conn, SCOPE, region_code=SURGE_TOWN, week_key=DEMO_WEEK)
        raw = conn.execute(text("select sum(received) from rollup_complaint_tw where township_code = :t "
                                "and week_key = :w"), {"t": SURGE_TOWN, "w": DEMO_WEEK}).scalar()
    assert trend.iloc[-1]["complaints_received"] == raw


def test_out_of_scope_profile_is_none(demo_engine):
    assert _profile(demo_engine, SURGE_TOWN, scope=Scope.of("431021")) is None
    assert _profile(demo_engine, "110101000000") is None


def test_callbacks_render_the_profile(server):
    from callbacks import region as cr
    with signed_in(server):
        view, period, chip = cr.resolve({"region": SURGE_TOWN, "week": "2026-W46", "lang": "zh-CN",
                                         "period": "4w"})
        kpis, summary, reasons = cr.render_profile(view)
        children = cr.render_children(view)
        trend = cr.render_trend(view)
        q = cr.records(view)
        new = cr.period_to_view("quarter", view)
    blob = json.dumps([kpis, summary, reasons, children], default=lambda o: o.to_plotly_json(),
                      ensure_ascii=False)
    assert period == "4w" and view["name"] in chip
    assert "投诉举报量" in blob and "上级" in blob and "主要问题" in blob and "1/" in blob
    assert trend["data"] and trend["layout"]["meta"]["export"]["region"] == view["name"]
    assert q["source"] == "complaints" and q["params"]["weeks"] == [202643, 202644, 202645, 202646]
    assert new["period"] == "quarter" and new["href"].startswith(f"/region/{SURGE_TOWN}?")
    assert "complainant" not in blob


def test_callbacks_refuse_out_of_scope(server):
    from callbacks import region as cr
    with signed_in(server):
        view, _, _ = cr.resolve({"region": "110101000000", "week": "2026-W46", "lang": "en"})
        kpis, *_ = cr.render_profile(view)
    assert view["region"] is None
    assert "may not see" in json.dumps(kpis, default=lambda o: o.to_plotly_json())


def test_layout_renders_for_any_code(server):
    import dash
    from plotly.utils import PlotlyJSONEncoder  # the first view's figures hold numpy arrays, as Dash sends them
    page = next(p for p in dash.page_registry.values() if p["module"] == "pages.region")
    assert page["path_template"] == "/region/<code>" and page.get("in_navbar") is False
    with signed_in(server):
        for code in (None, SURGE_TOWN, "431023", "garbage", "110101"):
            assert json.dumps(page["layout"](code=code, period="nope"), cls=PlotlyJSONEncoder)


def test_timeline_matches_raw_sql(demo_engine):
    """Every series of the one-axis timeline against the raw tables."""
    from data.queries.region_profile import TIMELINE_SERIES, fetch_region_timeline
    with demo_engine.connect() as conn:
        frame = fetch_region_timeline(conn, SCOPE, region_code=SURGE_TOWN, week_key=DEMO_WEEK, weeks=26)
        vframe = fetch_region_timeline(conn, SCOPE, region_code="431023113201", week_key=DEMO_WEEK, weeks=26)
        q = lambda sql, **p: conn.execute(text(sql), p).scalar()  # noqa: E731
        raw = {
            "complaints_received": q("select count(*) from complaint where village_code like '431023113%' "
                                     "and received_at >= '2026-05-18' and received_at < '2026-11-16'"),
            "service_requests": q("select count(*) from service_request where village_code like '431023113%' "
                                  "and submitted_at >= '2026-05-18' and submitted_at < '2026-11-16'"),
            "funds_paid": q("select sum(amount) from fund_payment where village_code like '431023113%' "
                            "and paid_date between '2026-05-18' and '2026-11-15'"),
            "warnings_raised": q("select count(*) from warning where region_code like '431023113%' "
                                 "and raised_on between '2026-05-18' and '2026-11-15'"),
            "finance_expense": q("select sum(amount) from village_ledger where village_code like '431023113%' "
                                 "and direction = 'expense' and entry_date between '2026-05-01' and '2026-11-30'"),
        }
        v_paid = q("select sum(amount) from fund_payment where village_code = '431023113201' "
                   "and paid_date between '2026-05-18' and '2026-11-15'")
    sums = frame.groupby("series")["value"].sum()
    assert set(frame["series"]) == set(TIMELINE_SERIES)
    for key, value in raw.items():
        assert sums[key] == pytest.approx(float(value or 0)), key
    assert (frame[frame.series == "complaints_received"].value > 0).sum() > 10
    vsums = vframe.groupby("series")["value"].sum()
    assert vsums["funds_paid"] == pytest.approx(float(v_paid or 0))
    assert _timeline_empty_outside(demo_engine)


def _timeline_empty_outside(engine) -> bool:
    from data.queries.region_profile import fetch_region_timeline
    with engine.connect() as conn:
        return fetch_region_timeline(conn, Scope.of("431021"), region_code=SURGE_TOWN,
                                     week_key=DEMO_WEEK).empty


def test_timeline_callback(server):
    from callbacks import region as cr
    with signed_in(server):
        view = cr.resolve({"region": SURGE_TOWN, "week": "2026-W46", "lang": "en", "period": "week"})[0]
        fig = cr.render_timeline(view)
    assert len(fig["data"]) == 6 and fig["layout"]["meta"]["export"]["title"].startswith("Activity")


def test_timeline_layout_is_the_stacked_subplots_layout():
    """The hand-built timeline rows are where make_subplots(rows=6, shared_xaxes=True) puts
    them: same domains, anchors, shared x axis and titles (to the last float digit)."""
    import pandas as pd
    from plotly.subplots import make_subplots

    from figures.region import TIMELINE_PANELS, TIMELINE_SPACING, profile_timeline
    rows = len(TIMELINE_PANELS)
    frame = pd.DataFrame([(k, pd.Timestamp("2026-06-01") + pd.Timedelta(weeks=i), float(i))
                          for k, *_ in TIMELINE_PANELS for i in range(4)],
                         columns=["series", "period_start", "value"])
    got = profile_timeline(frame, lang="zh-CN").to_plotly_json()
    ref = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=TIMELINE_SPACING,
                        subplot_titles=[str(i) for i in range(rows)]).to_plotly_json()["layout"]
    for i in range(1, rows + 1):
        s = "" if i == 1 else str(i)
        for axis in (f"xaxis{s}", f"yaxis{s}"):
            assert got["layout"][axis]["anchor"] == ref[axis]["anchor"]
            assert got["layout"][axis]["domain"] == pytest.approx(ref[axis]["domain"], abs=1e-12)
            assert got["layout"][axis].get("matches") == ref[axis].get("matches")
        assert got["layout"][f"xaxis{s}"].get("showticklabels") == ref[f"xaxis{s}"].get("showticklabels")
        assert got["data"][i - 1]["xaxis"] == f"x{s}" and got["data"][i - 1]["yaxis"] == f"y{s}"
    assert [a["y"] for a in got["layout"]["annotations"]] == pytest.approx(
        [a["y"] for a in ref["annotations"]], abs=1e-12)
