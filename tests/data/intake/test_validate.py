"""Validation of exchange rows: each trap gives the exact line, column and reason; a clean
file gives none; the template's example rows are valid."""
from __future__ import annotations

import pytest

from data.intake.datasets import DATASETS
from data.intake.reader import read_exchange_file
from data.intake.validate import validate

LEDGER = "凭证号,村代码,记账日期,收支类型,会计科目,金额\n"


def _errors(tmp_path, name: str, text: str) -> list[str]:
    path = tmp_path / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    return [str(e) for e in validate(read_exchange_file(path))]


def test_a_clean_file_has_no_errors(tmp_path):
    assert _errors(tmp_path, "village_ledger", LEDGER + "记-1,431023100201,2026/11/5,支出,办公费,12.50\n"
                                              "记-2,431023100201,2026年11月6日,收入,上级补助,1000\n") == []


@pytest.mark.parametrize("row, expected", [
    ("记-1,431023100201,2026-02-30,支出,办公费,1", "第 2 行 记账日期 '2026-02-30' 不是有效日期"),
    ("记-1,431023100201,2026-11-05,支出,办公费,一百", "第 2 行 金额 '一百' 不是有效金额（非负数，最多两位小数）"),
    ("记-1,431023100201,2026-11-05,支出,办公费,-5", "第 2 行 金额 '-5' 不是有效金额（非负数，最多两位小数）"),
    ("记-1,431023100201,2026-11-05,支出,办公费,1.005", "第 2 行 金额 '1.005' 不是有效金额（非负数，最多两位小数）"),
    ("记-1,4310231002,2026-11-05,支出,办公费,1", "第 2 行 村代码 '4310231002' 不是有效的区划代码（应为12位，省/市/县可为6位）"),
    ("记-1,431023100201,2026-11-05,转账,办公费,1", "第 2 行 收支类型 '转账' 不是可选值（收入、支出、income、expense）"),
    (",431023100201,2026-11-05,支出,办公费,1", "第 2 行 凭证号 为必填项，不能为空"),
])
def test_each_trap_names_line_column_and_reason(tmp_path, row, expected):
    assert _errors(tmp_path, "village_ledger", LEDGER + row + "\n") == [expected]


def test_a_rating_of_seven_and_a_case_closed_before_it_was_received(tmp_path):
    services = ("申请编号,办理事项,村代码,申请时间,承诺时限,办结时间,评价\n"
                "BS1,低保申请,431023100201,2026-11-20 14:10,15,2026-11-19 09:00,7\n")
    assert _errors(tmp_path, "service_requests", services) == [
        "第 2 行 办结时间 '2026-11-19 09:00' 早于申请时间（2026-11-20 14:10）",
        "第 2 行 评价 '7' 不是有效整数（应在 1 到 5 之间）"]


def test_a_key_twice_with_different_content_is_an_error_on_both_lines(tmp_path):
    text = (LEDGER + "记-1,431023100201,2026-11-05,支出,办公费,1\n" + "记-2,431023100201,2026-11-05,支出,办公费,1\n"
            + "记-1,431023100201,2026-11-05,支出,办公费,2\n" + "记-2,431023100201,2026-11-05,支出,办公费,1\n")
    assert _errors(tmp_path, "village_ledger", text) == [
        "第 2 行 凭证号 '记-1' 在文件中重复且内容不同", "第 4 行 凭证号 '记-1' 在文件中重复且内容不同"]


def test_every_row_of_a_key_sent_with_different_contents_is_an_error(tmp_path):
    """A row sent twice alike is one row, unless its key also came with other content: then
    no version of it is taken (it is not silently dropped either)."""
    same, other = "记-1,431023100201,2026-11-05,支出,办公费,1\n", "记-1,431023100201,2026-11-05,支出,办公费,2\n"
    for text in (same + same + other, same + other + same):
        assert _errors(tmp_path, "village_ledger", LEDGER + text) == [
            f"第 {n} 行 凭证号 '记-1' 在文件中重复且内容不同" for n in (2, 3, 4)]


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_template_example_is_valid(tmp_path, name):
    dataset = DATASETS[name]
    header = ",".join(c.zh for c in dataset.columns)
    row = ",".join(f'"{dataset.example[c.key]}"' for c in dataset.columns)
    assert _errors(tmp_path, name, f"{header}\n{row}\n") == []
