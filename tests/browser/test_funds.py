"""The fund-flows page in headless chromium on the county demo: a Sankey renders, and
clicking a node filters the rest of the page (the progress chart) through the URL."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from i18n import t

pytestmark = pytest.mark.browser
PROGRESS_X = """() => { const g = document.querySelector('[data-chart="funds-progress"] .js-plotly-plot');
  return g && g.data && g.data[0] && g.data[0].text ? Array.from(g.data[0].text) : null; }"""


def open_funds(page, app_url: str, query: str = "?week=2026-W46"):
    page.goto(f"{app_url}/funds{query}")
    page.wait_for_selector('[data-chart="funds-sankey"] g.sankey-node', timeout=30_000)
    page.wait_for_function(f"() => ({PROGRESS_X})() !== null", timeout=30_000)


def click_sankey_node(page, label: str) -> None:
    """Click the middle of the Sankey node labelled `label`, as a user does."""
    node = page.locator('[data-chart="funds-sankey"] g.sankey-node', has_text=label)
    box = node.locator("rect.node-rect").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_page_renders_a_sankey_and_every_section(page, app_url):
    open_funds(page, app_url)
    nodes = page.locator('[data-chart="funds-sankey"] g.sankey-node')
    assert nodes.count() >= 8  # source levels, categories, townships
    expect(nodes.filter(has_text=t("source_level.central", "zh-CN"))).to_have_count(1)
    for key in ("funds-progress", "funds-overdue", "funds-ledger", "funds-disclosure", "funds-projects"):
        expect(page.locator(f'[data-chart="{key}"] .js-plotly-plot')).to_have_count(1)
    expect(page.locator(".sun-status").first).to_be_visible()


def test_clicking_a_category_node_filters_the_progress_chart(page, app_url):
    open_funds(page, app_url)
    before = page.evaluate(PROGRESS_X)
    click_sankey_node(page, t("program_category.agriculture", "zh-CN"))
    page.wait_for_function("() => location.search.includes('category=agriculture')", timeout=15_000)
    page.wait_for_function(f"(b) => {{ const x = ({PROGRESS_X})(); return x && JSON.stringify(x) !== JSON.stringify(b); }}",
                           arg=before, timeout=30_000)
    expect(page.locator(".sun-funds-chip")).to_have_text(t("program_category.agriculture", "zh-CN"))
    assert page.locator('[data-page="funds"]').count() == 1  # still the funds page
    # the filter is in the URL: a reload keeps it
    page.reload()
    page.wait_for_selector('[data-chart="funds-sankey"] g.sankey-node', timeout=30_000)
    expect(page.locator(".sun-funds-chip")).to_have_count(1)


def test_english(page, app_url):
    open_funds(page, app_url, "?week=2026-W46&lang=en")
    expect(page.locator(".sun-funds-section").first).to_contain_text("Where the money comes from")


OVERDUE_N = """() => { const g = document.querySelector('[data-chart="funds-overdue"] .js-plotly-plot');
  return g && g.data ? JSON.stringify(g.data.map(d => d.x || d.y)) : null; }"""


def test_clicking_a_source_node_filters_the_overdue_chart(page, app_url):
    open_funds(page, app_url)
    page.wait_for_function(f"() => ({OVERDUE_N})() !== null", timeout=30_000)
    before = page.evaluate(OVERDUE_N)
    click_sankey_node(page, t("source_level.central", "zh-CN"))
    page.wait_for_function("() => location.search.includes('source=central')", timeout=15_000)
    page.wait_for_function(f"(b) => {{ const x = ({OVERDUE_N})(); return x && x !== b; }}",
                           arg=before, timeout=30_000)
    expect(page.locator(".sun-funds-filter-note").first).to_have_text(
        t("funds.filters.source_note", "zh-CN"))
