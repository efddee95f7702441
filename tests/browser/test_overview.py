"""The overview in headless chromium on the county demo: numbers, map, hot list, English."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from data.queries import KPI_KEYS
from i18n import t

pytestmark = pytest.mark.browser
NUMBER = re.compile(r"\d")


def open_overview(page, app_url: str, query: str = ""):
    page.goto(f"{app_url}/{query}")
    page.wait_for_selector('[data-key="complaints_received"] .sun-kpi-value', timeout=30_000)


def test_kpi_tiles_show_numbers(page, app_url):
    open_overview(page, app_url, "?week=2026-W46")
    for key in KPI_KEYS:
        value = page.locator(f'[data-key="{key}"] .sun-kpi-value')
        expect(value).to_have_text(NUMBER)
        expect(page.locator(f'[data-key="{key}"] .sun-kpi-label')).to_contain_text(t(f"kpi.{key}", "zh-CN"))


def test_map_hot_list_and_trend_render(page, app_url):
    open_overview(page, app_url, "?week=2026-W46")
    expect(page.locator('[data-chart="overview-map"] .js-plotly-plot')).to_have_count(1)
    expect(page.locator(".sun-hot-item").first).to_be_visible()
    assert page.locator(".sun-hot-item").count() == 10
    expect(page.locator('[data-chart="overview-trend"] .js-plotly-plot')).to_have_count(1)


def test_english_labels(page, app_url):
    open_overview(page, app_url, "?lang=en&week=2026-W46")
    for key in KPI_KEYS:
        expect(page.locator(f'[data-key="{key}"] .sun-kpi-label')).to_contain_text(t(f"kpi.{key}", "en"))
    expect(page.locator(".sun-card-title").first).to_have_text(re.compile(r"[A-Za-z]"))


def test_week_picker_writes_the_url(page, app_url):
    open_overview(page, app_url, "?week=2026-W46")
    page.locator("#overview-week").click()
    page.get_by_text("2026-W45", exact=False).first.click()
    expect(page).to_have_url(re.compile(r"week=2026-W45"))
    page.reload()
    page.wait_for_selector('[data-key="complaints_received"] .sun-kpi-value', timeout=30_000)
    expect(page.locator("#overview-week")).to_contain_text("2026-W45")
