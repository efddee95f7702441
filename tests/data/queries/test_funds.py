"""Fund-flows page: Sankey totals, disbursement rates, overdue payments, outliers,
disclosure and projects against independent SQL on raw rows, hand-computed values on
small fixtures, and the planted anomalies of the demo (table demo_truth)."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import text

from data.calendar import week_bounds
from data.codes import code_range
from data.queries import funds as qf
from data.rollups.villages import iqr_outliers
from data.scope import Scope
from tests.support.demo import DEMO_AS_OF, DEMO_COUNTY, DEMO_WEEK
from tests.support.session import signed_in
from tests.support.small import CA, CB, CITY, T1, T2, V11, V12, V31, WEEK
from views import funds as vf

HUNAN = Scope.of("430000")
CITY_CODE = "431000000000"
SUNDAY = week_bounds(DEMO_WEEK)[1]


def _truth(engine, kind: str) -> list[dict]:
    with engine.connect() as c:
        return [dict(r._mapping) for r in c.execute(
            text("SELECT * FROM demo_truth WHERE kind = :k"), {"k": kind})]


def _sankey(conn_, region: str, top: int = 100, **filters):
    alloc = qf.fetch_allocations(conn_, HUNAN, region_code=region, week_key=DEMO_WEEK, **filters)
    names = vf.unit_names(conn_, HUNAN, region)
    return vf.sankey_frames(alloc, qf.fetch_programs(conn_), names, by_program=False, lang="zh-CN",
                            top=top)


def _raw_alloc(conn_, group: str, where: str = "") -> dict:
    sql = (f"SELECT {group}, SUM(amount) FROM fund_allocation WHERE year = :y AND allocated_on <= :d "
           f"{where} GROUP BY {group}")
    return {k: float(v) for k, v in conn_.execute(text(sql), {"y": SUNDAY.year, "d": SUNDAY})}


# --- 1. Sankey ------------------------------------------------------------------------------

@pytest.mark.parametrize("region,n", [("430000000000", 4), (CITY_CODE, 6), (DEMO_COUNTY, 9)])
def test_sankey_sources_and_units_equal_raw_allocations(demo_engine, region, n):
    with demo_engine.connect() as c:
        nodes, _links = _sankey(c, region)
        per_source = _raw_alloc(c, "source_level")
        per_unit = _raw_alloc(c, f"substr(region_code, 1, {n})")
    sources = nodes[nodes["kind"] == "source"].set_index("key")["value_wan"]
    assert set(sources.index) == set(per_source)
    for level, amount in per_source.items():
        assert sources[level] * 10_000 == pytest.approx(amount, abs=0.05)
    units = nodes[nodes["kind"] == "unit"].set_index("key")["value_wan"]
    assert len(units) == len(per_unit)  # top=100: no "other" node
    for prefix, amount in per_unit.items():
        assert units[prefix.ljust(12, "0")] * 10_000 == pytest.approx(amount, abs=0.05)


def test_sankey_flows_conserve_and_filters_apply(demo_engine):
    with demo_engine.connect() as c:
        nodes, links = _sankey(c, DEMO_COUNTY)
        only, _ = _sankey(c, DEMO_COUNTY, source="provincial", category="social_assistance")
        raw = _raw_alloc(c, "source_level", "AND source_level = 'provincial' AND program_id IN "
                         "(SELECT id FROM fund_program WHERE category = 'social_assistance')")
    for i in nodes.index[nodes["kind"] == "category"]:
        inflow = links.loc[links["target"] == i, "value_wan"].sum()
        outflow = links.loc[links["source"] == i, "value_wan"].sum()
        assert inflow == pytest.approx(outflow) and inflow > 0
    total = links.loc[links["source"].isin(nodes.index[nodes["kind"] == "source"]), "value_wan"].sum()
    assert total == pytest.approx(links.loc[links["target"].isin(nodes.index[nodes["kind"] == "unit"]),
                                            "value_wan"].sum())
    assert list(only.loc[only["kind"] == "source", "key"]) == ["provincial"]
    assert list(only.loc[only["kind"] == "category", "key"]) == ["social_assistance"]
    assert only.loc[only["kind"] == "source", "value_wan"].iloc[0] * 10_000 == pytest.approx(
        raw["provincial"], abs=0.05)


def test_sankey_groups_small_units_as_other():
    alloc = pd.DataFrame({"unit": [f"4310{i:02d}000000" for i in range(1, 21)], "program_id": 1,
                          "source_level": "central", "amount": [float(i * 1000) for i in range(1, 21)]})
    programs = pd.DataFrame({"id": [1], "name": ["低保"], "category": ["social_assistance"]})
    nodes, links = vf.sankey_frames(alloc, programs, {}, by_program=False, lang="en", top=5)
    assert (nodes["kind"] == "unit").sum() == 5 and (nodes["kind"] == "other").sum() == 1
    other = nodes.index[nodes["kind"] == "other"][0]
    assert links.loc[links["target"] == other, "value_wan"].sum() * 10_000 == pytest.approx(sum(range(1, 16)) * 1000)
    assert "15" in nodes.loc[other, "label"]


# --- 2. Disbursement progress and overdue payments --------------------------------------------

def _raw_rates(c, n: int, programs: str = "") -> dict:
    paid = dict(c.execute(text(
        f"SELECT substr(village_code, 1, {n}), SUM(amount) FROM fund_payment WHERE paid_date "
        f"BETWEEN :a AND :d {programs} GROUP BY 1"), {"a": dt.date(SUNDAY.year, 1, 1), "d": SUNDAY}).all())
    alloc = _raw_alloc(c, f"substr(region_code, 1, {n})", programs)
    return {k.ljust(12, "0"): float(paid.get(k, 0)) / v for k, v in alloc.items()}


@pytest.mark.parametrize("region,n", [(CITY_CODE, 6), (DEMO_COUNTY, 9)])  # the demo has no city rows
def test_disbursement_rate_equals_raw_sql(demo_engine, region, n):
    with demo_engine.connect() as c:
        frame = qf.fetch_progress(c, HUNAN, region_code=region, week_key=DEMO_WEEK).set_index("code")
        raw = _raw_rates(c, n)
        cat = "AND program_id IN (SELECT id FROM fund_program WHERE category = 'social_assistance')"
        filtered = qf.fetch_progress(c, HUNAN, region_code=region, week_key=DEMO_WEEK,
                                     category="social_assistance").set_index("code")
        raw_cat = _raw_rates(c, n, cat)
    assert set(raw) <= set(frame.index) and raw
    for code, rate in raw.items():
        assert frame.loc[code, "rate"] == pytest.approx(rate, rel=1e-9)
        assert filtered.loc[code, "rate"] == pytest.approx(raw_cat[code], rel=1e-9)


def test_lagging_county_is_flagged_red(demo_engine):
    truth = _truth(demo_engine, "disbursement_lag")
    assert truth
    lag = truth[0]["region_code"]
    with demo_engine.connect() as c:
        frame = qf.fetch_progress(c, HUNAN, region_code=CITY_CODE, week_key=DEMO_WEEK)
    from data.judgement import year_share
    share = year_share(DEMO_WEEK)
    status = {code: vf.lag_status(r, share, (15, 10, 5)) for code, r in zip(frame["code"], frame["rate"])}
    if lag in status:  # the county demo holds the focus county only
        assert status[lag] == "red"
    assert vf.lag_status(0.50, 0.80, (15, 10, 5)) == "red"
    assert vf.lag_status(0.68, 0.80, (15, 10, 5)) == "yellow"
    assert vf.lag_status(0.74, 0.80, (15, 10, 5)) == "blue"
    assert vf.lag_status(0.79, 0.80, (15, 10, 5)) == "ok"
    assert vf.lag_status(None, 0.80, (15, 10, 5)) is None


def test_overdue_payments_equal_raw_sql(demo_engine):
    with demo_engine.connect() as c:
        frame = qf.fetch_overdue(c, HUNAN, region_code=DEMO_COUNTY, week_key=DEMO_WEEK)
        n, amount = c.execute(text(
            "SELECT COUNT(*), SUM(amount) FROM fund_payment WHERE due_date <= :d "
            "AND (paid_date IS NULL OR paid_date > :d)"), {"d": SUNDAY}).one()
        old = c.execute(text(
            "SELECT COUNT(*) FROM fund_payment WHERE due_date < :d AND (paid_date IS NULL OR paid_date > :s)"),
            {"d": SUNDAY - dt.timedelta(days=7 * 13 + 6), "s": SUNDAY}).scalar_one()
    assert frame["payments"].sum() == n and n > 0
    assert frame["amount"].sum() == pytest.approx(float(amount), abs=0.05)
    assert frame.loc[frame["age_bucket"] == "w13p", "payments"].sum() == old


# --- 3. Village finance -----------------------------------------------------------------------

def test_ledger_months_equal_raw_sql(demo_engine):
    months = vf.ytd_months(DEMO_WEEK)
    with demo_engine.connect() as c:
        frame = qf.fetch_ledger_months(c, HUNAN, region_code=CITY_CODE, months=months)
        raw = c.execute(text("SELECT SUM(amount) FROM village_ledger WHERE direction = 'expense' "
                             "AND entry_date BETWEEN :a AND :b"),
                        {"a": dt.date(SUNDAY.year, 1, 1), "b": dt.date(SUNDAY.year, 12, 31)}).scalar_one()
    assert frame.loc[frame["direction"] == "expense", "amount"].sum() == pytest.approx(float(raw), abs=0.5)


def test_outlier_list_contains_the_planted_village(demo_engine):
    truth = _truth(demo_engine, "spending_outlier")
    assert truth
    village, category = truth[0]["region_code"], truth[0]["subject"]
    with demo_engine.connect() as c:
        frame = qf.fetch_outliers(c, HUNAN, region_code=DEMO_COUNTY, year=DEMO_AS_OF.year)
    hit = frame[(frame["village_code"] == village) & (frame["category"] == category)]
    assert len(hit) == 1
    row = hit.iloc[0]
    assert row["per_capita"] > row["fence"] == pytest.approx(row["q3"] + 3 * (row["q3"] - _q1(frame, hit)))
    assert frame.iloc[0]["village_code"] == village  # the most extreme first


def _q1(frame, hit):
    row = hit.iloc[0]
    return row["q3"] - (row["fence"] - row["q3"]) / 3


def _clean_villages(n=12):
    codes = [f"431023100{200 + i}" for i in range(n)]
    return codes, pd.DataFrame({"village_code": codes, "population": [1000 + 10 * i for i in range(n)]})


def test_iqr_outliers_nothing_on_a_clean_fixture():
    codes, villages = _clean_villages()
    spend = pd.DataFrame({"year": 2026, "village_code": codes, "category": "hospitality",
                          "amount": [p * 5.0 * (1 + 0.02 * (i % 3)) for i, p in enumerate(villages["population"])]})
    assert iqr_outliers(spend, villages).empty


def test_iqr_outliers_hand_computed_fence():
    codes, villages = _clean_villages(8)
    villages["population"] = 1000
    per_capita = [1, 2, 3, 4, 5, 6, 7, 40]  # Q1 = 2.75, Q3 = 6.25, IQR 3.5 -> fence 16.75
    spend = pd.DataFrame({"year": 2026, "village_code": codes, "category": "admin",
                          "amount": [p * 1000.0 for p in per_capita]})
    out = iqr_outliers(spend, villages)
    assert list(out["village_code"]) == [codes[-1]]
    assert out.iloc[0]["fence"] == pytest.approx(6.25 + 3 * 3.5)
    assert out.iloc[0]["per_capita"] == pytest.approx(40)


# --- 4. Disclosure (small hand-made fixture) ----------------------------------------------------

def test_disclosure_on_time_rate_hand_computed(conn):
    prev = WEEK - 1
    counties = qf.fetch_disclosure_units(conn, HUNAN, region_code=CITY, weeks=[WEEK]).set_index("code")
    assert counties.loc[CA, "rate"] == pytest.approx(1 / 2)  # V11 on time, V12 late
    assert counties.loc[CB, "rate"] == pytest.approx(0.0)  # V31 never published
    both = qf.fetch_disclosure_units(conn, HUNAN, region_code=CITY, weeks=[prev, WEEK]).set_index("code")
    assert both.loc[CA, "rate"] == pytest.approx(2 / 3)  # + V21 on time (W08)
    towns = qf.fetch_disclosure_units(conn, HUNAN, region_code=CA, weeks=[WEEK]).set_index("code")
    assert towns.loc[T1, "rate"] == pytest.approx(0.5) and towns.loc[T2, "rate"] is None
    late = qf.fetch_late_villages(conn, HUNAN, region_code=CITY, weeks=[prev, WEEK])
    assert list(late["village_code"]) == [V31, V12]
    assert late.set_index("village_code").loc[V31, "unpublished"] == 1
    assert late.set_index("village_code").loc[V12, "late"] == 1
    kinds = qf.fetch_disclosure_kinds(conn, HUNAN, region_code=CITY, weeks=[WEEK]).set_index("kind")
    assert kinds.loc["finance", "due"] == 2 and kinds.loc["finance", "on_time"] == 1
    assert V11 not in set(late["village_code"])


# --- 5. Projects --------------------------------------------------------------------------------

def test_delayed_projects_include_the_planted_one(demo_engine):
    truth = _truth(demo_engine, "project_delay")
    assert truth
    with demo_engine.connect() as c:
        delayed = qf.fetch_delayed_projects(c, HUNAN, region_code=DEMO_COUNTY, as_of=DEMO_AS_OF)
        summary = qf.fetch_projects(c, HUNAN, region_code=DEMO_COUNTY)
        raw = c.execute(text("SELECT COUNT(*), SUM(budget) FROM livelihood_project")).one()
    hit = delayed[delayed["village_code"] == truth[0]["region_code"]]
    assert truth[0]["subject"] in set(hit["name"])
    assert int(hit[hit["name"] == truth[0]["subject"]]["days_overdue"].iloc[0]) == 120
    assert summary["projects"].sum() == raw[0]
    assert summary["budget"].sum() == pytest.approx(float(raw[1]))


# --- scope ------------------------------------------------------------------------------------

def test_out_of_scope_region_returns_nothing(demo_engine):
    other = Scope.of("431024")  # a county user asking for another county
    with demo_engine.connect() as c:
        assert qf.fetch_allocations(c, other, region_code=DEMO_COUNTY, week_key=DEMO_WEEK).empty
        assert qf.fetch_progress(c, other, region_code=DEMO_COUNTY, week_key=DEMO_WEEK).empty
        assert qf.fetch_overdue(c, other, region_code=DEMO_COUNTY, week_key=DEMO_WEEK).empty
        assert qf.fetch_outliers(c, other, region_code=DEMO_COUNTY, year=2026).empty
        assert qf.fetch_late_villages(c, other, region_code=DEMO_COUNTY, weeks=[DEMO_WEEK]).empty
        assert qf.fetch_delayed_projects(c, other, region_code=DEMO_COUNTY, as_of=DEMO_AS_OF).empty
        assert qf.fetch_allocations(c, Scope(), region_code=DEMO_COUNTY, week_key=DEMO_WEEK).empty
    low, high = code_range(DEMO_COUNTY)
    assert low < high


# --- callbacks in a faked request -----------------------------------------------------------------

def test_callbacks_render_every_section(server):
    from callbacks import funds
    with signed_in(server):
        out = funds.resolve_state({"region": "431023", "week": "2026-W46", "lang": "zh-CN",
                                   "category": "social_assistance", "source": "central"})
        resolved = out[-1]
        sankey, _note = funds.render_sankey(resolved)
        progress, summary = funds.render_progress(resolved)
        overdue, _ = funds.render_overdue(resolved)
        ledger = funds.render_ledger(resolved)
        outliers = funds.render_outliers(resolved)
        units, kinds = funds.render_disclosure(resolved)
        late = funds.render_late(resolved)
        projects, delayed = funds.render_projects(resolved)
    assert resolved["region"] == DEMO_COUNTY and resolved["category"] == "social_assistance"
    assert sankey["data"][0]["type"] == "sankey"
    assert sankey["layout"]["meta"]["export"]["title"]
    assert progress["data"][0]["type"] == "bar" and len(progress["data"][0]["y"]) > 5
    for fig in (overdue, ledger, units, kinds, projects):
        assert fig["data"], fig
    payload = json.dumps([outliers, late, delayed, summary], default=lambda o: o.to_plotly_json())
    assert "beneficiary" not in payload


def test_the_page_arrives_drawn(server):
    """The layout carries the first view the callbacks used to send: pickers, filter
    chips, every section and the records grid's first rows (no callback on load)."""
    from callbacks import funds
    from ids import chart
    from ids import funds as fid
    from ids import records as ids_records
    from pages import funds as page
    from tests.support.layout import components_by_id, key_of
    state = {"region": "431023", "week": "2026-W46", "lang": "zh-CN", "category": "social_assistance",
             "source": None, "period": "ytd"}
    with signed_in(server):
        regions, region, weeks, week, _periods, period, _as_of, _chip, _chips, resolved = funds.resolve_state(state)
        found = components_by_id(page.layout(region="431023", week="2026-W46", category="social_assistance"))
        sankey, note = funds.render_sankey(resolved)
        _progress, summary = funds.render_progress(resolved)

    def by_id(node_id):
        return found[key_of(node_id)]
    assert by_id(fid.REGION).value == region == DEMO_COUNTY and by_id(fid.REGION).options == regions
    assert by_id(fid.WEEK).value == week and by_id(fid.WEEK).options == weeks and by_id(fid.PERIOD).value == period
    assert by_id(fid.RESOLVED).data == resolved
    assert by_id(chart(fid.SANKEY_CHART)).figure == sankey and by_id(fid.SANKEY_NOTE).children == note
    def dump(value):
        return json.dumps(value, default=lambda o: o.to_plotly_json())
    assert dump(by_id(fid.PROGRESS_SUMMARY).children) == dump(summary)
    for key in fid.CHART_KEYS:
        assert by_id(chart(key)).figure["data"], key
    assert "sun-funds-chip" in dump(by_id(fid.FILTERS).children)
    query = by_id(ids_records.query("funds")).data
    assert query == funds.records_params("payments", resolved) and query["params"]["category"] == "social_assistance"
    first = by_id(ids_records.first("funds")).data
    assert first and first["rowCount"] > 0 and first["rowData"]


