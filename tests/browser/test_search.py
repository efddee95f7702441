"""The place search box in headless chromium on the county demo (永兴县): a village found by
name from the navbar opens its profile; a township found by pinyin initials from the box
beside the overview's picker opens on the overview and stays there."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from data.queries.region_search import pinyin_initials

pytestmark = pytest.mark.browser
NAVBAR_BOX = ".sun-search-nav button.dash-dropdown"
PAGE_BOX = '[data-page="overview"] .sun-search button.dash-dropdown'


def _pick(page, box: str, typed: str, code: str) -> None:
    """Open the box, type as a person does (key by key: the server searches once typing
    pauses), then click the option of `code`."""
    page.locator(box).click()
    page.locator("input.dash-dropdown-search").press_sequentially(typed, delay=40)
    page.locator(f'label.dash-dropdown-option:has(input[value="{code}"])').click(timeout=15_000)


def _open_overview(page, app_url: str) -> None:
    page.goto(f"{app_url}/?week=2026-W46&lang=zh-CN")
    page.wait_for_selector('[data-key="complaints_received"] .sun-kpi-value', timeout=30_000)


def test_the_navbar_search_finds_a_demo_village_by_name_and_opens_its_profile(page, app_url, demo_engine):
    with demo_engine.connect() as conn:  # a village whose name no other place of the county has
        code, name, town = conn.execute(text(
            "SELECT v.code, v.name, t.name FROM region v JOIN region t ON t.code = v.parent_code "
            "WHERE v.level = 'village' AND v.code LIKE '431023%' AND (SELECT count(*) FROM region s "
            "WHERE s.name = v.name AND s.code LIKE '431023%') = 1 ORDER BY v.code LIMIT 1 OFFSET 5")).one()
    _open_overview(page, app_url)
    _pick(page, NAVBAR_BOX, name, code)
    expect(page).to_have_url(re.compile(rf"/region/{code}\?week=2026-W46&lang=zh-CN$"))
    expect(page.locator("#page-region-chip")).to_contain_text(name, timeout=30_000)
    expect(page.locator('[data-page="region"]')).to_be_visible()
    expect(page.locator('#region-kpis tr[data-key="complaints_received"]')).to_be_visible(timeout=30_000)
    expect(page.locator("#region-crumbs")).to_contain_text(town)
    # the box is empty again, ready for the next search
    expect(page.locator(f"{NAVBAR_BOX} .dash-dropdown-placeholder")).to_be_visible()


def test_the_box_beside_the_picker_opens_a_township_by_pinyin_initials_on_the_overview(page, app_url, demo_engine):
    with demo_engine.connect() as conn:
        code, name = conn.execute(text("SELECT code, name FROM region WHERE level = 'township' "
                                       "AND code LIKE '431023%' ORDER BY code LIMIT 1 OFFSET 2")).one()
    _open_overview(page, app_url)
    _pick(page, PAGE_BOX, pinyin_initials(name), code)
    expect(page).to_have_url(re.compile(rf"/\?region={code}&week=2026-W46&lang=zh-CN$"))
    expect(page.locator("#page-region-chip")).to_contain_text(name, timeout=30_000)
    expect(page.locator("#overview-region")).to_contain_text(name)  # the picker shows it too
    page.wait_for_timeout(1500)  # and the page stays there (an empty picker once sent it to the root)
    expect(page).to_have_url(re.compile(rf"region={code}"))
