"""Browser-test fixtures: the app as a subprocess, Debian chromium through playwright.

- `app_url`: `python app.py` on a free port serving `browser_db_url` (a fixture of
  tests/conftest.py; when no such fixture exists, or SUNSHINE_BROWSER_EMPTY_DB=1, a fresh
  SQLite file with an empty schema). One server per test session.
- `browser`: Debian's `chromium` via `executable_path` (no `playwright install`, no
  download). Every browser test is skipped with a clear reason when chromium is absent.
- `page`: a tab signed in (through the login form) as the commission user over the
  province, or as the role a test names with `@pytest.mark.role("leader")`; records every
  request and every console error / page error; after the test it fails when a request
  left 127.0.0.1/localhost or an error was logged, and saves a screenshot under
  test-artifacts/ when anything went wrong.
- `anonymous_page`: the same without signing in.
- The served database holds one account per role (tests/support/session.ROLE_ACCOUNTS).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str | None:
    found = shutil.which("chromium")
    return found or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so `page` knows whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _chromium()
    if not path:
        pytest.skip("Debian chromium not found (apt-get install chromium; `make system-deps`)")
    return path


@pytest.fixture(scope="session")
def app_db_url(request, tmp_path_factory) -> str:
    """The lead's `browser_db_url` if defined, else an empty-schema SQLite file."""
    if os.environ.get("SUNSHINE_BROWSER_EMPTY_DB") != "1":
        try:
            return request.getfixturevalue("browser_db_url")
        except pytest.FixtureLookupError:
            pass
    from data.model.db import make_engine
    from data.model.migrate import upgrade
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'empty.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def app_url(chromium_path, app_db_url, tmp_path_factory):
    """Base URL of `python app.py` running as a subprocess; terminated after the session."""
    from tests.support.session import serve_with_accounts
    yield from serve_with_accounts(app_db_url, tmp_path_factory.mktemp("app-var"))


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path, headless=True,
                                      args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def _is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in {"data", "blob", "about"} or parsed.hostname in LOCAL_HOSTS


@pytest.fixture(scope="session")
def signed_in_state(browser, app_url):
    """role -> the storage state (session cookie) of a tab signed in as that role's account."""
    from tests.support.session import PASSWORD, ROLE_ACCOUNTS
    from tools.signin import sign_in
    states: dict[str, dict] = {}

    def state_of(role: str) -> dict:
        if role not in states:
            context = browser.new_context()
            tab = context.new_page()
            sign_in(tab, app_url, ROLE_ACCOUNTS[role][0], PASSWORD)
            states[role] = context.storage_state()
            context.close()
        return states[role]
    return state_of


@pytest.fixture()
def page(browser, app_url, request, signed_in_state):
    """A fresh tab signed in; outside requests are recorded and aborted, errors are recorded."""
    marker = request.node.get_closest_marker("role")
    role = marker.args[0] if marker else "commission"
    yield from _watched_tab(browser, request, storage_state=signed_in_state(role))


@pytest.fixture()
def anonymous_page(browser, app_url, request):
    """A fresh tab with no session."""
    yield from _watched_tab(browser, request, storage_state=None)


def _watched_tab(browser, request, *, storage_state):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN",
                                  storage_state=storage_state)
    requests, errors = [], []
    context.route("**/*", lambda route: route.continue_() if _is_local(route.request.url)
                  else route.abort())
    tab = context.new_page()
    tab.on("request", lambda req: requests.append(req.url))
    tab.on("console", lambda msg: errors.append(f"console: {msg.text}")
           if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    yield tab
    outside = sorted({url for url in requests if not _is_local(url)})
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if outside or errors or failed:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not outside, f"requests left 127.0.0.1: {outside}"
    assert not errors, f"browser errors: {errors}"
