"""Every page arrives drawn: its first view is computed in the layout, so loading it fires
no callback request (issue #16), and the view is the one the callbacks would draw."""
from __future__ import annotations

import pytest

from tools.screenshot import READY_JS

pytestmark = pytest.mark.browser

CALLBACK_PATH = "/_dash-update-component"
# Pages whose first view is rendered on the server (issue #16), with a selector that only
# the computed view has.
FIRST_VIEWS = {
    "/?week=2026-W46": '[data-key="complaints_received"] .sun-kpi-value',
    "/?week=2026-W46&lang=en": ".sun-hot-item",
    "/map?week=2026-W46": "#map-panel .sun-map-kpis",
    "/map?region=431023113000&week=2026-W46&lang=en": "#map-panel .sun-map-kpis",
    "/screen?week=2026-W46": "#screen-kpis .sun-kpi-value",
    "/region/431023113000?week=2026-W46": '#region-kpis tr[data-key="complaints_received"]',
    "/clues": '#clues-tiles [data-key="clues"]',
    "/clues?lang=en&status=flagged": '#warnings-tiles [data-key="raised"]',
    "/funds?week=2026-W46": '[data-chart="funds-sankey"] g.sankey-node',
    "/funds?week=2026-W46&lang=en": '[data-records="funds"] .ag-cell',
    "/complaints?week=2026-W46": "#complaints-units-townships tbody tr",
    "/complaints?week=2026-W46&lang=en": '[data-records="complaints-open"] .ag-cell',
}


def callback_outputs(page) -> list[str]:
    """The outputs of every callback request the tab fires, as they are sent."""
    outputs: list[str] = []
    page.on("request", lambda req: outputs.append((req.post_data_json or {}).get("output", "?"))
            if req.method == "POST" and CALLBACK_PATH in req.url else None)
    return outputs


@pytest.mark.parametrize("path", sorted(FIRST_VIEWS))
def test_first_view_needs_no_callback(page, app_url, path):
    outputs = callback_outputs(page)
    page.goto(app_url + path)
    page.wait_for_selector(FIRST_VIEWS[path], timeout=30_000)
    page.wait_for_function(READY_JS, timeout=30_000)
    page.wait_for_timeout(500)  # a chain would start within a tick of the layout
    assert outputs == [], f"{path} fired callbacks on load: {outputs}"


def test_a_users_change_still_runs_its_callbacks(page, app_url):
    """The navbar's language switch moves the URL: the router and the navbar answer."""
    outputs = callback_outputs(page)
    page.goto(app_url + "/?week=2026-W46")
    page.wait_for_selector(".sun-hot-item", timeout=30_000)
    page.locator(".sun-lang-switch a[href*='lang=en']").first.click()
    page.wait_for_function("() => document.documentElement.lang === 'en'", timeout=30_000)
    page.wait_for_selector(".sun-page[data-lang='en']", timeout=30_000)
    assert any("_pages_content" in out for out in outputs), outputs
    assert any("shell-nav-brand" in out for out in outputs), outputs


def test_the_briefing_text_comes_with_the_page_and_its_charts_follow(page, app_url):
    """The briefing's drafted text is in the layout; its charts come in the page's one
    callback (so the text is read while they are built and drawn)."""
    outputs = callback_outputs(page)
    page.goto(app_url + "/briefing?week=2026-W46")
    page.wait_for_selector("#briefing-narrative h3, #briefing-narrative p", timeout=30_000)
    page.wait_for_function(READY_JS, timeout=60_000)
    page.wait_for_timeout(500)
    assert len(outputs) == 1 and "briefing-kpi_changes" in outputs[0], outputs
