"""The production server (`make run`: gunicorn + gunicorn.conf.py) as a real process on a
free loopback port, serving the county demo: compression, cache headers of bundles and
assets, no development server, and a 5-second run of the load bench against it."""
from __future__ import annotations

import gzip
import json
import re
import urllib.error
import urllib.request

import brotli
import pytest

from tests.support.session import PASSWORD, ROLE_ACCOUNTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"  # what chromium sends


@pytest.fixture(scope="module")
def production(app_db_url, tmp_path_factory):
    """(base URL, log file) of gunicorn serving the test database."""
    from tests.support.session import serve_with_accounts
    var_dir = tmp_path_factory.mktemp("production-var")
    for url in serve_with_accounts(app_db_url, var_dir, production=True):
        yield url, var_dir / "app.log"


@pytest.fixture(scope="module")
def cookie(production) -> str:
    """The session cookie of the commission account, through the login form."""
    base, _ = production
    name = ROLE_ACCOUNTS["commission"][0]
    req = urllib.request.Request(f"{base}/login", data=f"name={name}&password={PASSWORD}".encode(),  # noqa: S310 - our own http://127.0.0.1 URL
                                 headers={"Origin": base}, method="POST")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(req)
    except urllib.error.HTTPError as exc:  # the 302 after a good login
        set_cookie = exc.headers.get("Set-Cookie", "")
    assert set_cookie, "login failed"
    return set_cookie.split(";", 1)[0]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(base: str, path: str, *, cookie: str = "", encodings: str = BROWSER_ENCODINGS, **headers):
    """(status, headers, raw body) of GET `path`."""
    req = urllib.request.Request(base + path,  # noqa: S310 - our own http://127.0.0.1 URL
                                 headers={"Accept-Encoding": encodings, "Cookie": cookie, **headers})
    try:
        with urllib.request.urlopen(req) as resp:  # noqa: S310 - our own http://127.0.0.1 URL
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def test_served_by_gunicorn_without_the_development_server(production):
    base, log = production
    status, headers, _ = get(base, "/login")
    assert status == 200
    assert "Server" not in headers  # neither `Werkzeug/…` nor `gunicorn`
    text = log.read_text(errors="replace")
    assert "Using worker: gthread" in text and "Booting worker" in text
    assert "development server" not in text and "Running on http" not in text


def _bundle(base: str, cookie: str) -> str:
    _, _, page = get(base, "/", cookie=cookie, encodings="identity")
    found = re.findall(r'src="(/_dash-component-suites/dash/dash-renderer/[^"]+\.js)"', page.decode())
    assert found, "no dash-renderer bundle in the page"
    return found[0]


def test_fingerprinted_bundle_compressed_and_kept_a_year(production, cookie):
    base, _ = production
    path = _bundle(base, cookie)
    assert re.search(r"\.v\d[\w]*m\d+\.", path), f"{path} carries no fingerprint"
    status, headers, body = get(base, path, cookie=cookie)
    assert status == 200
    assert headers["Content-Encoding"] == "br"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Set-Cookie" not in headers and "cookie" not in headers.get("Vary", "").lower()
    assert headers["X-Content-Type-Options"] == "nosniff"
    _, gz_headers, gz_body = get(base, path, cookie=cookie, encodings="gzip")
    assert gz_headers["Content-Encoding"] == "gzip"
    plain = brotli.decompress(body)
    assert gzip.decompress(gz_body) == plain and len(body) < len(plain) / 2
    _, _, body_again = get(base, path, cookie=cookie)  # the compressed bytes kept by the worker
    assert body_again == body


