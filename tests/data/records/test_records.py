"""The shared records grid's sources: scope, whitelists, paging, totals against raw rows
(the grid's callbacks and exports: tests/callbacks/test_records.py, tests/exports/test_tables.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.support.demo import DEMO_COUNTY
from tests.support.records import PARAMS, WEEKS


def _fetch(engine, name, params=PARAMS, scope_code="430000", **kw):
    from data.records import fetch_records
    from data.scope import Scope
    kw = {"sort": [], "filters": {}, "offset": 0, "limit": 100_000, **kw}
    with engine.connect() as conn:
        return fetch_records(conn, Scope.of(scope_code), name, params, **kw)


# --- sources ----------------------------------------------------------------------------

def test_every_map_source_is_registered():
    from data.records import load_sources
    sources = load_sources()
    assert {"complaints", "clues", "payments_overdue", "disclosures_missed"} <= set(sources)


def test_identity_columns_are_absent(demo_engine):
    from data.records import load_sources
    with demo_engine.connect() as conn:
        names = {r[0] for r in conn.execute(text(
            "select complainant_name from complaint where complainant_name is not null limit 200"))}
        phones = {r[0] for r in conn.execute(text(
            "select complainant_phone from complaint where complainant_phone is not null limit 200"))}
        ident = {r[0] for r in conn.execute(text("select name from beneficiary_identity limit 200"))}
    for name, source in load_sources().items():
        assert not any(f.startswith("complainant") or f in ("id_number", "phone", "identity")
                       for f in source.fields), name
        if name in ("complaints", "payments_overdue"):
            frame, _ = _fetch(demo_engine, name)
            blob = frame.astype(str).to_json(force_ascii=False)
            assert not any(v in blob for v in phones)
            # names are short, so check whole cells only
            cells = set(frame.astype(str).to_numpy().ravel())
            assert not (cells & names) and not (cells & ident)


def test_complaint_counts_match_raw_sql(demo_engine):
    _, total = _fetch(demo_engine, "complaints", limit=10)
    _, repeats = _fetch(demo_engine, "complaints", {**PARAMS, "only": "repeat"}, limit=10)
    _, overdue = _fetch(demo_engine, "complaints", {**PARAMS, "only": "overdue"}, limit=10)
    with demo_engine.connect() as conn:
        raw = conn.execute(text(
            "select count(*), sum(repeat_of is not null) from complaint where received_at >= '2026-10-19' "
            "and received_at < '2026-11-16'")).one()
        rollup = conn.execute(text(
            "select sum(due) - sum(due_on_time) from rollup_complaint_tw where week_key in "
            "(202643, 202644, 202645, 202646)")).scalar()
    assert total == raw[0] > 0 and repeats == raw[1] > 0
    assert overdue == rollup > 0  # the records behind the map's overdue numbers


def test_payments_and_disclosures_match_the_rollups(demo_engine):
    _, late = _fetch(demo_engine, "payments_overdue", limit=1)
    _, missed = _fetch(demo_engine, "disclosures_missed", limit=1)
    from data.calendar import weeks_back
    year = weeks_back(202646, 52)
    _, clues = _fetch(demo_engine, "clues", {**PARAMS, "weeks": year}, limit=1)
    weeks = "(202643, 202644, 202645, 202646)"
    with demo_engine.connect() as conn:
        r_late = conn.execute(text(f"select sum(paid_late_count) from rollup_payment_tw where week_key in {weeks}")).scalar()
        r_missed = conn.execute(text(f"select sum(due - on_time) from rollup_disclosure_tw where week_key in {weeks}")).scalar()
        r_clues = conn.execute(text("select sum(flagged) from rollup_clue_tw where week_key between "
                                    f"{min(year)} and {max(year)}")).scalar()
    assert (late, missed, clues) == (r_late, r_missed, r_clues)
    assert late > 0 and missed > 0 and clues > 0


def test_paging_sort_and_filter(demo_engine):
    full, total = _fetch(demo_engine, "complaints", sort=[("case_no", False)])
    page, total2 = _fetch(demo_engine, "complaints", sort=[("case_no", False)], offset=10, limit=5)
    assert total == total2 == len(full)
    assert page["case_no"].tolist() == full["case_no"].iloc[10:15].tolist()
    assert full["case_no"].is_monotonic_increasing
    village = full["village"].iloc[0]
    only, n = _fetch(demo_engine, "complaints",
                     filters={"village": {"filterType": "text", "type": "equals", "filter": village}})
    assert n == (full["village"] == village).sum() and set(only["village"]) == {village}
    big, n_big = _fetch(demo_engine, "payments_overdue",
                        filters={"amount": {"filterType": "number", "type": "greaterThan", "filter": 500}})
    assert n_big > 0 and (big["amount"].astype(float) > 500).all()


def test_sort_and_filter_only_on_declared_columns(demo_engine):
    base, total = _fetch(demo_engine, "complaints", limit=20)
    evil = "x'); drop table complaint; --"
    frame, n = _fetch(demo_engine, "complaints", limit=20,
                      sort=[("complainant_name", True), ("1; drop table region", False)],
                      filters={"complainant_phone": {"filterType": "text", "type": "contains", "filter": "1"},
                               "content": {"filterType": "text", "type": "contains", "filter": evil}})
    assert n == 0 and frame.empty  # the evil text is a bound value that matches nothing
    frame, n = _fetch(demo_engine, "complaints", limit=20, sort=[("complainant_name", True)],
                      filters={"complainant_phone": {"filterType": "text", "type": "contains", "filter": "1"}})
    assert n == total and frame.equals(base)  # unknown fields ignored, not applied
    with demo_engine.connect() as conn:
        assert conn.execute(text("select count(*) from complaint")).scalar() > 0


def test_forged_source_and_out_of_scope_region_return_nothing(demo_engine):
    frame, n = _fetch(demo_engine, "beneficiary_identity")
    assert n == 0 and frame.empty
    frame, n = _fetch(demo_engine, {"$ne": 1})
    assert n == 0 and frame.empty
    for params in ({**PARAMS, "region": "110101"}, {**PARAMS, "region": "4310x3"}, {"weeks": WEEKS},
                   {**PARAMS, "region": None}):
        frame, n = _fetch(demo_engine, "complaints", params)
        assert n == 0 and frame.empty, params
    # a user scoped to another county sees nothing of 431023, even when asking for it
    frame, n = _fetch(demo_engine, "complaints", scope_code="431021")
    assert n == 0 and frame.empty
    # a user scoped to one township asking for the county gets that township only
    with demo_engine.connect() as conn:
        town = conn.execute(text("select code from region where level='township' "
                                 "and parent_code=:c order by code limit 1"), {"c": DEMO_COUNTY}).scalar()
        raw = conn.execute(text("select count(*) from complaint where village_code between :a and :b "
                                "and received_at >= '2026-10-19' and received_at < '2026-11-16'"),
                           {"a": town, "b": town[:9] + "999"}).scalar()
    _, n = _fetch(demo_engine, "complaints", scope_code=town)
    assert n == raw > 0


# --- map sources: totals from rollups, villages as a subquery (province scale) ----------

_RAW_MAP_COUNTS = {
    ("complaints", None): "select count(*) from complaint where village_code between :lo and :hi "
                          "and received_at >= :start and received_at < :after",
    ("complaints", "repeat"): "select count(*) from complaint where village_code between :lo and :hi "
                              "and received_at >= :start and received_at < :after and repeat_of is not null",
    ("complaints", "overdue"): "select count(*) from complaint where village_code between :lo and :hi "
                               "and due_date between :start and :end "
                               "and (closed_at is null or date(closed_at) > due_date)",
    ("payments_overdue", None): "select count(*) from fund_payment where village_code between :lo and :hi "
                                "and due_date between :start and :end "
                                "and (paid_date is null or paid_date > due_date)",
    ("disclosures_missed", None): "select count(*) from disclosure where village_code between :lo and :hi "
                                  "and due_date between :start and :end "
                                  "and (published_date is null or published_date > due_date)",
}


@pytest.mark.parametrize("source,only", list(_RAW_MAP_COUNTS))
def test_map_source_totals_match_raw_rows(demo_engine, source, only, monkeypatch):
    """Unfiltered totals come from the township rollups: equal to counting the raw rows,
    at every level (a village region counts its rows), for a scope finer than the region,
    and with the visible villages as an `IN (SELECT ...)` (above IN_LIST_MAX)."""
    import datetime as dt

    from data.codes import code_range
    from data.records import map as rm
    from data.records import week_dates
    start, end = week_dates(PARAMS)
    with demo_engine.connect() as conn:
        town = conn.execute(text("select code from region where level = 'township' and code like :c "
                                 "order by code limit 1"), {"c": DEMO_COUNTY[:6] + "%"}).scalar()
        village = conn.execute(text("select code from region where parent_code = :t order by code limit 1"),
                               {"t": town}).scalar()

        def raw(code):
            lo, hi = code_range(code)
            return conn.execute(text(_RAW_MAP_COUNTS[(source, only)]), {
                "lo": lo, "hi": hi, "start": start.isoformat(), "end": end.isoformat(),
                "after": (end + dt.timedelta(days=1)).isoformat()}).scalar()

        extra = {"only": only} if only else {}
        seen = []
        for region, scope in ((DEMO_COUNTY[:4] + "00000000", "430000"), (DEMO_COUNTY, "430000"),
                              (town, "430000"), (village, "430000"), (DEMO_COUNTY[:4] + "00000000", town)):
            frame, total = _fetch(demo_engine, source, {**PARAMS, "region": region, **extra}, scope_code=scope)
            expect = raw(town if scope == town else region)
            assert total == expect == len(frame), (region, scope)
            seen.append(total)
        assert seen[0] > 0 and seen[1] > 0
        # above IN_LIST_MAX: IN (SELECT visible villages), or for complaints by receipt
        # the (received_at, ...) index with the code range kept off the village index
        monkeypatch.setattr(rm, "IN_LIST_MAX", 0)
        frame2, total2 = _fetch(demo_engine, source, {**PARAMS, "region": DEMO_COUNTY, **extra},
                                sort=[("village_code", False)])
        by_due = _fetch(demo_engine, source, {**PARAMS, "region": DEMO_COUNTY, **extra},
                        sort=[("due_date", True)])[0]
        finer, finer_total = _fetch(demo_engine, source, {**PARAMS, "region": DEMO_COUNTY[:4] + "00000000",
                                                          **extra}, scope_code=town)
        monkeypatch.undo()
        frame1, _ = _fetch(demo_engine, source, {**PARAMS, "region": DEMO_COUNTY, **extra},
                           sort=[("village_code", False)])
        assert total2 == seen[1] and frame2.equals(frame1)
        assert len(by_due) == len(frame1) and set(by_due.columns) == set(frame1.columns)
        dues = [str(d) for d in by_due["due_date"]]
        assert dues == sorted(dues, reverse=True)
        assert finer_total == len(finer) == seen[4]
