"""The app builds, serves only local resources, and every page is reachable from the navbar."""
from __future__ import annotations

import dataclasses
import json
import re

import dash
import pytest

from components.navbar import NAV_PAGES, nav_props, visible_pages
from components.state import normalize_week, parse_state, state_href, state_query
from settings import load_settings
from tests.support.session import PROVINCE, log_in, make_user, signed_in

URL_RE = re.compile(r"""https?:(?://|\\u002f\\u002f)([^/\\"'\s<>:]+)""")
ATTR_RE = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""")


@pytest.fixture()
def settings(tmp_path):
    return load_settings(env={
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "SUNSHINE_VAR_DIR": str(tmp_path),
    })


@pytest.fixture()
def app(settings):
    from app import create_app
    from data.model.migrate import upgrade
    from runtime import engine_of
    dash_app = create_app(settings)
    upgrade(engine_of(dash_app.server))
    make_user(engine_of(dash_app.server), "app_tester", "commission")
    return dash_app


@pytest.fixture()
def client(app):
    """A test client logged in as a commission user over the province."""
    client = app.server.test_client()
    assert log_in(client, "app_tester").status_code == 302
    return client


def test_app_stores_settings_engine_and_cache(app, settings):
    server = app.server
    assert server.config["SUNSHINE_SETTINGS"] is settings
    assert str(server.extensions["sunshine_engine"].url).endswith("app.db")
    with server.app_context():
        from runtime import current_scope, get_cache, get_engine, get_settings
        assert get_settings() is settings and get_engine() is server.extensions["sunshine_engine"]
        get_cache().set("k", 1)
        assert get_cache().get("k") == 1
        assert not current_scope()  # no one logged in: deny by default
    with signed_in(server):
        assert current_scope().allows("431023000000")


def test_index_is_self_contained(client):
    resp = client.get("/")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and '<html lang="zh-CN">' in html
    assert set(URL_RE.findall(html)) <= {"localhost"}, "outside address in HTML"
    attrs = ATTR_RE.findall(html)
    assert "/vendor/bootstrap.min.css" in attrs
    assert [a for a in attrs if not a.startswith("/")] == []


def test_bootstrap_is_served_from_the_installed_package(client):
    resp = client.get("/vendor/bootstrap.min.css")
    assert resp.status_code == 200 and resp.mimetype == "text/css"
    assert b"Bootstrap" in resp.data[:200]
    assert client.get("/vendor/other.css").status_code == 404


def _layout_props(client, type_):
    """(page, href) of every pattern-id link of `type_` in the served layout."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props", {})
            if isinstance(props.get("id"), dict) and props["id"].get("type") == type_:
                found.append(props)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(client.get("/_dash-layout").data))
    return found


def test_every_registered_page_is_in_the_navbar(client):
    nav_hrefs = {p["href"] for p in _layout_props(client, "shell-nav-link")}
    # pages reached from other pages only (the region profile) register with in_navbar=False
    registered = {p["path"] for p in dash.page_registry.values()
                  if not p["module"].endswith("not_found_404") and p.get("in_navbar", True)}
    assert registered == {path for _, path in NAV_PAGES}
    assert nav_hrefs == {path for _, path in visible_pages("commission")}  # a role sees its pages only


@pytest.mark.parametrize("query", [{}, {"lang": "en"}, {"region": "431023", "week": "202646"},
                                   {"region": "12x"}, {"region": "440300"}, {"week": "nope"},
                                   {"lang": ["en", "zh"], "extra": "1"}])
def test_every_page_layout_renders_for_any_query(app, query):
    with signed_in(app.server):
        for page in dash.page_registry.values():
            layout = page["layout"](**query)
            assert json.dumps(layout.to_plotly_json(), cls=_PlotlyEncoder)


class _PlotlyEncoder(json.JSONEncoder):
    def default(self, o):
        return o.to_plotly_json() if hasattr(o, "to_plotly_json") else super().default(o)


def test_page_state_from_the_url(settings):
    state = parse_state("431023", "2026W46", "en-US", settings, PROVINCE)
    assert (state.region, state.week, state.lang, state.errors) == (
        "431023000000", "2026-W46", "en", ())
    # No region in the URL and no configured default: the page shows the dataset's root.
    assert parse_state(None, None, None, settings, PROVINCE).region is None
    configured = dataclasses.replace(settings, default_region="431000")
    assert parse_state(None, None, None, configured, PROVINCE).region == "431000000000"
    bad = parse_state("43x", "2026-W99", None, settings, PROVINCE)
    assert bad.region is None and bad.week is None and len(bad.errors) == 2
    assert "43x" in bad.errors[0] and "区划代码" in bad.errors[0]
    outside = parse_state("440300", None, "en", settings, PROVINCE)
    assert outside.region is None and "may not view" in outside.errors[0]
    assert normalize_week("202646") == "2026-W46"


