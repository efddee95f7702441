"""Reading exchange files: the traps a county clerk's export sets (GBK, BOM, a title row
above a merged header, English headers, Excel date cells, codes typed as numbers, a
missing required column), each read right or refused with what and where."""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from data.intake.reader import LINE, UnreadableFile, read_exchange_file

HEADER_ZH = "凭证号,村代码,记账日期,收支类型,会计科目,金额,对方单位,摘要"
ROW = "记-1,431023100201,2026-11-05,支出,公益事业支出,3600.00,某建材店,\"修补, 村道\""


@pytest.mark.parametrize("encoding, expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("gbk", "gb18030"),
                                                ("gb18030", "gb18030")])
def test_csv_in_any_encoding_a_county_sends(tmp_path, encoding, expected):
    path = tmp_path / "village_ledger_2026-11.csv"
    path.write_bytes(f"{HEADER_ZH}\n{ROW}\n\n".encode(encoding))
    read = read_exchange_file(path)
    assert read.dataset.name == "village_ledger" and read.encoding == expected
    assert read.frame.to_dict("records") == [{
        "voucher_no": "记-1", "village_code": "431023100201", "booked_on": "2026-11-05", "direction": "支出",
        "category": "公益事业支出", "amount": "3600.00", "counterparty": "某建材店", "summary": "修补, 村道",
        LINE: 2}]


def test_xlsx_with_a_merged_title_english_headers_dates_and_numeric_codes(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["永兴县 2026 年 11 月村级财务"])
    sheet.merge_cells("A1:F1")
    sheet.append(["voucher_no", "VILLAGE_CODE", "booked_on", "direction", "category", "amount", "remark"])
    sheet.append(["记-7", 431023100201, dt.datetime(2026, 11, 5), "expense", "办公费", 12.5, "x"])
    sheet.append([None] * 7)
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    read = read_exchange_file(path, dataset="village_ledger")
    assert read.header.line == 2 and read.unknown == ("remark",)
    row = read.frame.iloc[0].to_dict()
    assert (row["village_code"], row["booked_on"], row["amount"], row[LINE]) == ("431023100201", "2026-11-05", "12.5", 3)
    assert len(read.frame) == 1


def test_a_missing_required_column_refuses_the_whole_file(tmp_path):
    path = tmp_path / "village_ledger.csv"
    path.write_text(HEADER_ZH.replace(",金额", "") + "\n" + ROW + "\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match=r"第 1 行: 缺少必填列 金额（amount）"):
        read_exchange_file(path)


@pytest.mark.parametrize("name, body, message", [
    ("notes.csv", b"a,b\n", "give --dataset"),
    ("village_ledger.txt", b"x", "only CSV or XLSX"),
    ("village_ledger.xlsx", b"not a zip", "not a readable XLSX"),
    ("village_ledger.csv", b"\xff\xfe\x00\x81\x30\x81\x30\xff", "cannot decode"),
    ("village_ledger.csv", "标题\n说明\n".encode(), "no header row"),
])
def test_unreadable_files_say_why(tmp_path, name, body, message):
    path = tmp_path / name
    path.write_bytes(body)
    with pytest.raises(UnreadableFile, match=message):
        read_exchange_file(path)
