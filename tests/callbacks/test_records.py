"""The shared records grid's callbacks: rows, columns, exports and their audit rows."""
from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import text

from tests.support.demo import DEMO_COUNTY
from tests.support.records import PARAMS
from tests.support.session import signed_in

# --- callbacks --------------------------------------------------------------------------

QUERY = {"source": "complaints", "params": PARAMS, "lang": "zh-CN"}


def test_grid_rows_and_columns(server):
    from callbacks import records
    with signed_in(server):
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
    with signed_in(server):
        response = records.grid_rows(request, QUERY)[0]
    assert response["rowCount"] > 0 and all("热线" in r["channel"] for r in response["rowData"])
    times = [r["received_at"] for r in response["rowData"]]
    assert times == sorted(times)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_rows_equal_grid_rows_and_are_audited(server, demo_engine, fmt):
    from callbacks import records
    query = {**QUERY, "params": {**PARAMS, "only": "overdue"}}
    with signed_in(server):
        label = records.grid_rows({"startRow": 0, "endRow": 1}, query)[0]["rowData"][0]["category"]
    request = {"startRow": 0, "endRow": 100, "sortModel": [{"colId": "due_date", "sort": "desc"}],
               "filterModel": {"category": {"filterType": "text", "type": "contains", "filter": label[:2]}}}
    with demo_engine.connect() as conn:
        before = conn.execute(text("select count(*) from audit_log")).scalar()
    with signed_in(server):
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
    assert len(rows) == before + 2  # the view (with its filter), then the export
    view = rows[1][3] if isinstance(rows[1][3], dict) else json.loads(rows[1][3])
    assert rows[1][0] == "records_view" and view["filters"] == request["filterModel"]
    action, obj, region, detail = rows[0]
    assert action == f"export_{fmt}" and obj == "records:complaints" and region == DEMO_COUNTY
    assert (json.loads(detail) if isinstance(detail, str) else detail)["rows"] == written


def test_export_audit_row_names_the_user_and_address(demo_db_url, demo_engine, tmp_path):
    """The audit log records who exported (the logged-in user) and from where."""
    from app import create_app
    from callbacks import records
    from settings import load_settings
    settings = load_settings(env={"DATABASE_URL": demo_db_url, "SUNSHINE_VAR_DIR": str(tmp_path)})
    server = create_app(settings).server
    with signed_in(server, name="纪委·张三", environ_base={"REMOTE_ADDR": "127.0.0.9"}):
        payload, written, _ = records.export_payload(QUERY, {"startRow": 0, "endRow": 10}, "csv")
    assert payload is not None and written > 0
    with demo_engine.connect() as conn:
        user, address = conn.execute(text("select user, address from audit_log order by id desc")).first()
    assert (user, address) == ("纪委·张三", "127.0.0.9")


def test_export_of_a_forged_source_writes_nothing(server):
    from callbacks import records
    with signed_in(server):
        payload, written, total = records.export_payload({**QUERY, "source": "beneficiary_identity"}, {}, "csv")
    assert payload is None and written == total == 0


def test_profile_links_keep_week_and_period(server):
    """The village/region cells link to /region/<code> at the grid's week and period."""
    from callbacks import map as cm
    from callbacks import records
    with signed_in(server):
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
