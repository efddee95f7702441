"""/data in Chromium, as the data administrator: a file uploaded is imported in the
background, the summary and the rejected rows (line, column, reason) appear, the error
report downloads with the rows as sent, and the history lists the batch. The file holds
only a row already stored and bad rows, so the shared demo data stays as it was."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from data.intake.export import export_exchange
from data.model.db import make_engine


@pytest.fixture()
def complaints_file(app_db_url, tmp_path):
    engine = make_engine(app_db_url)
    folder = tmp_path / "exchange"
    with engine.connect() as conn:
        export_exchange(conn, folder, datasets=("complaints",))
        village = conn.execute(text("SELECT code FROM region WHERE level = 'village' ORDER BY code")).scalar()
    engine.dispose()
    with (folder / "complaints.csv").open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header, stored = next(reader), next(reader)
    bad_date = [*stored]
    bad_date[0], bad_date[1] = "TSBAD0001", "2026-02-30 09:00"
    unknown = [*stored]
    unknown[0], unknown[header.index("区划代码")] = "TSBAD0002", village[:9] + "999"
    out = io.StringIO()
    csv.writer(out).writerows([header, stored, bad_date, unknown])
    path = tmp_path / "complaints_2026-11.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.mark.role("data_admin")
def test_an_upload_imports_and_shows_what_was_rejected(page, app_url, complaints_file, tmp_path):
    page.goto(f"{app_url}/data")
    page.wait_for_selector("#data-upload")
    page.set_input_files("#data-upload input[type=file]", str(complaints_file))
    page.wait_for_function("() => (document.querySelector('#data-status')?.textContent || '').includes('导入完成')",
                           timeout=60_000)
    status = page.inner_text("#data-status")
    assert "未变 1 行" in status and "拒收 2 行" in status
    summary = page.inner_text("#data-summary")
    assert "complaints_2026-11.csv" in summary and "投诉举报" in summary
    page.wait_for_function("() => document.querySelectorAll('#data-rejected .ag-center-cols-container .ag-row')"
                           ".length === 2")
    grid = page.inner_text("#data-rejected")
    assert "登记时间" in grid and "不是有效的日期时间" in grid and "不存在" in grid
    with page.expect_download() as download:
        page.click("#data-report")
    saved = tmp_path / "report.xlsx"
    download.value.save_as(saved)
    book = load_workbook(saved)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "投诉编号" and [r[0] for r in rows[1:]] == ["TSBAD0001", "TSBAD0002"]
    assert "登记时间" in rows[1][-1] and book.worksheets[1].title == "错误明细"
    page.wait_for_function("() => (document.querySelector('#data-history')?.textContent || '')"
                           ".includes('complaints_2026-11.csv')")


def _reporting_says(page, words: str) -> None:
    page.wait_for_function(f"() => (document.querySelector('#data-reporting')?.textContent || '').includes('{words}')",
                           timeout=30_000)


@pytest.mark.role("data_admin")
def test_reporting_covers_the_ledger_and_the_disclosures_by_their_own_dates(page, app_url):
    page.goto(f"{app_url}/data")
    _reporting_says(page, "村级财务按月报送")
    ledger = page.inner_text("#data-reporting")
    assert "排名" in ledger and "演示数据一次性生成" in ledger  # a demo load is no arrival
    page.click("#data-reporting-dataset label:has-text('三务公开')")
    _reporting_says(page, "公开期限")
    disclosures = page.inner_text("#data-reporting")
    # a disclosure carries its own dates: timeliness is known, no demo note
    assert "按时率" in disclosures and "演示数据一次性生成" not in disclosures
    assert page.inner_text("#data-reporting-month") != ""
