"""The error report of an import: per file, an XLSX whose first sheet holds the rejected
rows as they were sent (the dataset's Chinese headers, plus a column naming each row's
problems) so the data administrator can fix them and send that very file again, and a
second sheet listing every problem (line, column, value, reason in Chinese and English).
Several files give a ZIP of such workbooks.

Text from the public is written as text cells: a formula stays inert and comes back byte
for byte when the file is imported again.
"""
from __future__ import annotations

import io
import zipfile

import pandas as pd

from data.intake.datasets import DATASETS

PROBLEMS_HEADER = "错误原因 problems"  # not a dataset column: the import ignores it and says so
DETAIL_HEADERS = ("原文件行号 line", "列 column", "值 value", "原因", "reason")


def error_report(rejected: pd.DataFrame) -> tuple[bytes, str]:
    """(file bytes, file name) of the report of `history.rejected_rows(...)` rows."""
    files = [(batch, group) for batch, group in rejected.groupby("batch", sort=True)]
    books = {_book_name(group): _workbook(group) for _, group in files}
    if len(books) == 1:
        name, data = next(iter(books.items()))
        return data, name
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in books.items():
            archive.writestr(name, data)
    return buffer.getvalue(), "导入错误报告.zip"


def _book_name(group: pd.DataFrame) -> str:
    dataset, batch = group["dataset"].iloc[0], int(group["batch"].iloc[0])
    return f"{dataset}_待修正_批次{batch}.xlsx"


def _workbook(group: pd.DataFrame) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    dataset = DATASETS[group["dataset"].iloc[0]]
    book = Workbook()
    rows = book.active
    rows.title = "待修正行"
    headers = [c.zh for c in dataset.columns]
    _append(rows, [*headers, PROBLEMS_HEADER])
    for _line, problems in group.groupby("line", sort=True):
        sent = problems["raw"].iloc[0] or {}
        reasons = "；".join(f"{c} {r}" for c, r in zip(problems["column"], problems["reason"]))
        _append(rows, [sent.get(h, "") for h in headers] + [reasons])
    detail = book.create_sheet("错误明细")
    _append(detail, list(DETAIL_HEADERS))
    for r in group.itertuples(index=False):
        _append(detail, [int(r.line), r.column, r.value, r.reason, r.reason_en])
    for sheet in (rows, detail):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in list(column)[:200])
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width * 1.8))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _append(sheet, values: list) -> None:
    """A row of text cells (a value starting with '=' is text, never a formula)."""
    sheet.append([None] * len(values))
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row, column)
        cell.value = value if value not in (None, "") else None
        if isinstance(value, str) and value:
            cell.data_type = "s"

