"""The weekly briefing page: preview (text + charts), background files with progress."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_preview_shows_the_drafted_text_and_eight_charts(page, app_url):
    page.goto(f"{app_url}/briefing?region=431023&week=2026-W46")
    narrative = page.locator(".sun-briefing-text")
    expect(narrative.locator('[data-topic="headline"]')).to_contain_text("永兴县", timeout=30_000)
    expect(narrative.locator('[data-topic="headline"]')).to_contain_text(re.compile(r"\d+\.\d%"))
    expect(narrative.locator("[data-topic]")).to_have_count(11)
    page.wait_for_function("() => document.querySelectorAll('[data-chart^=\"briefing-\"] .js-plotly-plot .main-svg').length >= 8",
                           timeout=30_000)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_preview_shows_all_its_text_and_whole_charts(page, app_url, lang):
    """Issue #15: no inner scroll box hides part of the text (in English a whole section
    was cut off), and every chart is drawn whole inside its card."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{app_url}/briefing?region=431023&week=2026-W46&lang={lang}")
    narrative = page.locator(".sun-briefing-text")
    expect(narrative.locator("[data-topic]")).to_have_count(11, timeout=30_000)
    page.wait_for_function("() => document.querySelectorAll('[data-chart^=\"briefing-\"] .js-plotly-plot .main-svg')"
                           ".length >= 8", timeout=30_000)
    box = page.evaluate("""() => { const el = document.querySelector('.sun-briefing-text');
        const style = getComputedStyle(el);
        const cut = [...document.querySelectorAll('[data-chart^="briefing-"] .js-plotly-plot')].filter(g => {
            const svg = g.querySelector('.main-svg'); return svg && svg.getBoundingClientRect().height
                > g.parentElement.getBoundingClientRect().height + 1; }).length;
        return {overflow: style.overflowY, scroll: el.scrollHeight, client: el.clientHeight, cut}; }""")
    assert box["overflow"] not in ("auto", "scroll") and box["scroll"] <= box["client"] + 1, box
    assert box["cut"] == 0, box


def test_generate_shows_progress_then_downloads_pptx_and_pdf(page, app_url, tmp_path):
    page.goto(f"{app_url}/briefing?region=431023&week=2026-W46")
    expect(page.locator('[data-topic="headline"]')).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="生成 PPTX 和 PDF").click()
    status = page.locator(".sun-briefing-status")
    expect(status).to_contain_text("正在生成", timeout=10_000)      # progress while it works
    expect(page.locator(".sun-briefing-progress")).to_be_visible()
    # the job runs in a worker thread: another user's page is served meanwhile
    other = page.context.new_page()
    other.goto(f"{app_url}/?region=431023&week=2026-W45")
    expect(other.locator('[data-key="complaints_received"] .sun-kpi-value')).to_have_text(re.compile(r"\d"),
                                                                                        timeout=30_000)
    other.close()
    expect(status).to_contain_text("已生成", timeout=120_000)
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="下载 PPTX").click()
    pptx = tmp_path / info.value.suggested_filename
    info.value.save_as(pptx)
    assert pptx.suffix == ".pptx" and "2026-W46" in pptx.name
    from pptx import Presentation
    assert len(Presentation(str(pptx)).slides) >= 9
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="下载 PDF").click()
    pdf = tmp_path / info.value.suggested_filename
    info.value.save_as(pdf)
    assert pdf.read_bytes()[:4] == b"%PDF"