def test_node_click_filters_and_drills(server):
    from callbacks import funds
    resolved = {"region": CITY_CODE, "week": "2026-W46", "source": None, "category": None}
    with signed_in(server):
        def click(kind, key):
            return funds.node_href({"points": [{"customdata": [kind, key], "label": "x"}]}, resolved,
                                   "?lang=en&week=2026-W46")
        assert "category=agriculture" in click("category", "agriculture")
        assert "source=central" in click("source", "central") and "lang=en" in click("source", "central")
        assert "region=431023000000" in click("unit", "431023000000")
        assert click("unit", "110000000000") is None  # outside the scope: no drill
        assert click("other", "") is None
        assert funds.node_href({"points": [{"source": 1}]}, resolved, "") is None
        assert funds.node_href({"points": [{"customdata": ["source", "central"], "label": ""}]},
                               resolved, "") is None  # a link
        resolved["category"] = "agriculture"
        assert "category" not in click("category", "agriculture")  # a second click clears


# --- 6. Drill to records ------------------------------------------------------------------------

def _records(c, name, params, scope=HUNAN):
    from data.records import fetch_records, load_sources
    load_sources()
    return fetch_records(c, scope, name, params, offset=0, limit=5)


def test_records_behind_the_figures(demo_engine):
    weeks = [f"{DEMO_WEEK // 100}-W{w:02d}" for w in range(1, DEMO_WEEK % 100 + 1)]
    with demo_engine.connect() as c:
        overdue = qf.fetch_overdue(c, HUNAN, region_code=DEMO_COUNTY, week_key=DEMO_WEEK)
        rows, total = _records(c, "funds_payments", {"region": DEMO_COUNTY, "weeks": weeks,
                                                     "only": "outstanding"})
        assert total == overdue["payments"].sum() and len(rows) == 5
        assert set(rows.columns) == {"program", "village", "beneficiary_key", "amount", "due_date", "paid_date"}
        assert rows["beneficiary_key"].str.match(r"^B[0-9a-f]+$").all()  # pseudonymous keys only
        ledger = qf.fetch_ledger_months(c, HUNAN, region_code=DEMO_COUNTY, months=[202610])
        _, n = _records(c, "funds_ledger", {"region": DEMO_COUNTY, "months": [202610],
                                            "category": "hospitality", "direction": "expense"})
        assert n == ledger.set_index("category").loc["hospitality", "entries"]
        delayed = qf.fetch_delayed_projects(c, HUNAN, region_code=DEMO_COUNTY, as_of=DEMO_AS_OF)
        _, n = _records(c, "funds_projects", {"region": DEMO_COUNTY, "only": "delayed"})
        assert n == len(delayed) > 0
        # a forged region outside the scope, or an empty scope, gets nothing
        assert _records(c, "funds_payments", {"region": "110000", "weeks": weeks})[1] == 0
        assert _records(c, "funds_projects", {"region": DEMO_COUNTY}, Scope.of("431024"))[1] == 0


