"""Records grid of the fund-flows page (/funds): totals (from rollups when the grid has no
filter) and pages (index order) against independent SQL on the raw tables, at every
level, with category / outstanding / ledger filters, and with a grid filter."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from data.calendar import week_bounds
from data.codes import code_range
from data.records import fetch_records, load_sources
from data.scope import Scope
from tests.support.demo import DEMO_COUNTY, DEMO_WEEK
from tests.support.small import CA, CITY, V11, V12

HUNAN = Scope.of("430000")
WEEKS = [f"{DEMO_WEEK // 100}-W{w:02d}" for w in range(1, DEMO_WEEK % 100 + 1)]
START, END = week_bounds(202601)[0], week_bounds(DEMO_WEEK)[1]


@pytest.fixture(scope="module")
def places(demo_engine):
    """A township and a village of the demo county (the first ones with payments)."""
    load_sources()
    with demo_engine.connect() as c:
        village = c.execute(text("SELECT MIN(village_code) FROM fund_payment")).scalar()
    return {"county": DEMO_COUNTY, "township": village[:9] + "000", "village": village}


def _fetch(c, name, params, scope=HUNAN, **kw):
    kw.setdefault("offset", 0)
    kw.setdefault("limit", 20)
    return fetch_records(c, scope, name, params, **kw)


def _raw_payments(c, region, where, args) -> list[tuple]:
    lo, hi = code_range(region)
    sql = ("SELECT id, village_code, due_date FROM fund_payment WHERE village_code BETWEEN :lo AND :hi "
           f"AND {where} ORDER BY village_code, due_date, id")
    return [tuple(r) for r in c.execute(text(sql), {"lo": lo, "hi": hi, **args})]


CATEGORY = "program_id IN (SELECT id FROM fund_program WHERE category = 'social_assistance')"


@pytest.mark.parametrize("level", ["county", "township", "village"])
@pytest.mark.parametrize("case", ["due", "due_category", "outstanding", "outstanding_category"])
def test_payment_totals_and_first_page_equal_raw_sql(demo_engine, places, level, case):
    region = places[level]
    params = {"region": region, "weeks": WEEKS}
    if case.endswith("category"):
        params["category"] = "social_assistance"
    if case.startswith("outstanding"):
        params["only"] = "outstanding"
        where = "due_date <= :end AND (paid_date IS NULL OR paid_date > :end)"
    else:
        where = "due_date BETWEEN :start AND :end"
    if case.endswith("category"):
        where += f" AND {CATEGORY}"
    with demo_engine.connect() as c:
        raw = _raw_payments(c, region, where, {"start": START, "end": END})
        rows, total = _fetch(c, "funds_payments", params)
    assert total == len(raw) > 0
    assert list(rows["due_date"].astype(str)) == [str(r[2]) for r in raw[:20]]  # index order
    village_names = {r[1] for r in raw[:20]}
    assert len(village_names) >= 1 and rows["village"].notna().all()


def test_payment_total_counts_raw_rows_under_a_grid_filter(demo_engine, places):
    region = places["county"]
    with demo_engine.connect() as c:
        raw = _raw_payments(c, region, "due_date BETWEEN :start AND :end AND amount >= 500",
                            {"start": START, "end": END})
        rows, total = _fetch(c, "funds_payments", {"region": region, "weeks": WEEKS},
                             filters={"amount": {"filterType": "number", "type": "greaterThanOrEqual",
                                                 "filter": 500}})
    assert total == len(raw) > 0 and (rows["amount"].astype(float) >= 500).all()


def test_payment_total_for_a_township_user_on_the_county(demo_engine, places):
    town = places["township"]
    with demo_engine.connect() as c:
        raw = _raw_payments(c, town, "due_date BETWEEN :start AND :end", {"start": START, "end": END})
        _, total = _fetch(c, "funds_payments", {"region": DEMO_COUNTY, "weeks": WEEKS}, Scope.of(town))
        _, other = _fetch(c, "funds_payments", {"region": DEMO_COUNTY, "weeks": WEEKS}, Scope.of("431024"))
    assert total == len(raw) > 0 and other == 0


@pytest.mark.parametrize("level", ["county", "township", "village"])
@pytest.mark.parametrize("extra", [{}, {"category": "hospitality", "direction": "expense"}])
def test_ledger_totals_and_first_page_equal_raw_sql(demo_engine, places, level, extra):
    region = places[level]
    lo, hi = code_range(region)
    where = "".join(f" AND {k} = :{k}" for k in extra)
    sql = ("SELECT entry_date FROM village_ledger WHERE village_code BETWEEN :lo AND :hi "
           f"AND entry_date BETWEEN :a AND :b{where} ORDER BY village_code, entry_date, id")
    with demo_engine.connect() as c:
        raw = [str(r[0]) for r in c.execute(text(sql), {"lo": lo, "hi": hi, "a": dt.date(2026, 1, 1),
                                                        "b": dt.date(2026, 10, 31), **extra})]
        rows, total = _fetch(c, "funds_ledger", {"region": region, "months": list(range(202601, 202611)),
                                                 **extra})
    assert total == len(raw) > 0
    assert list(rows["entry_date"].astype(str)) == raw[:20]


def test_later_pages_continue_the_order(demo_engine, places):
    region = places["township"]
    with demo_engine.connect() as c:
        raw = _raw_payments(c, region, "due_date BETWEEN :start AND :end", {"start": START, "end": END})
        rows, _ = _fetch(c, "funds_payments", {"region": region, "weeks": WEEKS}, offset=20, limit=10)
    assert list(rows["due_date"].astype(str)) == [str(r[2]) for r in raw[20:30]]


# --- source filter (payments do not record their source: programmes the level funds) -----------

FUNDED = ("(substr(village_code, 1, 9) || '000', program_id) IN (SELECT substr(region_code, 1, 9) "
          "|| '000', program_id FROM fund_allocation WHERE source_level = :src AND year = :y "
          "AND allocated_on <= :end)")


@pytest.mark.parametrize("source", ["central", "municipal"])
@pytest.mark.parametrize("level", ["county", "township"])
def test_source_filter_of_payment_records_equals_raw_sql(demo_engine, places, source, level):
    region = places[level]
    args = {"start": START, "end": END, "src": source, "y": END.year}
    with demo_engine.connect() as c:
        raw = _raw_payments(c, region, f"due_date BETWEEN :start AND :end AND {FUNDED}", args)
        everything = _raw_payments(c, region, "due_date BETWEEN :start AND :end", args)
        rows, total = _fetch(c, "funds_payments", {"region": region, "weeks": WEEKS, "source": source})
        late = _raw_payments(c, region, f"due_date <= :end AND (paid_date IS NULL OR paid_date > :end) "
                             f"AND {FUNDED}", args)
        _, late_total = _fetch(c, "funds_payments", {"region": region, "weeks": WEEKS,
                                                     "source": source, "only": "outstanding"})
        _, forged = _fetch(c, "funds_payments", {"region": region, "weeks": WEEKS, "source": "x') OR 1"})
    assert 0 < total == len(raw) < len(everything)  # the filter keeps some programmes, not all
    assert list(rows["due_date"].astype(str)) == [str(r[2]) for r in raw[:20]]
    assert late_total == len(late)
    assert forged == len(everything)  # an unknown source is ignored


def test_source_filter_of_the_overdue_chart_equals_raw_sql(demo_engine):
    from data.queries import funds as qf
    args = {"end": END, "src": "central", "y": END.year}
    lo, hi = code_range(DEMO_COUNTY)
    sql = ("SELECT substr(village_code, 1, 9) || '000', COUNT(*), SUM(amount) FROM fund_payment "
           "WHERE village_code BETWEEN :lo AND :hi AND due_date <= :end "
           f"AND (paid_date IS NULL OR paid_date > :end) AND {FUNDED} GROUP BY 1")
    with demo_engine.connect() as c:
        raw = {k: (n, float(a)) for k, n, a in c.execute(text(sql), {"lo": lo, "hi": hi, **args})}
        frame = qf.fetch_overdue(c, HUNAN, region_code=DEMO_COUNTY, week_key=DEMO_WEEK, source="central")
        plain = qf.fetch_overdue(c, HUNAN, region_code=DEMO_COUNTY, week_key=DEMO_WEEK)
    got = frame.groupby("unit")[["payments", "amount"]].sum()
    assert set(got.index) == set(raw) and raw
    for unit, (n, amount) in raw.items():
        assert got.loc[unit, "payments"] == n and got.loc[unit, "amount"] == pytest.approx(amount, abs=0.01)
    assert frame["payments"].sum() < plain["payments"].sum()


def test_records_params_carry_the_source_filter():
    from callbacks import funds
    resolved = {"region": DEMO_COUNTY, "week": "2026-W46", "lang": "en", "source": "central"}
    for choice in ("payments", "outstanding"):
        assert funds.records_params(choice, resolved)["params"]["source"] == "central"
    assert "source" not in funds.records_params("payments", {**resolved, "source": "bogus"})["params"]
    assert "source" not in funds.records_params("ledger", resolved)["params"]


def test_filter_chips_say_what_the_filters_do_not_reach():
    from callbacks import funds
    from i18n import t
    for lang in ("en", "zh-CN"):
        text_of = str(funds.filter_chips({"lang": lang, "source": "central"}))
        assert t("funds.filters.source_note", lang) in text_of
        assert t("funds.filters.scope_note", lang) in text_of
        text_of = str(funds.filter_chips({"lang": lang, "category": "housing"}))
        assert t("funds.filters.scope_note", lang) in text_of
        assert t("funds.filters.source_note", lang) not in text_of


# --- disclosure records (the disclosure charts' bars) ------------------------------------------

STATUS_SQL = {"missed": "(published_date IS NULL OR published_date > due_date)",
              "on_time": "published_date <= due_date", "late": "published_date > due_date",
              "unpublished": "published_date IS NULL"}


@pytest.mark.parametrize("level", ["county", "township", "village"])
@pytest.mark.parametrize("status,kind", [(None, None), ("on_time", "finance"), ("late", None),
                                         ("unpublished", "village_affairs")])
def test_disclosure_records_equal_raw_sql(demo_engine, places, level, status, kind):
    region = places[level]
    lo, hi = code_range(region)
    where = STATUS_SQL[status or "missed"] + (" AND kind = :kind" if kind else "")
    sql = ("SELECT due_date FROM disclosure WHERE village_code BETWEEN :lo AND :hi AND due_date "
           f"BETWEEN :start AND :end AND {where} ORDER BY village_code, due_date, id")
    params = {"region": region, "weeks": WEEKS, **({"status": status} if status else {}),
              **({"kind": kind} if kind else {})}
    with demo_engine.connect() as c:
        raw = [str(r[0]) for r in c.execute(text(sql), {"lo": lo, "hi": hi, "start": START, "end": END,
                                                        "kind": kind})]
        rows, total = _fetch(c, "funds_disclosures", params)
    assert total == len(raw)
    if level != "village":
        assert total > 0
    assert list(rows["due_date"].astype(str)) == raw[:20]


def test_disclosure_bars_drill_to_their_records(demo_engine):
    """A unit bar's customdata carries its code, a kind segment its kind and status; the
    records they choose count what the bar shows."""
    from callbacks import funds
    from ids import funds as fid
    resolved = {"region": DEMO_COUNTY, "week": "2026-W46", "lang": "en", "period": "ytd"}
    from views import funds as vf
    with demo_engine.connect() as c:
        units, kinds = vf.disclosure_view(c, HUNAN, resolved)
        units, kinds = units.to_plotly_json(), kinds.to_plotly_json()
        bar = units["data"][0]["customdata"][0]
        q = funds.records_params("disclosures", resolved, fid.DISCLOSURE_CHART, list(bar))
        assert q["source"] == "funds_disclosures" and q["params"]["region"] == bar[4]
        _, total = _fetch(c, q["source"], q["params"])
        assert total == bar[2] + bar[3]  # late + unpublished of that unit
        late = next(t for t in kinds["data"] if t["customdata"][0][1] == "late")
        q = funds.records_params("disclosures", resolved, fid.DISCLOSURE_KINDS_CHART, list(late["customdata"][0]))
        assert q["params"]["status"] == "late" and q["params"]["kind"] == late["customdata"][0][0]
        _, total = _fetch(c, q["source"], q["params"])
        assert total == next(iter(late["x"]))


def test_sankey_nodes_choose_the_payment_records(demo_engine):
    from callbacks import funds
    resolved = {"region": DEMO_COUNTY, "week": "2026-W46", "lang": "en", "category": "housing"}
    toggled = funds.sankey_filter(["category", "agriculture"], resolved)
    assert toggled["category"] == "agriculture"
    assert funds.records_params("payments", toggled)["params"]["category"] == "agriculture"
    assert funds.sankey_filter(["category", "housing"], resolved)["category"] is None  # toggles off
    assert funds.sankey_filter(["source", "central"], resolved)["source"] == "central"
    assert funds.sankey_filter(["unit", DEMO_COUNTY], resolved) is None
    assert funds.sankey_filter(None, resolved) is None
    # a programme node (township Sankey): the payments of that programme
    with demo_engine.connect() as c:
        pid = c.execute(text("SELECT id FROM fund_program WHERE category = 'housing'")).scalar()
        lo, hi = code_range(DEMO_COUNTY)
        n = c.execute(text("SELECT COUNT(*) FROM fund_payment WHERE village_code BETWEEN :lo AND :hi "
                           "AND due_date BETWEEN :s AND :e AND program_id = :p"),
                      {"lo": lo, "hi": hi, "s": START, "e": END, "p": pid}).scalar()
        _, total = _fetch(c, "funds_payments", {"region": DEMO_COUNTY, "weeks": WEEKS, "program": pid})
        _, none = _fetch(c, "funds_payments", {"region": DEMO_COUNTY, "weeks": WEEKS, "program": pid,
                                               "category": "agriculture"})
    assert total == n > 0 and none == 0


def test_records_query_follows_the_clicked_chart(monkeypatch):
    """records_query as Dash calls it: one clickData per chart of GRID_CHARTS, then resolved."""
    import types

    import ids
    from callbacks import funds
    from ids import funds as fid
    resolved = {"region": DEMO_COUNTY, "week": "2026-W46", "lang": "en", "period": "ytd"}

    def call(chart, click, choice="ledger"):
        monkeypatch.setattr(funds, "ctx", types.SimpleNamespace(triggered_id=ids.chart(chart)))
        clicks = [click if key == chart else None for key in funds.GRID_CHARTS]
        return funds.records_query(choice, *clicks, resolved)

    def point(data, label=None):
        return {"points": [{"customdata": data, **({"label": label} if label else {})}]}

    query, choice = call(fid.SANKEY_CHART, point(["category", "housing"], "x"))
    assert choice == "payments" and query["params"]["category"] == "housing"
    query, choice = call(fid.SANKEY_CHART, point(["source", "central"], "x"))
    assert choice == "payments" and query["params"]["source"] == "central"
    query, choice = call(fid.SANKEY_CHART, point(["program", "3"], "x"))
    assert choice == "payments" and query["params"]["program"] == 3
    assert call(fid.SANKEY_CHART, point(["unit", DEMO_COUNTY], "x")) == (funds.no_update, funds.no_update)
    assert call(fid.SANKEY_CHART, point(["source", "central"])) == (funds.no_update, funds.no_update)  # a link
    query, choice = call(fid.DISCLOSURE_KINDS_CHART, point(["finance", "unpublished"]))
    assert choice == "disclosures" and query["params"]["status"] == "unpublished"
    query, choice = call(fid.DISCLOSURE_CHART, point([5, 3, 1, 1, "431023100000"]))
    assert choice == "disclosures" and query["params"]["region"] == "431023100000"


# --- i18n: programme nodes of a township's Sankey ------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_programme_nodes_use_the_catalog_labels(demo_engine, places, lang):
    from data.queries import funds as qf
    from i18n import t
    from views import funds as vf
    town = places["township"]
    with demo_engine.connect() as c:
        alloc = qf.fetch_allocations(c, HUNAN, region_code=town, week_key=DEMO_WEEK)
        programs = qf.fetch_programs(c)
        nodes, _ = vf.sankey_frames(alloc, programs, vf.unit_names(c, HUNAN, town), by_program=True,
                                    lang=lang)
    shown = nodes[nodes["kind"] == "program"]
    code_of = dict(zip(programs["id"].astype(str), programs["code"]))
    assert len(shown) > 0
    for key, text_ in zip(shown["key"], shown["label"]):
        assert text_ == t(f"funds.program.{code_of[key]}", lang)
    if lang == "en":
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in "".join(shown["label"]))  # no Chinese


# --- delayed projects: status delayed, or past the planned end and not completed ------------------

AS_OF = dt.date(2026, 3, 1)
PROJECTS = [  # (id, village, status, planned_end, actual_end): delayed on AS_OF?
    (1, V11, "delayed", dt.date(2026, 1, 10), None),       # yes: marked, 50 days past the end
    (2, V11, "in_progress", dt.date(2026, 2, 1), None),     # yes: past the end, not completed
    (3, V12, "delayed", dt.date(2026, 6, 30), None),        # yes: marked before its end (0 days)
    (4, V12, "completed", dt.date(2026, 1, 1), dt.date(2026, 2, 1)),  # no: completed late
    (5, V12, "in_progress", dt.date(2026, 3, 1), None),     # no: ends on AS_OF, not before
    (6, V11, "planned", dt.date(2026, 9, 1), None),         # no
]


def _plant_projects(c):
    from data.model.schema import LivelihoodProject
    c.execute(LivelihoodProject.__table__.insert(), [
        dict(id=i, name=f"P{i}", category="road", village_code=v, budget=100_000, spent=50_000,
             planned_start=dt.date(2025, 6, 1), planned_end=end, actual_start=dt.date(2025, 6, 1),
             actual_end=actual, status=status) for i, v, status, end, actual in PROJECTS])


def test_delayed_projects_are_the_late_and_the_marked_ones(conn):
    from data.queries import funds as qf
    _plant_projects(conn)
    delayed = qf.fetch_delayed_projects(conn, HUNAN, region_code=CITY, as_of=AS_OF)
    assert list(delayed["id"]) == [1, 2, 3]
    assert list(delayed["days_overdue"]) == [50, 28, 0]  # never negative
    # independent SQL of the same rule
    raw = [r[0] for r in conn.execute(text(
        "SELECT id FROM livelihood_project WHERE status = 'delayed' OR (planned_end < :d AND "
        "actual_end IS NULL AND status <> 'completed') ORDER BY planned_end, id"), {"d": AS_OF})]
    assert raw == list(delayed["id"])
    # the chart's counts and the records grid agree with the list
    frame = qf.fetch_projects(conn, HUNAN, region_code=CITY, as_of=AS_OF)
    assert frame.loc[frame["status"] == "delayed", "projects"].sum() == 3
    assert frame["projects"].sum() == len(PROJECTS)
    load_sources()
    _, total = fetch_records(conn, HUNAN, "funds_projects",
                             {"region": CA, "only": "delayed", "as_of": AS_OF.isoformat()}, offset=0, limit=10)
    assert total == 3
    _, total = fetch_records(conn, HUNAN, "funds_projects", {"region": CA, "only": "delayed"},
                             offset=0, limit=10)
    assert total == 2  # without a date: the status alone
    assert qf.fetch_delayed_projects(conn, Scope.of("431024"), region_code=CA, as_of=AS_OF).empty


def test_delayed_records_carry_the_as_of_date():
    from callbacks import funds
    q = funds.records_params("delayed", {"region": CITY, "week": "2026-W09", "lang": "en",
                                         "as_of": "2026-03-01"})
    assert q["params"] == {"region": CITY, "only": "delayed", "as_of": "2026-03-01"}


@pytest.mark.parametrize("probe", [1, 7, 10_000])
@pytest.mark.parametrize("case", ["due", "due_source", "outstanding_source"])
def test_payment_totals_through_the_probe_and_the_cap_equal_raw_sql(demo_engine, places, monkeypatch,
                                                                    probe, case):
    """The rollup total is summed over the first PROBE_ROWS rollup rows first: the same
    total whether the probe holds every row, some or one, and capped as data.records
    counts (above COUNT_CAP: COUNT_CAP + 1) when the probe already passes the cap."""
    from data.records import funds as rf
    params = {"region": DEMO_COUNTY, "weeks": WEEKS}
    where, args = "due_date BETWEEN :start AND :end", {"start": START, "end": END, "y": END.year}
    if case.endswith("source"):
        params["source"], args["src"] = "central", "central"
        where += f" AND {FUNDED}"
    if case.startswith("outstanding"):
        params["only"] = "outstanding"
        where = where.replace("due_date BETWEEN :start AND :end",
                              "due_date <= :end AND (paid_date IS NULL OR paid_date > :end)")
    monkeypatch.setattr(rf, "PROBE_ROWS", probe)
    with demo_engine.connect() as c:
        raw = _raw_payments(c, DEMO_COUNTY, where, args)
        _, total = _fetch(c, "funds_payments", params)
        assert 0 < total == len(raw)
        monkeypatch.setattr(rf, "COUNT_CAP", len(raw) // 3)
        _, capped = _fetch(c, "funds_payments", params)
        monkeypatch.setattr(rf, "COUNT_CAP", len(raw))
        _, exact = _fetch(c, "funds_payments", params)
    assert capped == len(raw) // 3 + 1 and exact == len(raw)