def test_navbar_links_keep_the_state_query():
    props = nav_props("/map", "?region=431023&week=2026-W46&lang=en&tab=x", "zh-CN")
    assert props["nav_labels"][1] == "Hotspot map"
    assert props["nav_hrefs"][2] == "/funds?region=431023&week=2026-W46&lang=en"
    assert props["nav_active"] == [False, True] + [False] * (len(NAV_PAGES) - 2)
    assert props["lang_hrefs"] == ["/map?region=431023&week=2026-W46&lang=zh-CN",
                                   "/map?region=431023&week=2026-W46&lang=en"]
    assert nav_props(None, None, "zh-CN")["nav_labels"][0] == "总览"
    assert state_query("?lang=en&lang=zh-CN") == {"lang": "zh-CN"}
    assert state_href("/", {"region": "1"}, region=None) == "/"


def test_shell_callback_follows_the_url(app):
    from callbacks.shell import NAVBAR_OUTPUTS, update_navbar
    with signed_in(app.server, role="leader", name="li"):
        out = update_navbar("/", "?lang=en")
    assert len(out) == len(NAVBAR_OUTPUTS)
    assert out[0] == "Sunshine Supervision Dashboard"
    props = dict(zip([key for key, _ in NAVBAR_OUTPUTS], out))
    assert len(props["nav_labels"]) == len(visible_pages("leader")) < len(NAV_PAGES)
    assert props["whoami"].startswith("li · Leader")


def test_geo_routes(client):
    topo = client.get("/geo/empty-topo.json")
    assert topo.status_code == 200 and topo.mimetype == "application/json"
    assert json.loads(topo.data)["type"] == "Topology"
    assert client.get("/geo/topojson/world_110m.json").status_code == 200
    assert client.get("/geo/not-a-code/county.json").status_code == 404
    assert client.get("/geo/431000/galaxy.json").status_code == 404
    assert client.get("/geo/440000/city.json").status_code == 404  # outside the scope
    assert client.get("/geo/431000/county.json").get_json()["features"] == []  # no boundaries loaded


def test_import_has_no_side_effects(monkeypatch, settings):
    import app as app_module
    assert "server" not in vars(app_module)
    monkeypatch.setattr(app_module, "load_settings", lambda: settings)
    assert app_module.server.config["SUNSHINE_SETTINGS"] is settings


def _layer_codes(client, path):
    resp = client.get(path)
    return resp.status_code, [f["id"] for f in resp.get_json()["features"]] if resp.status_code == 200 else []


def test_geometry_under_an_ancestor_holds_only_the_path_to_the_scope(city_demo_db_url, tmp_path):
    """A county user asking for the city's or province's layer gets their own county's (or
    city's) outline only, never the neighbours' names and shapes; inside their county, all."""
    from app import create_app
    from runtime import engine_of
    server = create_app(load_settings(env={"DATABASE_URL": city_demo_db_url, "SUNSHINE_VAR_DIR": str(tmp_path)})).server
    make_user(engine_of(server), "geo_county", "staff", ("431023",))
    make_user(engine_of(server), "geo_city", "staff", ("431000",))
    county_user, city_user = server.test_client(), server.test_client()
    log_in(county_user, "geo_county")
    log_in(city_user, "geo_city")
    assert _layer_codes(county_user, "/geo/431000/county.json") == (200, ["431023000000"])
    assert _layer_codes(county_user, "/geo/430000/city.json") == (200, ["431000000000"])
    status, towns = _layer_codes(county_user, "/geo/431023/township.json")
    assert status == 200 and towns and all(c.startswith("431023") for c in towns)
    assert _layer_codes(county_user, "/geo/431021/township.json")[0] == 404  # a neighbour county
    status, counties = _layer_codes(city_user, "/geo/431000/county.json")
    assert status == 200 and len(counties) == 11
    one, all_ = (c.get("/geo/431000/county.json") for c in (county_user, city_user))
    assert one.headers["ETag"] != all_.headers["ETag"]  # a browser never reuses the other's layer
    assert "private" in one.headers["Cache-Control"]


@pytest.mark.parametrize("path", ["/", "/vendor/bootstrap.min.css", "/geo/empty-topo.json", "/_dash-layout",
                                  "/no-such-page"])
def test_every_response_carries_the_security_headers(tmp_path, path):
    from app import create_app
    from web.security import SECURITY_HEADERS
    server = create_app(load_settings(env={"SUNSHINE_VAR_DIR": str(tmp_path)})).server
    resp = server.test_client().get(path)
    assert {k: resp.headers.get(k) for k in SECURITY_HEADERS} == SECURITY_HEADERS
    assert "Server" not in resp.headers
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    static = path.startswith("/vendor/")  # everything else answers who asks (here: 302/401)
    assert ("no-store" in resp.headers.get("Cache-Control", "")) != static


@pytest.mark.parametrize("role, link", [("commission", "/"), ("data_admin", None)])
def test_a_page_under_construction_links_only_where_the_role_may_go(app, role, link):
    """The overview for a role that may open it; no link for a role whose one page this is."""
    from components.shell import under_construction
    from components.state import current_state
    with signed_in(app.server, role=role):
        card = json.dumps(under_construction("data", 13, current_state()).to_plotly_json(), cls=_PlotlyEncoder,
                          ensure_ascii=False)
    hrefs = re.findall(r'"href": "([^"?]*)', card)
    assert hrefs == ([link] if link else [])
    assert ("前往总览" in card) == (link == "/")
