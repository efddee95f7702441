"""The clues page in headless chromium on the county demo: it renders in zh and en, a row
opens the card with both sides of the evidence (audited), the commission moves a clue with a
reason, and a reader without the right gets no form and a refused move."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from data.rollups import rebuild_for_townships

pytestmark = pytest.mark.browser
ROWS = '[data-records="clues-list"] .ag-center-cols-container .ag-row'


def open_page(page, app_url: str, query: str = "?region=431023"):
    page.goto(f"{app_url}/clues{query}")
    page.wait_for_selector('#clues-tiles [data-key="clues"]', timeout=30_000)


@pytest.mark.parametrize(("lang", "title", "funnel"), [("zh-CN", "问题线索处置", "线索处置漏斗"),
                                                      ("en", "Problem clues", "Clue workflow funnel")])
def test_the_page_renders_in_both_languages(page, app_url, demo_engine, lang, title, funnel):
    with demo_engine.connect() as conn:
        total = conn.execute(text("SELECT COUNT(*) FROM clue")).scalar_one()
    open_page(page, app_url, f"?region=431023&lang={lang}")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator('#clues-tiles [data-key="clues"]')).to_have_attribute("data-value", str(total))
    expect(page.get_by_text(funnel)).to_be_visible()
    expect(page.locator('[data-chart="clues-funnel"] .js-plotly-plot')).to_have_count(1)
    assert page.locator("#clues-rules tbody tr").count() >= 11
    expect(page.locator(ROWS).first).to_be_visible(timeout=20_000)


def test_a_row_opens_the_card_with_both_sides_of_the_evidence(page, app_url, demo_engine):
    with demo_engine.connect() as conn:
        clue_id = conn.execute(text("SELECT id FROM clue WHERE rule = 'deceased_payment' ORDER BY id LIMIT 1")).scalar()
        before = conn.execute(text("SELECT COUNT(*) FROM audit_log WHERE action = 'clue_view'")).scalar_one()
    open_page(page, app_url, "?region=431023&rule=deceased_payment")
    page.locator(f'{ROWS} .ag-cell[col-id="id"]').filter(has_text=re.compile(rf"^{clue_id}$")).first.click()
    card = page.locator(f'[data-clue="{clue_id}"]')
    expect(card).to_be_visible(timeout=20_000)
    expect(card.locator('[data-side="money"] [data-evidence="payments"] tbody tr').first).to_be_visible()
    expect(card.locator('[data-side="registry"] [data-evidence="persons"] tbody tr')).to_have_count(1)
    expect(card.locator('[data-finding="deceased_payment"]')).to_contain_text("向已登记死亡人员发放民生资金")
    expect(card.locator('[data-evidence="history"] tbody tr').first).to_be_visible()
    with demo_engine.connect() as conn:
        after = conn.execute(text("SELECT COUNT(*) FROM audit_log WHERE action = 'clue_view'")).scalar_one()
    assert after == before + 1


def test_the_commission_moves_a_clue_with_a_reason(page, app_url, demo_engine):
    with demo_engine.connect() as conn:
        clue_id, region = conn.execute(text("SELECT id, region_code FROM clue WHERE status = 'verifying' "
                                            "ORDER BY id LIMIT 1")).one()
        events = conn.execute(text("SELECT MAX(id) FROM clue_event")).scalar_one()
    try:
        open_page(page, app_url, f"?region=431023&clue={clue_id}")
        card = page.locator(f'[data-clue="{clue_id}"]')
        expect(card.locator('[data-move="form"]')).to_be_visible(timeout=20_000)
        page.locator("#clues-move-reason").fill("初核完成，问题属实（浏览器测试）")
        page.locator("#clues-move-submit").click()
        expect(page.locator("#clues-move-result")).to_contain_text("已核实", timeout=20_000)
        expect(card.locator('[data-status="verified"]')).to_be_visible(timeout=20_000)
        expect(card.locator('[data-evidence="history"]')).to_contain_text("浏览器测试")
        with demo_engine.connect() as conn:
            status, actor = conn.execute(text("SELECT c.status, e.actor FROM clue c JOIN clue_event e ON e.clue_id = c.id "
                                              "WHERE c.id = :i ORDER BY e.id DESC LIMIT 1"), {"i": clue_id}).one()
        assert status == "verified" and actor == "b_commission"
    finally:  # the session's demo database is shared: put the clue back as it was
        with demo_engine.begin() as conn:
            conn.execute(text("DELETE FROM clue_event WHERE clue_id = :i AND id > :e"), {"i": clue_id, "e": events})
            conn.execute(text("UPDATE clue SET status = 'verifying', verified_on = NULL WHERE id = :i"), {"i": clue_id})
            rebuild_for_townships(conn, {region[:9] + "000"}, tables={"clue"})


@pytest.mark.role("clue_reader")
def test_a_reader_sees_the_card_but_may_not_move_it(page, app_url, demo_engine):
    with demo_engine.connect() as conn:
        clue_id = conn.execute(text("SELECT id FROM clue WHERE status = 'verifying' ORDER BY id LIMIT 1")).scalar()
    open_page(page, app_url, f"?region=431023&clue={clue_id}")
    card = page.locator(f'[data-clue="{clue_id}"]')
    expect(card.locator('[data-move="denied"]')).to_be_visible(timeout=20_000)
    expect(page.locator("#clues-move-submit")).to_have_count(0)
    forged = {"output": "..clues-move-result.children...clues-moved.data..",
              "outputs": [{"id": "clues-move-result", "property": "children"}, {"id": "clues-moved", "property": "data"}],
              "inputs": [{"id": "clues-move-submit", "property": "n_clicks", "value": 1}],
              "state": [{"id": "clues-open", "property": "data", "value": clue_id},
                        {"id": "clues-move-to", "property": "value", "value": "verified"},
                        {"id": "clues-move-handler", "property": "value", "value": None},
                        {"id": "clues-move-dismiss", "property": "value", "value": None},
                        {"id": "clues-move-reason", "property": "value", "value": "forged"},
                        {"id": "clues-resolved", "property": "data", "value": {"lang": "zh-CN"}}],
              "changedPropIds": ["clues-move-submit.n_clicks"]}
    # the browser's own session (cookies), outside the page: the server refuses, whatever the form showed
    status = page.request.post(f"{app_url}/_dash-update-component", data=forged,
                               headers={"Origin": app_url}).status
    allowed = {"output": "clues-tiles.children", "outputs": {"id": "clues-tiles", "property": "children"},
               "inputs": [{"id": "clues-resolved", "property": "data", "value": None},
                          {"id": "clues-moved", "property": "data", "value": None}],
               "changedPropIds": ["clues-moved.data"]}
    reading = page.request.post(f"{app_url}/_dash-update-component", data=allowed, headers={"Origin": app_url}).status
    assert status == 403 and reading in (200, 204)  # the same session may read: the move's right is what fails
    with demo_engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM clue WHERE id = :i"), {"i": clue_id}).scalar() == "verifying"


def test_a_warning_gets_feedback_and_is_closed_through_its_card(page, app_url, demo_engine):
    with demo_engine.connect() as conn:
        wid, region = conn.execute(text(
            "SELECT id, region_code FROM warning WHERE closed_on IS NULL AND verified_on IS NULL "
            "AND task_issued_on IS NOT NULL ORDER BY raised_on DESC, id DESC LIMIT 1")).one()
        events = conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM warning_event")).scalar_one()
    try:
        open_page(page, app_url, "?region=431023")
        rows = page.locator('[data-records="warnings-list"] .ag-center-cols-container .ag-row')
        rows.locator('.ag-cell[col-id="id"]').filter(has_text=re.compile(rf"^{wid}$")).first.click()
        card = page.locator(f'[data-warning="{wid}"]')
        expect(card.locator('[data-state="tasked"]')).to_be_visible(timeout=20_000)
        page.locator("#warnings-note").fill("已核实并整改（浏览器测试）")
        page.locator("#warnings-submit").click()
        expect(card.locator('[data-state="feedback"]')).to_be_visible(timeout=20_000)
        page.locator("#warnings-note").fill("同意销号（浏览器测试）")
        page.locator("#warnings-submit").click()
        expect(card.locator('[data-state="closed"]')).to_be_visible(timeout=20_000)
        expect(card.locator('[data-evidence="warning-history"]')).to_contain_text("同意销号（浏览器测试）")
        with demo_engine.connect() as conn:
            closed = conn.execute(text("SELECT closed_on IS NOT NULL FROM warning WHERE id = :i"), {"i": wid}).scalar()
        assert closed
    finally:  # the shared demo database: the warning back as it was
        with demo_engine.begin() as conn:
            conn.execute(text("DELETE FROM warning_event WHERE warning_id = :i AND id > :e"), {"i": wid, "e": events})
            conn.execute(text("UPDATE warning SET verified_on = NULL, closed_on = NULL, feedback = '' WHERE id = :i"),
                         {"i": wid})
            rebuild_for_townships(conn, {region[:9] + "000"}, tables={"warning"})
