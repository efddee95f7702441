"""One file per trap of the issue, each sent through the import service into a database
that holds a county's townships and villages: the file is read right and its row stored
as meant, or the row is refused with the exact line, column and reason, and stored as a
rejected row; a file that cannot be read changes nothing. Runs on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import text

from data.intake.base import prepare_database
from data.intake.history import rejected_rows
from data.intake.service import import_paths
from exports.error_report import error_report
from tests.support.intake import empty_engine
from tests.support.pg import pg_schema

TOWN, VILLAGE, OTHER = "431023100000", "431023100201", "431023100202"
LEDGER_ZH = "凭证号,村代码,记账日期,收支类型,会计科目,金额,对方单位,摘要"
LEDGER_EN = "voucher_no,village_code,booked_on,direction,category,amount,counterparty,summary"
COMPLAINTS = "投诉编号,登记时间,渠道,问题类别,区划代码,办理状态,办理时限,反映内容"
FORMULA = '=HYPERLINK("http://x","点我")'
SCRIPT = '<script>alert("x")</script> 反映村账不公开'


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("traps")
    if request.param == "sqlite":
        engine = empty_engine(f"sqlite:///{folder / 'traps.db'}")
        yield _with_county(engine, folder)
        engine.dispose()
    else:
        with pg_schema("intake_traps") as engine:
            prepare_database(engine)
            yield _with_county(engine, folder)


def _with_county(engine, folder):
    regions = folder / "regions.csv"
    regions.write_text("区划代码,名称,层级,上级代码\n"
                       f"{TOWN},城关镇,乡镇,431023000000\n{VILLAGE},东村,村,{TOWN}\n{OTHER},西村,村,{TOWN}\n",
                       encoding="utf-8")
    [report] = import_paths(engine, [regions], user="test:traps")
    assert (report.loaded, report.rejected) == (3, 0)
    return engine


def _send(engine, path):
    [report] = import_paths(engine, [path], user="test:traps")
    return report


def _ledger(engine, voucher: str):
    with engine.connect() as conn:
        return conn.execute(text("SELECT village_code, entry_date, direction, category, amount, counterparty, "
                                 "summary FROM village_ledger WHERE voucher_no = :v"), {"v": voucher}).one()


def _refused(report) -> list[str]:
    """The messages the data administrator reads: line, column, value and reason."""
    return [str(e) for e in report.errors]


def _stored_rejections(engine, report) -> list[tuple[int, str, str, str]]:
    with engine.connect() as conn:
        frame = rejected_rows(conn, [report.batch])
    return list(zip(frame["line"].astype(int), frame["column"], frame["value"], frame["reason"]))


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_gbk_and_bom_files_are_read_as_the_clerk_wrote_them(engine, tmp_path, encoding):
    voucher = f"记-{encoding}"
    path = tmp_path / "village_ledger_2026-11.csv"
    path.write_bytes(f"{LEDGER_ZH}\n{voucher},{VILLAGE},2026-11-05,支出,公益事业支出,3600.00,某建材店,村道修补\n"
                     .encode(encoding))
    report = _send(engine, path)
    assert (report.loaded, report.rejected) == (1, 0)
    row = _ledger(engine, voucher)
    assert (row.summary, row.counterparty, row.category) == ("村道修补", "某建材店", "public_welfare")


def _xlsx(path, rows, merge_title: str | None = None):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if merge_title:
        sheet.merge_cells(merge_title)
    book.save(path)
    return path


def test_a_title_row_above_a_merged_header_an_excel_date_and_a_code_typed_as_a_number(engine, tmp_path):
    path = _xlsx(tmp_path / "village_ledger_2026-11.xlsx", [
        ["永兴县城关镇 2026 年 11 月村级财务收支明细"],
        LEDGER_ZH.split(","),
        ["记-X1", int(VILLAGE), dt.datetime(2026, 11, 6), "支出", "办公费", 12.5, None, None]], merge_title="A1:H1")
    report = _send(engine, path)
    assert (report.rows, report.loaded, report.rejected) == (1, 1, 0)
    row = _ledger(engine, "记-X1")
    assert (row.village_code, str(row.entry_date)[:10], Decimal(str(row.amount))) == (VILLAGE, "2026-11-06",
                                                                                    Decimal("12.50"))


def test_english_headers(engine, tmp_path):
    path = tmp_path / "village_ledger_2026-11.csv"
    path.write_text(f"{LEDGER_EN}\nEN-1,{VILLAGE},2026-11-07,expense,办公费,8.00,,\n", encoding="utf-8")
    report = _send(engine, path)
    assert (report.loaded, report.rejected) == (1, 0)
    assert _ledger(engine, "EN-1").direction == "expense"


@pytest.mark.parametrize("row, expected", [
    (f"BAD-1,{VILLAGE},2026-02-30,支出,办公费,1", (2, "记账日期", "2026-02-30", "不是有效日期")),
    (f"BAD-2,{VILLAGE},2026-11-05,支出,办公费,一百", (2, "金额", "一百", "不是有效金额（非负数，最多两位小数）")),
    ("BAD-3,431023100299,2026-11-05,支出,办公费,1", (2, "村代码", "431023100299",
                                                 "不存在（区划代码未登记，请先导入行政区划）")),
], ids=["impossible date", "non-numeric amount", "unknown village code"])
def test_a_bad_value_refuses_its_row_with_line_column_and_reason(engine, tmp_path, row, expected):
    path = tmp_path / "village_ledger_2026-11.csv"
    good = f"OK-{expected[1]},{VILLAGE},2026-11-05,支出,办公费,1"
    path.write_text(f"{LEDGER_ZH}\n{row}\n{good}\n", encoding="utf-8")
    report = _send(engine, path)
    line, column, value, reason = expected
    assert (report.loaded, report.rejected) == (1, 1)
    assert _refused(report) == [f"第 {line} 行 {column} '{value}' {reason}"]
    assert _stored_rejections(engine, report) == [expected]
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT COUNT(*) FROM village_ledger WHERE voucher_no = :v"),
                              {"v": row.split(",")[0]}).scalar_one()
    assert stored == 0


def test_a_key_sent_twice_with_different_content_refuses_both(engine, tmp_path):
    path = tmp_path / "village_ledger_2026-11.csv"
    path.write_text(f"{LEDGER_ZH}\nDUP-1,{VILLAGE},2026-11-05,支出,办公费,1\nDUP-1,{VILLAGE},2026-11-05,支出,办公费,2\n",
                    encoding="utf-8")
    report = _send(engine, path)
    assert (report.loaded, report.rejected) == (0, 2)
    reason = "在文件中重复且内容不同"
    assert _stored_rejections(engine, report) == [(2, "凭证号", "DUP-1", reason), (3, "凭证号", "DUP-1", reason)]
    assert _refused(report) == [f"第 {n} 行 凭证号 'DUP-1' {reason}" for n in (2, 3)]


def test_a_missing_required_column_changes_nothing(engine, tmp_path):
    path = tmp_path / "village_ledger_2026-11.csv"
    path.write_text(LEDGER_ZH.replace(",金额", "") + f"\nNOAMT-1,{VILLAGE},2026-11-05,支出,办公费,,\n", encoding="utf-8")
    with engine.connect() as conn:
        before = conn.execute(text("SELECT (SELECT COUNT(*) FROM import_batch), (SELECT COUNT(*) FROM village_ledger)"))\
            .one()
    report = _send(engine, path)
    assert report.unreadable == ("village_ledger_2026-11.csv 第 1 行: 缺少必填列 金额（amount） / required column missing")
    assert report.batch is None
    with engine.connect() as conn:
        after = conn.execute(text("SELECT (SELECT COUNT(*) FROM import_batch), (SELECT COUNT(*) FROM village_ledger)"))\
            .one()
    assert tuple(after) == tuple(before)


def test_formula_and_script_text_are_kept_byte_for_byte_and_stay_inert(engine, tmp_path):
    quoted = FORMULA.replace('"', '""')
    path = tmp_path / "complaints_2026-11.csv"
    path.write_text(f"{COMPLAINTS}\n"
                    f'TRAP-F,2026-11-20 09:00,微信,村务公开,{VILLAGE},已受理,10,"{quoted}"\n'
                    f'TRAP-S,2026-11-21 09:00,随手拍,低保评定,{VILLAGE},已受理,10,"{SCRIPT.replace(chr(34), chr(34) * 2)}"\n'
                    f'TRAP-R,2026-11-22 09:00,微信,村务公开,{VILLAGE},已受理,0,"{quoted}"\n', encoding="utf-8")
    report = _send(engine, path)
    assert (report.loaded, report.rejected) == (2, 1)
    assert _refused(report) == ["第 4 行 办理时限 '0' 不是有效整数（应在 1 到 365 之间）"]
    with engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT case_no, content FROM complaint WHERE case_no LIKE 'TRAP-%'")).all())
        rejected = rejected_rows(conn, [report.batch])
    assert stored == {"TRAP-F": FORMULA, "TRAP-S": SCRIPT}
    # the refused row comes back in the error report as text, not as a formula Excel would run
    data, _name = error_report(rejected)
    report_path = tmp_path / "report.xlsx"
    report_path.write_bytes(data)
    sheet = load_workbook(report_path).worksheets[0]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(2, header.index("反映内容") + 1)
    assert (cell.value, cell.data_type) == (FORMULA, "s")
