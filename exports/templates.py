"""The XLSX template of an exchange-format dataset (导入模板): what a county clerk fills in.

Sheet 1 (the data): a title row saying what the file is, the header row in Chinese with
required columns marked *, and one example row. Sheet 2 (说明 / columns): every column's
Chinese and English header, whether it is required, what values it takes, the example.
The import reads the data sheet as any other file (the title row is skipped, '*' ignored).
"""
from __future__ import annotations

import io

from data.intake.datasets import DATASETS, Dataset

KIND_TEXT = {
    "text": ("文本", "text"),
    "code": ("12位区划代码（省/市/县可用6位）", "12-digit division code (6-digit adcode for province, city, county)"),
    "date": ("日期 YYYY-MM-DD", "date YYYY-MM-DD"),
    "datetime": ("日期时间 YYYY-MM-DD HH:MM", "date-time YYYY-MM-DD HH:MM"),
    "period": ("期间 YYYY-MM", "period YYYY-MM"),
    "amount": ("数字（金额单位：元，最多两位小数）", "number (amounts in yuan, at most 2 decimals)"),
    "number": ("数字", "number"),
    "int": ("整数", "whole number"),
    "bool": ("是/否", "yes/no"),
    "choice": ("取值之一", "one of"),
}


def _values(col) -> tuple[str, str]:
    zh, en = KIND_TEXT[col.kind]
    if col.choices:
        zh, en = f"{zh}：{'、'.join(col.choices)}", f"{en}: {', '.join(col.choices)}"
    return zh, en + (f" ({col.note})" if col.note else "")


def template_xlsx(dataset: Dataset) -> bytes:
    """The dataset's template workbook as bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    data = book.active
    data.title = dataset.name
    data.append([f"{dataset.zh}（{dataset.name}）导入模板：第 3 行为示例，请替换；带 * 的列必填"])
    data.append([f"{c.zh}*" if c.required else c.zh for c in dataset.columns])
    data.append([dataset.example.get(c.key, "") for c in dataset.columns])
    for cell in data[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
    for index, col in enumerate(dataset.columns, start=1):
        data.column_dimensions[data.cell(row=2, column=index).column_letter].width = max(12, 2 * len(col.zh) + 4)
    data.freeze_panes = "A3"
    help_sheet = book.create_sheet("说明 columns")
    help_sheet.append(["中文列名", "English header", "必填 required", "取值 values", "values (English)", "示例 example"])
    for col in dataset.columns:
        zh, en = _values(col)
        help_sheet.append([col.zh, col.key, "是 yes" if col.required else "否 no", zh, en,
                           dataset.example.get(col.key, "")])
    help_sheet.append([])
    help_sheet.append([f"唯一标识 key: {dataset.column(dataset.key).zh} ({dataset.key})"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (16, 22, 14, 48, 48, 24)):
        help_sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_names() -> list[str]:
    return list(DATASETS)
