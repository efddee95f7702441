"""Roles, rights and jurisdiction on the server: a role x page x action matrix, and a corpus
of forged callback requests carrying other regions' codes and malformed values.

Every cell is a real request (or a layout rendered for that user): a refused action is a
403 from the server, whatever the browser hides; nothing answers 500.
"""
from __future__ import annotations

import json

import dash
import pytest
from sqlalchemy import text

from data.access import PAGE_RIGHTS, ROLES, has_right, may_open
from runtime import engine_of
from tests.support.dash_requests import payload, post, server_callbacks
from tests.support.demo import build_city_small
from tests.support.pg import pg_schema, pg_schema_url
from tests.support.session import ROLE_ACCOUNTS, log_in, signed_in

UNSET = object()


def _client(server, role):
    client = server.test_client()
    assert log_in(client, ROLE_ACCOUNTS[role][0]).status_code == 302
    return client


def test_role_x_page_matrix(make_server):
    server = make_server()
    cells = 0
    for role in ROLES:
        for page in dash.page_registry.values():
            key = page["module"].rsplit(".", 1)[-1]
            with signed_in(server, role=role, scope=ROLE_ACCOUNTS[role][1]):
                rendered = json.dumps(page["layout"]().to_plotly_json(), default=lambda o: o.to_plotly_json())
            assert ('"data-forbidden": "1"' not in rendered) == may_open(role, key), (role, key)
            cells += 1
    assert cells == len(ROLES) * len(dash.page_registry) >= 6 * len(PAGE_RIGHTS) - 6


def test_role_x_callback_matrix(auth_server):
    """Every server callback of every page, for every role: 403 exactly when the role lacks
    the callback's right; never a 500 (the forged inputs are all None). On SQLite (the
    county demo) and on PostgreSQL (an empty schema)."""
    server = auth_server()
    callback_map = dash.get_app().callback_map  # the app make_server just built
    keys = list(server_callbacks(callback_map))
    refused = allowed = 0
    for role in ROLES:
        client = _client(server, role)
        client.get("/")
        for key in keys:
            right = getattr(callback_map[key]["callback"], "required_right", None)
            status = post(client, payload(callback_map, key)).status_code
            expect_refused = right is not None and not has_right(role, right)
            assert (status == 403) == expect_refused and status < 500, (role, key, right, status)
            refused, allowed = refused + expect_refused, allowed + (not expect_refused)
    print(f"matrix: {len(ROLES)} roles x {len(keys)} callbacks: {allowed} allowed, {refused} refused")
    assert refused > 100 and allowed > 100


# ---------------------------------------------------------------- forged requests, identities

COUNTY = "431023000000"   # the staff account's jurisdiction
NEIGHBOUR = "431021"      # a neighbour county of the city demo
MARK = "MARKER身份"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def city_db_url(request):
    """The reduced city demo: the shared SQLite file, or built into a PostgreSQL schema
    (skipped with the reason when no server answers)."""
    if request.param == "sqlite":
        yield request.getfixturevalue("city_demo_db_url")
        return
    with pg_schema("web_forged_test") as engine:
        build_city_small(engine)
        yield pg_schema_url("web_forged_test")


@pytest.fixture(scope="module")
def city_server(city_db_url, tmp_path_factory):
    """The app on the city demo with the role accounts (staff and commission over one
    county), and identity markers planted in complaints of that county and of a neighbour."""
    from app import create_app
    from settings import load_settings
    from tests.support.session import make_user
    server = create_app(load_settings(env={"DATABASE_URL": city_db_url,
                                           "SUNSHINE_VAR_DIR": str(tmp_path_factory.mktemp("forged")),
                                           "SUNSHINE_LOGIN_RATE": "1000/minute"})).server  # many logins here
    for role, (name, scope) in ROLE_ACCOUNTS.items():
        make_user(engine_of(server), "c" + name, role, (COUNTY,) if scope else ())
    with engine_of(server).begin() as conn:
        for prefix in (COUNTY[:6], NEIGHBOUR):
            conn.execute(text(
                "UPDATE complaint SET complainant_name = :m || id, complainant_phone = '1' || id, "
                "complainant_id_number = 'ID' || id WHERE id IN (SELECT id FROM complaint "
                "WHERE village_code LIKE :p ORDER BY id LIMIT 20)"), {"m": MARK, "p": prefix + "%"})
    return server


def _city_client(server, role):
    client = server.test_client()
    assert log_in(client, "c" + ROLE_ACCOUNTS[role][0]).status_code == 302
    client.get("/")
    return client


def _outside(server) -> tuple[list[str], list[str]]:
    """Codes and names of the neighbour county and everything below it."""
    with engine_of(server).connect() as conn:
        rows = conn.execute(text("SELECT code, name FROM region WHERE code LIKE :p"), {"p": NEIGHBOUR + "%"}).all()
    return [r.code for r in rows], sorted({r.name for r in rows if len(r.name) >= 3})


def _forged_values(code: str):
    def value(dep: dict):
        prop = dep["property"]
        if prop == "search":
            return f"?region={code}&week=2026-W46"
        if prop == "pathname":
            return f"/region/{code}"
        if prop in ("n_clicks", "n_intervals"):
            return 1
        if prop == "data":
            return {"region": code, "root": code, "week": "2026-W46", "lang": "zh-CN", "period": "4w",
                    "metric": "complaints", "source": "complaints", "params": {"region": code, "weeks": [202646]}}
        if prop == "getRowsRequest":
            return {"startRow": 0, "endRow": 100}
        return code
    return value


