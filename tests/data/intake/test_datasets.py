"""The exchange format's datasets as declared: the format's columns and keys, file names to
datasets, and the header row found below title rows, in Chinese or English."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from data.intake.datasets import DATASETS, LOAD_ORDER, dataset_of_filename, find_header

FORMAT = Path(__file__).resolve().parents[4] / "shared" / "EXCHANGE_FORMAT.md"


def _format_table() -> dict[str, tuple[list[tuple[str, str, bool]], str]]:
    """dataset -> ([(中文, english, required)], key) parsed from the format's table."""
    rows = {}
    for line in FORMAT.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] not in DATASETS:
            continue
        text = re.sub(r"\([^)]*\)", "", cells[1])
        columns = [(m[0], m[1], bool(m[2])) for m in re.findall(r"(\S+) ([a-z_]+)(\*?)", text)]
        rows[cells[0]] = (columns, cells[2])
    return rows


@pytest.mark.skipif(not FORMAT.exists(), reason=f"the exchange format is not at {FORMAT}")
def test_the_declaration_is_the_format():
    table = _format_table()
    assert set(table) == set(DATASETS) == set(LOAD_ORDER)
    for name, (columns, key) in table.items():
        declared = DATASETS[name]
        assert [(c.zh, c.key, c.required) for c in declared.columns if not c.extension] == columns, name
        assert declared.key == key and declared.column(key).required


def test_every_dataset_has_a_full_example_and_loads_after_what_it_refers_to():
    for name, dataset in DATASETS.items():
        assert set(dataset.example) == {c.key for c in dataset.columns}, name
        assert all(dataset.example[c.key] for c in dataset.required), name
    assert LOAD_ORDER.index("regions") == 0
    assert LOAD_ORDER.index("fund_programs") < LOAD_ORDER.index("fund_allocations") < LOAD_ORDER.index("fund_payments")
    assert LOAD_ORDER.index("persons") < LOAD_ORDER.index("fund_payments")


@pytest.mark.parametrize("filename, dataset", [
    ("complaints.csv", "complaints"), ("complaints_2026-11.xlsx", "complaints"),
    ("fund_payments-双峰县.csv", "fund_payments"), ("village_ledger2026-10.csv", "village_ledger"),
    ("exports/Regions.XLSX", "regions"), ("fund_programs_永兴.xlsx", "fund_programs"),
    ("report.csv", None), ("complaintsX.csv", None)])
def test_the_file_name_names_the_dataset(filename, dataset):
    assert dataset_of_filename(filename) == dataset


def test_the_header_is_found_below_title_rows_in_chinese_or_english():
    ledger = DATASETS["village_ledger"]
    rows = [["2026年11月 永兴县村级财务收支明细", None, None], [None, None, None],
            ["凭证号*", "村代码", "记账 日期", "收支类型", "会计科目", "金额", "备注"],
            ["记-1", "431023100201", "2026-11-05", "支出", "公益事业支出", "12.5", "x"]]
    header = find_header(ledger, rows)
    assert header is not None and header.line == 3
    assert [c.key for c in header.columns.values()] == ["voucher_no", "village_code", "booked_on", "direction",
                                                        "category", "amount"]
    assert header.unknown == ("备注",) and header.missing == ()
    english = find_header(ledger, [["Voucher_No", "village_code", "BOOKED_ON", "direction", "category"]])
    assert english is not None and english.line == 1 and [c.key for c in english.missing] == ["amount"]
    assert find_header(ledger, [["标题"], ["凭证号"]]) is None  # one of six required columns is no header
