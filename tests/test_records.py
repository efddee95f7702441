"""The shared records grid: sources, scope, whitelists, neutralised exports, audit."""
from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from sqlalchemy import text

from tests.conftest import DEMO_COUNTY

WEEKS = [202643, 202644, 202645, 202646]
PARAMS = {"region": DEMO_COUNTY, "weeks": WEEKS}


@pytest.fixture()
def server(demo_db_url, tmp_path):
    from app import create_app
    from settings import load_settings
    settings = load_settings(env={"DATABASE_URL": demo_db_url, "SUNSHINE_VAR_DIR": str(tmp_path),
                                  "SUNSHINE_SCOPE": "430000000000"})
    return create_app(settings).server


def _fetch(engine, name, params=PARAMS, scope_code="430000", **kw):
    from data.records import fetch_records
    from data.scope import Scope
    kw = {"sort": [], "filters": {}, "offset": 0, "limit": 100_000, **kw}
    with engine.connect() as conn:
        return fetch_records(conn, Scope.of(scope_code), name, params, **kw)


# --- neutralisation and files -----------------------------------------------------------

@pytest.mark.parametrize("value", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx",
                                   "=HYPERLINK(\"http://x\")"])
def test_formula_cells_are_neutralised(value):
    from exports.tables import neutralise, frame_to_csv_bytes, frame_to_xlsx_bytes
    assert neutralise(value) == "'" + value
    frame = pd.DataFrame({"a": [value], "b": [3.5]})
    body = frame_to_csv_bytes(frame)
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 Chinese
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[1][0] == "'" + value and rows[1][1] == "3.5"
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(frame_to_xlsx_bytes(frame))).active
    assert ws.cell(2, 1).value == "'" + value and ws.cell(2, 1).data_type == "s"
    assert ws.cell(2, 2).value == 3.5


def test_plain_values_are_left_alone():
    from exports.tables import neutralise
    assert [neutralise(v) for v in ("龙门村", "a=b", 5, None, -3)] == ["龙门村", "a=b", 5, None, -3]


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


# --- callbacks --------------------------------------------------------------------------

QUERY = {"source": "complaints", "params": PARAMS, "lang": "zh-CN"}


