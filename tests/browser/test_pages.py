"""Every page of the navbar renders in headless chromium; the URL carries the state."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from components.navbar import NAV_PAGES, visible_pages
from i18n import t

pytestmark = pytest.mark.browser
PAGE_READY = "#_pages_content .sun-page"


def open_page(page, app_url: str, path: str):
    """Go to `path` and wait until Dash rendered the page (not the 'Loading…' stub)."""
    page.goto(app_url + path)
    page.wait_for_selector(PAGE_READY, timeout=20_000)
    return page


def settled(page):
    """Wait until no callback is in flight: a user clicks on a drawn page. (Leaving a page
    while plotly.js is still drawing can raise a plotly.js error in the unmounted graph.)"""
    from tools.screenshot import READY_JS
    page.wait_for_function(READY_JS, timeout=60_000, polling=50)
    return page


def nav_link(page, label: str):
    return page.locator(".sun-nav-pages a.nav-link", has_text=label)


def lang_link(page, label: str):
    return page.locator("a.sun-lang-link", has_text=label)


# the role that opens each page (the commission sees every dashboard page)
OPENER = {"data": "data_admin", "audit": "auditor", "admin": "admin"}
DASHBOARD_PAGES = visible_pages("commission")


@pytest.mark.parametrize("key, path", [pytest.param(k, p, marks=pytest.mark.role(OPENER.get(k, "commission")))
                                       for k, p in NAV_PAGES], ids=[k for k, _ in NAV_PAGES])
def test_every_navbar_page_loads(page, app_url, key, path):
    open_page(page, app_url, path)
    expect(page.locator(f'#_pages_content [data-page="{key}"]')).to_have_count(1)
    expect(page.locator("#react-entry-point")).not_to_contain_text("Loading...")
    expect(nav_link(page, t(f"nav.{key}"))).to_have_class(re.compile(r"\bactive\b"))


def test_default_language_is_chinese(page, app_url):
    open_page(page, app_url, "/")
    for key, _ in DASHBOARD_PAGES:
        expect(nav_link(page, t(f"nav.{key}", "zh-CN"))).to_have_count(1)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_lang_en_shows_english_navbar(page, app_url):
    open_page(page, app_url, "/?lang=en")
    for key, _ in DASHBOARD_PAGES:
        expect(nav_link(page, t(f"nav.{key}", "en"))).to_have_count(1)
    expect(page.locator("#shell-nav-brand")).to_have_text(t("app.title", "en"))
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _query(url: str) -> dict[str, str]:
    parsed = urlparse(url)
    return {k: v[-1] for k, v in parse_qs(parsed.query).items()} | {"_path": parsed.path}


def test_language_switch_and_navigation_keep_region_and_week(page, app_url):
    settled(open_page(page, app_url, "/map?region=431023&week=2026-W46"))
    lang_link(page, "English").click()
    expect(page.locator('[data-page="map"]')).to_have_attribute("data-lang", "en")
    assert _query(page.url) == {"_path": "/map", "region": "431023", "week": "2026-W46",
                                "lang": "en"}
    settled(page)
    nav_link(page, t("nav.funds", "en")).click()
    expect(page.locator('[data-page="funds"]')).to_have_attribute("data-lang", "en")
    assert _query(page.url) == {"_path": "/funds", "region": "431023", "week": "2026-W46",
                                "lang": "en"}
    settled(page)
    lang_link(page, "中文").click()
    expect(nav_link(page, t("nav.funds", "zh-CN"))).to_have_count(1)
    assert _query(page.url)["region"] == "431023"


def test_invalid_region_shows_a_message(page, app_url):
    open_page(page, app_url, "/?region=12x&lang=en")
    expect(page.locator("#page-alert")).to_contain_text("Invalid region code")
    open_page(page, app_url, "/complaints?region=4310")
    expect(page.locator("#page-alert")).to_contain_text("区划代码")


def test_unknown_path_shows_the_translated_404(page, app_url):
    open_page(page, app_url, "/no-such-page?lang=en")
    expect(page.locator("#not-found-card")).to_contain_text(t("notfound.title", "en"))


# every table inside its card: the page is no wider than the window and no table's right
# edge passes its card's (AG Grid scrolls its own columns inside its viewport)
TABLES_FIT = """() => {
  const w = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll('table')].filter(tb => tb.offsetParent).map(tb => {
    const card = tb.closest('.card, .sun-card, .card-body') || document.body;
    return {right: tb.getBoundingClientRect().right, card: card.getBoundingClientRect().right,
            head: (tb.querySelector('th') || {}).textContent};
  }).filter(x => x.right > x.card + 1);
  return {page: document.documentElement.scrollWidth, window: w, sticking_out: out};
}"""


@pytest.mark.parametrize("path", ["/?lang=en", "/funds?lang=en", "/complaints?lang=en", "/map?lang=en",
                                  "/briefing?lang=en", "/clues?lang=en"])
def test_english_pages_and_their_tables_fit_a_laptop(page, app_url, path):
    """Issue #15: the English outlier table was clipped; every table fits its card."""
    page.set_viewport_size({"width": 1440, "height": 900})
    settled(open_page(page, app_url, path))
    page.wait_for_timeout(500)
    found = page.evaluate(TABLES_FIT)
    assert found["page"] <= found["window"] and found["sticking_out"] == [], found