def _text(resp) -> str:
    body = resp.get_data(as_text=True)
    try:
        return json.dumps(json.loads(body), ensure_ascii=False)
    except ValueError:
        return body


def test_forged_requests_never_leak_another_county(city_server):
    codes, names = _outside(city_server)
    township = next(c for c in codes if c[6:9] != "000" and c[9:] == "000")
    village = next(c for c in codes if c[9:] != "000")
    forged = [NEIGHBOUR + "000000", township, village, "430000000000", "431000000000",
              "43x", "'; DROP TABLE region; --", "4310210010019999", ""]
    callback_map = dash.get_app().callback_map
    client = _city_client(city_server, "staff")
    tried = leaked = 0
    for code in forged:
        for key in server_callbacks(callback_map):
            resp = post(client, payload(callback_map, key, _forged_values(code)))
            body = _text(resp)
            assert resp.status_code < 500, (key, code, resp.status_code)
            # an echo of the code sent is no leak; any other outside code, any outside name is
            found = [c for c in codes if c in body and c != code] + [n for n in names if n in body]
            found += [MARK] * (MARK in body)
            tried, leaked = tried + 1, leaked + bool(found)
            assert not found, (key, code, found[:3])
    print(f"forged requests: {tried} tried, {leaked} leaked")
    assert tried >= 9 * 90


def test_identity_shows_once_for_one_audited_case_and_nowhere_else(city_server):
    query = "SELECT case_no FROM complaint WHERE complainant_name LIKE :m AND village_code LIKE :p"
    with engine_of(city_server).connect() as conn:
        mine = conn.execute(text(query), {"m": MARK + "%", "p": COUNTY[:6] + "%"}).scalar()
        theirs = conn.execute(text(query), {"m": MARK + "%", "p": NEIGHBOUR + "%"}).scalar()
    callback_map = dash.get_app().callback_map

    def ask(role, case, reason="核查问题线索需要联系举报人"):
        values = {"complaints-unmask-open": 1, "complaints-unmask-case": case,
                  "complaints-unmask-reason": reason, "_pages_location": "?lang=zh-CN"}
        body = payload(callback_map, "complaints-unmask-result.children", lambda dep: values.get(dep["id"]))
        return post(_city_client(city_server, role), body)
    for role in ("leader", "staff", "data_admin", "auditor", "admin"):
        assert ask(role, mine).status_code == 403
    assert MARK not in _text(ask("commission", theirs))          # outside the jurisdiction
    assert MARK not in _text(ask("commission", mine, reason="x"))  # no reason given
    assert MARK in _text(ask("commission", mine))
    with engine_of(city_server).connect() as conn:
        row = conn.execute(text('SELECT "user", object, detail FROM audit_log WHERE action = :a ORDER BY id DESC'),
                           {"a": "unmask_identity"}).first()
    detail = row.detail if isinstance(row.detail, dict) else json.loads(row.detail)
    assert (row.user, row.object) == ("cb_commission", f"complaint:{mine}") and "举报人" in detail["reason"]


def test_a_forged_figure_in_an_export_request_fetches_nothing(make_server):
    """The export re-creates the chart from the page state on the server: a figure sent by
    the browser (images and geometry pointing at a listener here) is never rendered."""
    import http.server
    import threading

    hits: list[str] = []

    class Listener(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass
    listener = http.server.HTTPServer(("127.0.0.1", 0), Listener)
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    bait = f"http://127.0.0.1:{listener.server_port}/bait"
    forged_figure = {"data": [{"type": "choroplethmap", "geojson": bait, "locations": ["1"], "z": [1]}],
                     "layout": {"images": [{"source": bait + ".png"}], "map": {"style": bait + ".json"}}}
    server = make_server()
    client = _client(server, "commission")
    callback_map = dash.get_app().callback_map
    key = next(k for k in server_callbacks(callback_map) if '"key":"overview-trend","type":"chart-download"' in k)

    def value(dep):
        if dep["property"] == "n_clicks":
            return 1
        if dep["property"] == "search":
            return "?lang=zh-CN"
        return {"region": "431023000000", "week": "2026-W46", "lang": "zh-CN", "figure": forged_figure, **forged_figure}
    resp = post(client, payload(callback_map, key, value))
    listener.shutdown()
    assert resp.status_code == 200 and hits == []
    body = resp.get_json()["response"]
    download = next(v for v in body.values() if "data" in v)["data"]
    assert download["filename"].endswith(".png") and len(download["content"]) > 1000
    with engine_of(server).connect() as conn:
        action = conn.execute(text("SELECT action, object FROM audit_log ORDER BY id DESC")).first()
    assert tuple(action) == ("export_png", "chart:overview-trend")


@pytest.mark.parametrize("role", list(ROLES))
def test_identity_markers_reach_no_role_through_any_callback(city_server, role):
    """Every callback, asked by every role for its own county (where data and markers
    are): the planted complainant identities never appear (only the audited unmasking,
    tested above, shows one)."""
    callback_map = dash.get_app().callback_map
    client = _city_client(city_server, role)
    for key in server_callbacks(callback_map):
        if key.startswith("complaints-unmask-result"):
            continue
        resp = post(client, payload(callback_map, key, _forged_values(COUNTY)))
        assert resp.status_code < 500 and MARK not in _text(resp), (role, key)