def test_records_params_follow_the_clicked_bar():
    from callbacks import funds
    from ids import funds as fid
    resolved = {"region": CITY_CODE, "week": "2026-W46", "lang": "en", "category": "agriculture"}
    q = funds.records_params("payments", resolved)
    assert q["source"] == "funds_payments" and q["params"]["category"] == "agriculture"
    assert q["params"]["weeks"][0] == "2026-W01" and q["params"]["weeks"][-1] == "2026-W46"
    q = funds.records_params("outstanding", resolved, fid.OVERDUE_CHART, [12, DEMO_COUNTY])
    assert q["params"]["region"] == DEMO_COUNTY and q["params"]["only"] == "outstanding"
    q = funds.records_params("ledger", resolved, fid.LEDGER_CHART, [1.0, 202610, "admin", "expense"])
    assert q["params"] == {"region": CITY_CODE, "months": [202610], "category": "admin", "direction": "expense"}
    q = funds.records_params("projects", resolved, fid.PROJECTS_CHART, "road")
    assert q["source"] == "funds_projects" and q["params"]["category"] == "road"


def test_period_windows():
    assert vf.window_months({"week": "2026-W46", "period": "ytd"})[0] == 202601  # W01 starts Dec 29
    assert vf.window_months({"week": "2026-W46", "period": "quarter"}) == [202610, 202611]
    assert vf.window_weeks({"week": "2026-W46", "period": "4w"}) == [202643, 202644, 202645, 202646]
    assert vf.window_weeks({"week": "2026-W46", "period": "bogus"})[0] == 202601  # unknown -> ytd
