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
from collections.abc import Iterator
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


def _encoding_of(path: Path) -> str:
    """The first of ENCODINGS the whole file decodes in (read block by block)."""
    import codecs
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnreadableFile(f"{path.name}: 无法识别文件编码（应为 UTF-8 或 GBK） / cannot decode: not UTF-8 or GBK")


def _csv_head(path: Path, encoding: str, lines: int = 20) -> list[list[str]]:
    """The first `lines` rows of a CSV (where the header is looked for)."""
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        return [row for _, row in zip(range(lines), reader)]


def _xlsx_book(path: Path):
    from openpyxl import load_workbook
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a file that is no workbook
        raise UnreadableFile(f"{path.name}: 不是有效的 Excel 文件 / not a readable XLSX file ({exc.__class__.__name__})") from exc


def _xlsx_head(path: Path, lines: int = 20) -> list[list]:
    book = _xlsx_book(path)
    try:
        return [list(row) for _, row in zip(range(lines), book.worksheets[0].iter_rows(values_only=True))]
    finally:
        book.close()


@dataclass
class ExchangeFile:
    """An exchange file whose dataset and header are known; its rows come in chunks."""
    path: Path
    dataset: Dataset
    header: Header
    encoding: str = ""                            # CSV only
    unknown: tuple[str, ...] = field(default=())  # headers ignored

    def chunks(self, size: int = 250_000) -> Iterator[pd.DataFrame]:
        """Text frames of at most `size` rows below the header (dataset column keys + LINE)."""
        if self.path.suffix.lower() == ".csv":
            yield from self._csv_chunks(size)
        else:
            yield from self._xlsx_chunks(size)

    def _csv_chunks(self, size: int) -> Iterator[pd.DataFrame]:
        positions = sorted(self.header.columns)
        # room for rows longer than the header (their extra cells are ignored, as unknown columns)
        width = max(positions) + 64
        reader = pd.read_csv(self.path, encoding=self.encoding, header=None, skiprows=self.header.line,
                             names=list(range(width)), dtype=object, keep_default_na=False,
                             na_filter=False, skip_blank_lines=False, chunksize=size, engine="c")
        first = self.header.line + 1
        with reader:
            for part in reader:
                part = part[positions]
                part.index = pd.RangeIndex(first, first + len(part))
                first += len(part)
                yield _body_frame(part, self.header, typed=False)

    def _xlsx_chunks(self, size: int) -> Iterator[pd.DataFrame]:
        book = _xlsx_book(self.path)
        try:
            rows, first = [], self.header.line + 1
            for row in book.worksheets[0].iter_rows(min_row=self.header.line + 1, values_only=True):
                rows.append(list(row))
                if len(rows) == size:
                    yield _body(rows, self.header, first)
                    first, rows = first + len(rows), []
            if rows or first == self.header.line + 1:
                yield _body(rows, self.header, first)
        finally:
            book.close()


def open_exchange_file(path: str | Path, dataset: str | None = None) -> ExchangeFile:
    """The file's dataset, encoding and header, or UnreadableFile saying why nothing of it
    can be read (no dataset, not CSV/XLSX, not decodable, no header, a required column missing)."""
    path = Path(path)
    name = dataset or dataset_of_filename(path.name)
    if name not in DATASETS:
        raise UnreadableFile(f"{path.name}: 无法从文件名判断数据集，请用 --dataset 指定 / "
                             f"the file name names no dataset; give --dataset ({', '.join(DATASETS)})")
    spec = DATASETS[name]
    suffix = path.suffix.lower()
    encoding = ""
    if suffix == ".csv":
        encoding = _encoding_of(path)
        head = _csv_head(path, encoding)
    elif suffix in (".xlsx", ".xlsm"):
        head = _xlsx_head(path)
    else:
        raise UnreadableFile(f"{path.name}: 只接受 CSV 或 XLSX 文件 / only CSV or XLSX files are read")
    # a row naming half the required columns is the header; failing that, one naming any
    # of them is a header with columns missing (said as such, not as "no header")
    header = find_header(spec, head) or find_header(spec, head, least=1)
    if header is None:
        raise UnreadableFile(f"{path.name}: 前 20 行中找不到表头（{spec.zh}的列名） / no header row of {name} "
                             "in the first 20 lines")
    if header.missing:
        names = "、".join(f"{c.zh}（{c.key}）" for c in header.missing)
        raise UnreadableFile(f"{path.name} 第 {header.line} 行: 缺少必填列 {names} / required column missing")
    shown = "utf-8" if encoding == "utf-8-sig" else encoding
    return ExchangeFile(path, spec, header, shown if suffix == ".csv" else "", header.unknown)


def read_exchange_file(path: str | Path, dataset: str | None = None) -> ReadFile:
    """The whole file's rows under the dataset's column keys, or UnreadableFile saying why."""
    opened = open_exchange_file(path, dataset)
    frame = pd.concat(list(opened.chunks()), ignore_index=True)
    return ReadFile(opened.path, opened.dataset, opened.header, frame, opened.encoding, opened.unknown)


def _body(rows: list[list], header, first_line: int) -> pd.DataFrame:
    """XLSX rows (cells may be numbers or dates) below the header as text columns."""
    width = max(header.columns, default=0) + 1
    rows = [row if len(row) >= width else list(row) + [""] * (width - len(row)) for row in rows]
    grid = pd.DataFrame([row[:width] for row in rows], dtype=object) if rows else pd.DataFrame()
    grid.index = pd.RangeIndex(first_line, first_line + len(grid))
    return _body_frame(grid, header, typed=True)


def _body_frame(grid: pd.DataFrame, header, *, typed: bool) -> pd.DataFrame:
    """Cells by position -> the dataset's text columns and LINE (the grid's index is the
    line number); blank lines (often at the end of an export) are no rows."""
    columns = {}
    for position, col in header.columns.items():
        values = grid[position] if position in grid else pd.Series("", index=grid.index, dtype=object)
        values = values.astype(object)
        # CSV text stays as sent (stray spaces are stripped where a value is parsed, once per
        # distinct value: a per-cell strip of a city's ledger costs half a minute)
        columns[col.key] = values.map(_cell_text) if typed else values.fillna("")
    frame = pd.DataFrame(columns, index=grid.index)
    frame[LINE] = grid.index.to_numpy(dtype=int)
    if frame.empty:
        return frame.reset_index(drop=True).astype({LINE: int})
    blank = (frame.drop(columns=LINE) == "").all(axis=1)
    return frame[~blank].reset_index(drop=True)
