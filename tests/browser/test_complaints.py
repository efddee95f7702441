"""The complaints page in headless chromium on the county demo: it renders, the planted surge
is a hotspot, switching to a township updates the trend, English labels."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from i18n import t

pytestmark = pytest.mark.browser
TREND = '[data-chart="complaints-trend"] .js-plotly-plot'
NUMBER = re.compile(r"\d")


def open_page(page, app_url: str, query: str):
    page.goto(f"{app_url}/complaints{query}")
    page.wait_for_selector(".sun-cp-tile-value", timeout=30_000)
    page.wait_for_function(f"() => {{ const g = document.querySelector('{TREND}'); "
                           "return g && g.data && g.data.length > 2; }", timeout=30_000)


def trend_totals(page) -> list[float]:
    return page.evaluate(f"() => document.querySelector('{TREND}').data[1].y")


def test_page_renders_every_section(page, app_url, demo_engine):
    with demo_engine.connect() as conn:
        surge = conn.execute(text("SELECT region_code FROM demo_truth WHERE kind = 'complaint_surge'")).scalar_one()
    open_page(page, app_url, "?region=431023&week=2026-W46")
    expect(page.locator(".sun-cp-tile-value").first).to_have_text(NUMBER)
    assert sum(trend_totals(page)) > 100
    expect(page.locator(f'.sun-cp-hot-item[data-code="{surge}"]')).to_have_count(1)
    expect(page.locator(f'.sun-cp-hot-item[data-code="{surge}"] a[href^="/map?region={surge}"]')).to_have_count(1)
    expect(page.locator("#complaints-spike-rule")).to_contain_text("α = 0.001")
    for chart in ("complaints-funnel", "complaints-age", "complaints-services", "complaints-ratings"):
        expect(page.locator(f'[data-chart="{chart}"] .js-plotly-plot')).to_have_count(1)
    assert page.locator("#complaints-units-townships tbody tr").count() >= 10
    grid = page.locator('[data-records="complaints-open"]')
    grid.scroll_into_view_if_needed()
    expect(grid.locator(".ag-cell").filter(has_text=re.compile(r"^TS431023")).first).to_be_visible(timeout=20_000)


def test_switching_township_updates_the_trend(page, app_url, demo_engine):
    with demo_engine.connect() as conn:
        code, name = conn.execute(text("SELECT code, name FROM region WHERE level = 'township' AND "
                                       "code LIKE '431023%' ORDER BY code LIMIT 1")).one()
    open_page(page, app_url, "?region=431023&week=2026-W46&span=26w")
    before = trend_totals(page)
    page.locator("#complaints-region").click()
    page.locator("input.dash-dropdown-search").fill(name)
    page.locator(f'label.dash-dropdown-option:has(input[value="{code}"])').click()
    expect(page).to_have_url(re.compile(f"region={code}"))
    page.wait_for_function(f"(before) => {{ const g = document.querySelector('{TREND}'); "
                           "return g && g.data && g.data.length > 2 && "
                           "JSON.stringify(g.data[1].y) !== JSON.stringify(before); }", arg=before,
                           timeout=30_000)
    after = trend_totals(page)
    assert len(after) == len(before) == 26 and 0 < sum(after) < sum(before)
    expect(page.locator("#page-region-chip")).to_contain_text(name)


def test_english_labels(page, app_url):
    open_page(page, app_url, "?region=431023&week=2026-W46&lang=en")
    expect(page.locator(".sun-page-title")).to_have_text(t("page.complaints.title", "en"))
    expect(page.locator(".sun-cp-tile-label").first).to_have_text(t("complaints.tile.on_time", "en"))
    expect(page.locator("#complaints-spike-rule")).to_contain_text("Poisson")
    expect(page.locator(".sun-cp-section").first).to_have_text(t("complaints.handling.title", "en"))


def test_listed_hotspots_are_marked_on_the_trend(page, app_url, demo_engine):
    """The surge township's spike (found by the hotspot callback) appears as a mark on
    the drawn trend: the two server results are put together in the browser."""
    import datetime as dt

    from data.calendar import format_week, week_key
    with demo_engine.connect() as conn:
        code, start = conn.execute(text("SELECT region_code, start_date FROM demo_truth "
                                        "WHERE kind = 'complaint_surge'")).first()
        name = conn.execute(text("SELECT name FROM region WHERE code = :c"), {"c": code}).scalar_one()
    week = format_week(week_key(dt.date.fromisoformat(str(start)[:10])))
    open_page(page, app_url, f"?region={code[:6]}&week={week}&span=12w&by=category")
    page.wait_for_function(f"() => {{ const g = document.querySelector('{TREND}'); return g && g.data && "
                           "g.data.some(tr => tr.legendgroup === 'unit_spike'); }", timeout=30_000)
    marks = page.evaluate(f"() => document.querySelector('{TREND}').data"
                          ".find(tr => tr.legendgroup === 'unit_spike')")
    total = page.evaluate(f"() => document.querySelector('{TREND}').data.find(tr => tr.meta === 'total')")
    at = dict(zip(marks["x"], marks["text"]))
    assert week in at and name in at[week]
    # placed on the total line at that week
    assert marks["y"][marks["x"].index(week)] == total["y"][total["x"].index(week)]


def test_script_and_formula_text_from_the_public_is_shown_as_text(page, app_url, demo_engine):
    """The demo's complaints carry what the public sends (an HTML script tag, a leading
    '='); the open-cases grid shows them character for character and runs nothing."""
    from demo.texts import SCRIPT_CONTENT
    with demo_engine.connect() as conn:
        case = conn.execute(text("SELECT case_no, village_code FROM complaint WHERE content = :c AND closed_at IS NULL "
                                 "ORDER BY case_no"), {"c": SCRIPT_CONTENT}).first()
    if case is None:
        pytest.fail("the county demo should hold an open complaint with script text")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_page(page, app_url, f"?region={case.village_code[:9]}000")
    grid = page.locator('[data-records="complaints-open"]')
    grid.scroll_into_view_if_needed()
    expect(grid.locator(".ag-cell").filter(has_text=re.compile(r"^TS")).first).to_be_visible(timeout=20_000)
    page.evaluate("""async (filter) => {
        const el = document.querySelector('[data-records="complaints-open"] .sun-records-grid');
        const api = await dash_ag_grid.getApiAsync(el.id);
        api.setFilterModel({content: {filterType: 'text', type: 'contains', filter: filter}});
        api.ensureColumnVisible('content');
    }""", "<script>")
    cell = grid.locator('.ag-cell[col-id="content"]').filter(has_text="<script>alert(1)</script>").first
    expect(cell).to_be_visible(timeout=20_000)
    assert cell.inner_text() == SCRIPT_CONTENT
    assert grid.locator("script").count() == 0 and dialogs == []
