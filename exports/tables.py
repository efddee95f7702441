"""Record tables as the user sees them, and as CSV / XLSX files.

`display_frame` turns a source's raw page (data.records) into the rows the grid shows:
headers stay field names, codes become labels in the user's language, dates ISO text,
money and numbers floats. Exports use the same function, so an exported file holds
exactly the grid's rows. Every text cell that a spreadsheet would read as a formula
(starting with = + - @, or a tab / carriage return) is neutralised with a leading
apostrophe (CSV/formula injection, OWASP).
"""
from __future__ import annotations

import datetime as dt
import io
import math
from decimal import Decimal

import pandas as pd

from i18n import catalog, normalize_lang, t

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text value that a spreadsheet would evaluate gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def code_label(value, prefix: str | None, lang: str) -> str | None:
    """The label of a coded value (`prefix.value`, then `records.prefix.value`), else the value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value)
    if prefix:
        cat = catalog(normalize_lang(lang))
        for key in (f"{prefix}.{text}", f"records.{prefix}.{text}"):
            if key in cat:
                return cat[key]
    return text


def _cell(value, kind: str, codes: str | None, lang: str):
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if kind == "code":
        return code_label(value, codes, lang)
    if kind in ("money", "number"):
        if isinstance(value, (int,)) and not isinstance(value, bool):
            return value if kind == "number" else float(value)
        try:
            return float(value) if isinstance(value, (Decimal, float, str)) else value
        except ValueError:
            return None
    if kind == "datetime":
        if isinstance(value, str):
            return value[:16]
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")
    if kind == "date":
        if isinstance(value, str):
            return value[:10]
        if isinstance(value, (dt.date, pd.Timestamp)):
            return value.strftime("%Y-%m-%d")
        return str(value)
    return str(value)


def display_frame(source, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The rows as the grid shows them (see the module docstring); columns = fields."""
    out = {}
    for col in source.columns:
        values = frame[col.field].tolist() if col.field in frame else [None] * len(frame)
        out[col.field] = [_cell(v, col.kind, col.codes, lang) for v in values]
    return pd.DataFrame(out, columns=list(source.fields))


def headed(source, shown: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Columns renamed to the translated headers, every text cell neutralised."""
    renamed = shown.rename(columns={c.field: t(c.label_key, lang) for c in source.columns})
    return renamed.apply(lambda col: col.map(neutralise))


def frame_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM (so Excel opens Chinese text correctly); cells neutralised."""
    safe = frame.rename(columns=lambda c: neutralise(str(c))).apply(lambda col: col.map(neutralise))
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def frame_to_xlsx_bytes(frame: pd.DataFrame, *, sheet: str = "records") -> bytes:
    """An .xlsx workbook (openpyxl) of the frame; cells neutralised, header bold, frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append([neutralise(str(c)) for c in frame.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        ws.append([_xlsx_value(v) for v in row])
    ws.freeze_panes = "A2"
    for i, col in enumerate(frame.columns, 1):
        width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200) if v is not None])
        ws.column_dimensions[ws.cell(1, i).column_letter].width = min(60, max(8, width * 1.6))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _xlsx_value(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return neutralise(value)
    return value