def test_unfingerprinted_asset_revalidated_with_etag(production, cookie):
    base, _ = production
    status, headers, _ = get(base, "/assets/sunshine.css")
    assert status == 200 and headers["Cache-Control"] == "no-cache" and headers["Content-Encoding"] == "br"
    etag = headers["ETag"]
    status, headers, body = get(base, "/assets/sunshine.css", **{"If-None-Match": etag})
    assert status == 304 and body == b""
    status, headers, _ = get(base, "/assets/sunshine.css?m=1700000000.0")
    assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_layout_and_callback_answers_compressed_in_chromium(production, browser):
    """What chromium receives on a page: Dash's JSON (layout, callback answers) compressed,
    never kept (no-store), and the page's security headers. The briefing: its charts are
    the one callback a page fires on load (every other first view comes with the layout)."""
    from tools.signin import sign_in
    base, _ = production
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    sign_in(tab, base, ROLE_ACCOUNTS["commission"][0], PASSWORD)
    seen: list[tuple[str, int, dict]] = []
    tab.on("response", lambda r: seen.append((r.url, r.status, r.all_headers())))
    tab.goto(base + "/briefing")
    from tools.screenshot import READY_JS
    tab.wait_for_function(READY_JS, timeout=60_000, polling=50)
    tab.wait_for_function("() => document.querySelectorAll('#briefing-root .js-plotly-plot .main-svg').length > 0",
                          timeout=60_000, polling=50)
    context.close()
    answers = [(url, h) for url, status, h in seen if status == 200 and "/_dash-update-component" in url
               and int(h.get("content-length", "1000")) >= 500]
    layouts = [h for url, status, h in seen if status == 200 and url.endswith("/_dash-layout")]
    assert answers and layouts
    for headers in [h for _, h in answers] + layouts:
        assert headers.get("content-encoding") in ("br", "gzip"), headers
        assert "no-store" in headers["cache-control"]
        assert "content-security-policy" in headers
    html = [h for url, status, h in seen if url == base + "/briefing" and status == 200]
    assert html and html[0].get("content-encoding") in ("br", "gzip")


def test_load_bench_five_seconds(production, browser, tmp_path):
    """The load bench end to end, briefly: record the overview (its first view is the
    layout: no callback) and the briefing (its charts' callback), replay them with 5 users."""
    from bench.load import print_load_table, record_pages, run_locust
    base, _ = production
    recording = tmp_path / "recording.json"
    recorded = record_pages(base, ["/", "/briefing"], ROLE_ACCOUNTS["commission"][0], PASSWORD, browser=browser)
    overview = [r["kind"] for r in recorded["pages"]["/"]]
    assert overview[:3] == ["page HTML", "_dash-layout", "_dash-dependencies"]
    assert not any(kind.startswith("callbacks of") for kind in overview), overview
    kinds = overview + [r["kind"] for r in recorded["pages"]["/briefing"]]
    assert "callbacks of /briefing" in kinds, kinds
    recording.write_text(json.dumps(recorded), encoding="utf-8")
    rows = run_locust(base, recording, tmp_path, users=5, duration_s=5, spawn_rate=5)
    overall = next(r for r in rows if r["Name"] == "Aggregated")
    assert int(overall["Request Count"]) >= len(kinds)
    assert int(overall["Failure Count"]) == 0, rows
    assert print_load_table("load, 5 s", rows, budget_ms=60_000)


def test_the_plotly_bundle_is_kept_a_year_without_a_cookie(production, cookie):
    """The custom plotly.js (web/bundle.py) of a signed-in page: reused by the browser, so
    no rotating session cookie (and its `Vary: Cookie`) on it."""
    base, _ = production
    _, _, body = get(base, "/", cookie=cookie, encodings="identity")
    found = re.findall(r'src="(/vendor/plotly/[^"]+)"', body.decode("utf-8", "replace"))
    if not found:
        pytest.skip("the plotly bundle is not built (make bundle needs npm)")
    status, headers, _ = get(base, found[0], cookie=cookie)
    assert status == 200 and "immutable" in headers["Cache-Control"]
    assert "Set-Cookie" not in headers and "cookie" not in headers.get("Vary", "").lower()
