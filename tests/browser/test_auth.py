"""Sign-in in Chromium: the login page first, lockout after five failures, sign-out, and a
session that ends while a page is open sends the user back to the login page."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.session import PASSWORD, ROLE_ACCOUNTS, make_user, serve_with_accounts
from tools.signin import sign_in

pytestmark = pytest.mark.browser
LOGIN_401 = "status of 401"  # Chrome logs the refused callback request; that is the point here


def test_anonymous_visitor_gets_the_chinese_login_page(anonymous_page, app_url):
    anonymous_page.goto(app_url + "/funds?region=431023")
    expect(anonymous_page.locator("#login-root")).to_be_visible()
    expect(anonymous_page.locator("h2")).to_have_text("登录")
    assert "next=%2Ffunds%3Fregion%3D431023" in anonymous_page.url


def test_five_failures_lock_the_account(anonymous_page, app_url, app_db_url):
    from data.model.db import make_engine
    engine = make_engine(app_db_url)
    make_user(engine, "b_lockme", "leader")
    engine.dispose()
    for _ in range(5):
        anonymous_page.goto(app_url + "/login")
        anonymous_page.fill("#name", "b_lockme")
        anonymous_page.fill("#password", "not the password")
        anonymous_page.click("#login-submit")
    expect(anonymous_page.locator("#login-message")).to_contain_text("锁定")
    with pytest.raises(RuntimeError, match="锁定"):
        sign_in(anonymous_page, app_url, "b_lockme", PASSWORD)


def test_sign_out_from_the_user_menu(anonymous_page, app_url):
    sign_in(anonymous_page, app_url, ROLE_ACCOUNTS["leader"][0], PASSWORD)
    anonymous_page.goto(app_url + "/")
    anonymous_page.click(".sun-account > .nav-link")
    expect(anonymous_page.locator("#shell-nav-whoami")).to_contain_text("领导")
    anonymous_page.click("#shell-nav-logout")
    expect(anonymous_page.locator("#login-message")).to_contain_text("已安全退出")


@pytest.fixture(scope="module")
def short_session_url(chromium_path, app_db_url, tmp_path_factory, monkeypatch_module):
    """An app whose sessions end after one idle minute."""
    monkeypatch_module.setenv("SUNSHINE_SESSION_IDLE_MINUTES", "1")
    yield from serve_with_accounts(app_db_url, tmp_path_factory.mktemp("short-session"))


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.slow
def test_an_idle_session_ends_and_the_page_goes_to_login(browser, short_session_url):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    errors = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" and LOGIN_401 not in m.text else None)
    sign_in(tab, short_session_url, ROLE_ACCOUNTS["commission"][0], PASSWORD)
    tab.goto(short_session_url + "/map?region=431023")
    tab.wait_for_selector("#_pages_content .sun-page", timeout=30_000)
    tab.wait_for_timeout(62_000)  # idle past the one minute
    tab.locator("a.sun-lang-link", has_text="English").click()  # any request: refused, so to the login page
    tab.wait_for_url("**/login?**", timeout=20_000)
    expect(tab.locator("#login-message")).to_be_visible()
    assert "next=" in tab.url and errors == []
    context.close()


def test_the_served_app_sends_no_server_banner(app_url):
    import urllib.request
    with urllib.request.urlopen(app_url + "/login", timeout=10) as resp:  # noqa: S310 - our own 127.0.0.1
        assert resp.status == 200 and resp.headers.get("Server") is None
        assert "no-store" in resp.headers["Cache-Control"]
