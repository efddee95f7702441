"""The big screen in headless chromium: fits 1920×1080 (and 3840×2160) without scrollbars,
refreshes on its interval, rotates its panels, keeps the URL's region and week."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from data.queries import KPI_KEYS
from i18n import t

pytestmark = pytest.mark.browser
NUMBER = re.compile(r"\d")

FITS = """() => {
  const d = document.documentElement, vw = innerWidth, vh = innerHeight;
  const cells = [...document.querySelectorAll('.sun-screen-panel.is-active .sun-screen-cell, .sun-screen-kpis')];
  return {scrollW: d.scrollWidth, scrollH: d.scrollHeight, vw, vh,
          bodyScrollH: document.body.scrollHeight,
          overflowing: cells.filter(c => { const r = c.getBoundingClientRect();
                                           return r.bottom > vh + 1 || r.right > vw + 1; }).length,
          navbarShown: !!document.querySelector('.sun-navbar') &&
                       getComputedStyle(document.querySelector('.sun-navbar')).display !== 'none'};
}"""


def open_screen(page, app_url, query="?week=2026-W46", size=(1920, 1080)):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{app_url}/screen{query}")
    page.wait_for_selector('.sun-screen [data-key="complaints_received"] .sun-kpi-value', timeout=30_000)
    page.wait_for_selector('[data-chart="screen-map"] .js-plotly-plot', timeout=30_000)
    page.wait_for_selector('[data-chart="screen-trend"] .js-plotly-plot', timeout=30_000)
    page.wait_for_selector(".sun-screen .sun-hot-item", timeout=30_000)
    page.wait_for_timeout(500)


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)])
def test_screen_fits_without_scrollbars(page, app_url, size):
    open_screen(page, app_url, size=size)
    fit = page.evaluate(FITS)
    assert fit["scrollW"] <= fit["vw"] and fit["scrollH"] <= fit["vh"], fit
    assert fit["bodyScrollH"] <= fit["vh"], fit
    assert fit["overflowing"] == 0, fit
    assert not fit["navbarShown"]
    for key in KPI_KEYS:
        expect(page.locator(f'.sun-screen [data-key="{key}"] .sun-kpi-value')).to_have_text(NUMBER)
        expect(page.locator(f'.sun-screen [data-key="{key}"] .sun-kpi-arrow')).to_have_text(re.compile("[▲▼■]"))
    from views.screen import HOT_ON_SCREEN
    assert page.locator(".sun-screen .sun-hot-item").count() == HOT_ON_SCREEN
    # type readable from five metres: KPI values at least ~2.3 % of the width
    size_px = page.evaluate("() => parseFloat(getComputedStyle("
                            "document.querySelector('.sun-screen .sun-kpi-value')).fontSize)")
    assert size_px >= 0.02 * size[0]


# every hot township's reasons: no "…" anywhere, and each item inside its card (not cut off)
WHOLE_REASONS = """() => {
  const card = document.querySelector('.sun-screen-hot .card-body').getBoundingClientRect();
  const items = [...document.querySelectorAll('.sun-screen .sun-hot-item')];
  return {ellipsis: [...document.querySelectorAll('.sun-screen *')].filter(e => !e.children.length
            && (e.textContent || '').includes('…')).map(e => e.textContent),
          cut: items.filter(i => i.getBoundingClientRect().bottom > card.bottom + 1).length,
          clipped: [...document.querySelectorAll('.sun-screen .sun-hot-reasons')].filter(
            e => e.scrollWidth > e.clientWidth + 1).length,
          reasons: [...document.querySelectorAll('.sun-screen .sun-hot-reasons')].map(e => e.textContent)};
}"""


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_screen_shows_every_reason_whole_at_1920(page, app_url, lang):
    """Issue #15: on the wall screen no reason ends in "…" and no hot township is cut off,
    in either language (the sentences are shortened in their words, not cut)."""
    open_screen(page, app_url, f"?week=2026-W46&lang={lang}", size=(1920, 1080))
    found = page.evaluate(WHOLE_REASONS)
    assert found["ellipsis"] == [] and found["cut"] == 0 and found["clipped"] == 0, found
    assert any(found["reasons"]), found


def test_screen_refreshes_on_its_interval(page, app_url):
    open_screen(page, app_url, "?week=2026-W46&refresh=2")
    assert page.locator(".sun-screen").get_attribute("data-refresh") == "2"
    updated = page.locator(".sun-screen-updated")
    first = updated.inner_text()
    assert "2" in first
    # the 'updated at hh:mm:ss' line is rewritten by each refresh (the data are re-read)
    expect(updated).not_to_have_text(first, timeout=8_000)
    expect(page.locator('.sun-screen [data-key="complaints_received"] .sun-kpi-value')).to_have_text(NUMBER)


def test_screen_rotates_panels_when_asked(page, app_url):
    open_screen(page, app_url, "?week=2026-W46&rotate=5")
    units = page.locator(".sun-screen-units")
    situation = page.locator(".sun-screen-situation")
    # the rotation starts with the page: on a slow machine it may already have turned
    # once by now, so wait for the situation panel's turn rather than assume it
    expect(situation).to_have_class(re.compile("is-active"), timeout=12_000)
    expect(units).to_have_class(re.compile("is-active"), timeout=12_000)
    expect(situation).not_to_have_class(re.compile("is-active"))
    expect(page.locator('[data-chart="screen-ranking"] .js-plotly-plot')).to_have_count(1)
    fit = page.evaluate(FITS)
    assert fit["scrollH"] <= fit["vh"] and fit["overflowing"] == 0, fit


def test_screen_keeps_region_week_and_language_from_the_url(page, app_url):
    open_screen(page, app_url, "?region=431023&week=2026-W45&lang=en")
    expect(page.locator(".sun-screen-period")).to_contain_text("2026-W45")
    expect(page.locator(".sun-screen-region")).not_to_be_empty()
    expect(page.locator(".sun-screen-updated")).to_contain_text("Updated")
    label = page.locator('.sun-screen [data-key="complaints_received"] .sun-kpi-label')
    expect(label).to_contain_text(t("kpi.complaints_received", "en"))


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)])
def test_screen_map_is_svg_and_names_every_unit_in_wall_sized_type(page, app_url, size):
    """No hover on a wall: every unit's name is drawn on the map (SVG text, no WebGL
    canvas), about 1.1 % of the screen's width high, larger on a 4K wall."""
    open_screen(page, app_url, size=size)
    graph = '[data-chart="screen-map"] .js-plotly-plot'
    page.wait_for_function(f"() => document.querySelectorAll('{graph} .geolayer text').length > 0", timeout=30_000)
    drawn = page.evaluate(f"""() => Array.from(document.querySelectorAll('{graph} .geolayer text')).map(el => ({{
        text: el.textContent, size: parseFloat(getComputedStyle(el).fontSize),
        shown: el.getBoundingClientRect().width > 0}}))""")
    names = page.evaluate(f"() => document.querySelector('{graph}').data[0].text")
    assert sorted(d["text"] for d in drawn if d["shown"]) == sorted(names) and len(names) > 10
    assert min(d["size"] for d in drawn) >= 0.01 * size[0]
    assert page.locator(f"{graph} canvas").count() == 0
