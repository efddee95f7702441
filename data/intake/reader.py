"""Read one exchange file (CSV or XLSX) into the dataset's columns, as text, with the
file's own line numbers; or say, for the whole file, why it cannot be read.

- CSV: UTF-8 (with or without BOM), else GB18030 (a superset of GBK), detected by trying
  to decode, never asked; Excel's quoting.
- XLSX: the first sheet; title rows above the header are skipped (datasets.find_header);
  Excel date cells become `YYYY-MM-DD` (or with ` HH:MM:SS` when they carry a time);
  numbers that are whole become their digits (a code typed as a number keeps its digits).
- Every value stays text here: the validation that follows says what is wrong with which
  line, column and value, in the users' words.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data.intake.datasets import DATASETS, Dataset, Header, dataset_of_filename, find_header

ENCODINGS = ("utf-8-sig", "gb18030")
LINE = "_line"  # the column of the file's own line number


class UnreadableFile(ValueError):
    """A file that loads nothing: not CSV/XLSX, not decodable, no header, a required column missing."""


@dataclass
class ReadFile:
    path: Path
    dataset: Dataset
    header: Header
    frame: pd.DataFrame                      # one column per found dataset column + LINE, all text
    encoding: str = ""                        # CSV only
    unknown: tuple[str, ...] = field(default=())  # headers ignored


def _cell_text(value) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(path: Path) -> tuple[list[list[str]], str]:
    raw = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return list(csv.reader(io.StringIO(text, newline=""))), ("utf-8" if encoding == "utf-8-sig" else encoding)
    raise UnreadableFile(f"{path.name}: 无法识别文件编码（应为 UTF-8 或 GBK） / cannot decode: not UTF-8 or GBK")


def _xlsx_rows(path: Path) -> list[list]:
    from openpyxl import load_workbook
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is no workbook
        raise UnreadableFile(f"{path.name}: 不是有效的 Excel 文件 / not a readable XLSX file ({exc.__class__.__name__})") from exc
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def read_exchange_file(path: str | Path, dataset: str | None = None) -> ReadFile:
    """The file's rows under the dataset's column keys, or UnreadableFile saying why."""
    path = Path(path)
    name = dataset or dataset_of_filename(path.name)
    if name not in DATASETS:
        raise UnreadableFile(f"{path.name}: 无法从文件名判断数据集，请用 --dataset 指定 / "
                             f"the file name names no dataset; give --dataset ({', '.join(DATASETS)})")
    spec = DATASETS[name]
    suffix = path.suffix.lower()
    encoding = ""
    if suffix == ".csv":
        rows, encoding = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        raise UnreadableFile(f"{path.name}: 只接受 CSV 或 XLSX 文件 / only CSV or XLSX files are read")
    # a row naming half the required columns is the header; failing that, one naming any
    # of them is a header with columns missing (said as such, not as "no header")
    header = find_header(spec, rows) or find_header(spec, rows, least=1)
    if header is None:
        raise UnreadableFile(f"{path.name}: 前 20 行中找不到表头（{spec.zh}的列名） / no header row of {name} "
                             "in the first 20 lines")
    if header.missing:
        names = "、".join(f"{c.zh}（{c.key}）" for c in header.missing)
        raise UnreadableFile(f"{path.name} 第 {header.line} 行: 缺少必填列 {names} / required column missing")
    frame = _body(rows[header.line:], header, typed=suffix != ".csv")
    return ReadFile(path, spec, header, frame, encoding, header.unknown)


def _body(rows: list[list], header, *, typed: bool) -> pd.DataFrame:
    """The rows below the header as text columns (column-wise: a city's two million
    ledger lines), with the file's line numbers; blank lines (often at the end of an
    export) are no rows. `typed`: cells may be numbers or dates (XLSX)."""
    width = max(header.columns, default=0) + 1
    rows = [row if len(row) >= width else list(row) + [""] * (width - len(row)) for row in rows]
    grid = pd.DataFrame([row[:width] for row in rows], dtype=object) if rows else pd.DataFrame()
    columns = {}
    for position, col in header.columns.items():
        values = grid[position] if position in grid else pd.Series("", index=grid.index, dtype=object)
        values = values.astype(object)
        values = values.map(_cell_text) if typed else values.fillna("").astype(str).str.strip()
        columns[col.key] = values.fillna("").astype(object)
    frame = pd.DataFrame(columns, index=grid.index)
    frame[LINE] = grid.index.to_numpy(dtype=int) + header.line + 1
    if frame.empty:
        return frame.astype({LINE: int})
    blank = (frame.drop(columns=LINE) == "").all(axis=1)
    return frame[~blank].reset_index(drop=True)