def test_grid_rows_and_columns(server):
    from callbacks import records
    with server.test_request_context("/"):
        cols, caption = records.grid_columns(QUERY)
        response = records.grid_rows({"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}, QUERY)[0]
        en_cols, _ = records.grid_columns({**QUERY, "lang": "en"})
        forged = records.grid_rows({"startRow": 0, "endRow": 100}, {**QUERY, "source": "person"})[0]
    assert caption == "投诉举报明细" and [c["headerName"] for c in cols][:2] == ["受理编号", "村(社区)"]
    assert en_cols[0]["headerName"] == "Case no."
    assert len(response["rowData"]) == 100 and response["rowCount"] > 100
    assert forged == {"rowData": [], "rowCount": 0}
    payload = json.dumps(response, ensure_ascii=False)
    assert "complainant" not in payload
    cats = {r["category"] for r in response["rowData"]}
    assert cats and all(not c.isascii() for c in cats)  # codes shown as Chinese labels


def test_code_filter_matches_translated_labels(server):
    from callbacks import records
    request = {"startRow": 0, "endRow": 500, "sortModel": [{"colId": "received_at", "sort": "asc"}],
               "filterModel": {"channel": {"filterType": "text", "type": "contains", "filter": "热线"}}}
    with server.test_request_context("/"):
        response = records.grid_rows(request, QUERY)[0]
    assert response["rowCount"] > 0 and all("热线" in r["channel"] for r in response["rowData"])
    times = [r["received_at"] for r in response["rowData"]]
    assert times == sorted(times)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_rows_equal_grid_rows_and_are_audited(server, demo_engine, fmt):
    from callbacks import records
    query = {**QUERY, "params": {**PARAMS, "only": "overdue"}}
    with server.test_request_context("/"):
        label = records.grid_rows({"startRow": 0, "endRow": 1}, query)[0]["rowData"][0]["category"]
    request = {"startRow": 0, "endRow": 100, "sortModel": [{"colId": "due_date", "sort": "desc"}],
               "filterModel": {"category": {"filterType": "text", "type": "contains", "filter": label[:2]}}}
    with demo_engine.connect() as conn:
        before = conn.execute(text("select count(*) from audit_log")).scalar()
    with server.test_request_context("/"):
        grid, status = records.grid_rows(request, query)
        payload, written, total = records.export_payload(query, request, fmt)
    assert written == total == grid["rowCount"] > 0 and f"{total:,}" in status
    import base64
    body = base64.b64decode(payload["content"])
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        header, data = rows[0], rows[1:]
        assert header[0] == "受理编号"
        assert [r[0] for r in data] == [r["case_no"] for r in grid["rowData"]]
        assert [r[2] for r in data] == [r["category"] for r in grid["rowData"]]
    else:
        from openpyxl import load_workbook
        ws = load_workbook(io.BytesIO(body)).active
        data = list(ws.iter_rows(min_row=2, values_only=True))
        assert [r[0] for r in data] == [r["case_no"] for r in grid["rowData"]]
        assert [r[5] for r in data] == [r["due_date"] for r in grid["rowData"]]
    with demo_engine.connect() as conn:
        rows = conn.execute(text("select action, object, region_code, detail from audit_log "
                                 "order by id desc")).all()
    assert len(rows) == before + 1
    action, obj, region, detail = rows[0]
    assert action == f"export_{fmt}" and obj == "records:complaints" and region == DEMO_COUNTY
    assert (json.loads(detail) if isinstance(detail, str) else detail)["rows"] == written


def test_export_audit_row_names_the_user_and_address(demo_db_url, demo_engine, tmp_path):
    """The audit log records who exported (the configured user), not a fixed placeholder."""
    from app import create_app
    from callbacks import records
    from settings import load_settings
    settings = load_settings(env={"DATABASE_URL": demo_db_url, "SUNSHINE_VAR_DIR": str(tmp_path),
                                  "SUNSHINE_SCOPE": "430000000000", "SUNSHINE_USER": "纪委·张三"})
    server = create_app(settings).server
    with server.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.9"}):
        payload, written, _ = records.export_payload(QUERY, {"startRow": 0, "endRow": 10}, "csv")
    assert payload is not None and written > 0
    with demo_engine.connect() as conn:
        user, detail = conn.execute(text("select user, detail from audit_log order by id desc")).first()
    assert user == "纪委·张三"
    assert (json.loads(detail) if isinstance(detail, str) else detail)["address"] == "127.0.0.9"


def test_export_of_a_forged_source_writes_nothing(server):
    from callbacks import records
    with server.test_request_context("/"):
        payload, written, total = records.export_payload({**QUERY, "source": "beneficiary_identity"}, {}, "csv")
    assert payload is None and written == total == 0


def test_profile_links_keep_week_and_period(server):
    """The village/region cells link to /region/<code> at the grid's week and period."""
    from callbacks import map as cm
    from callbacks import records
    with server.test_request_context("/"):
        view = cm.resolve({"region": DEMO_COUNTY, "week": "2026-W45", "lang": "en",
                           "metric": "overdue_rate", "period": "4w"})[0]
        query = cm.records_query("clues", view)
        cols, _ = records.grid_columns(query)
        plain, _ = records.grid_columns(QUERY)  # a page that says no week: the last of its weeks
    links = {c["field"]: c["valueGetter"]["function"] for c in cols if "valueGetter" in c}
    assert set(links) == {"region"}
    assert '"?week=2026-W45&period=4w&lang=en"' in links["region"]
    village = next(c for c in plain if c["field"] == "village")["valueGetter"]["function"]
    assert '"?week=2026-W46&lang=zh-CN"' in village and "period=" not in village


def test_profile_query_by_hand():
    from callbacks.records import profile_query
    assert profile_query({"link": {"week": "2026-W46", "period": "week"}}, "zh-CN") == "week=2026-W46&lang=zh-CN"
    assert profile_query({"params": {"weeks": [202645, 202646]}}, "en") == "week=2026-W46&lang=en"
    assert profile_query({"link": {"week": "2026-W46", "period": "quarter"}}, "en") == \
        "week=2026-W46&period=quarter&lang=en"
    assert profile_query(None, "en") == "lang=en"


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
    from data.records import map as rm
    from data.codes import code_range
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
