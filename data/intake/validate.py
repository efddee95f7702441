"""Validate a read exchange file (reader.ReadFile) against its dataset: one pandera schema
per dataset, built from the declaration (datasets.py), checking every value form of the
format; then the checks across a row (times that go backwards) and across the file (a key
twice with different content). Every problem is a RowError with the file's line, the
column's Chinese header, the value and the reason in the users' words, in Chinese and
English: "第 23 行 记账日期 '2026-02-30' 不是有效日期".

References to the database (codes and programmes that exist) are checked by the loader,
which knows what is stored and what came earlier in the same import.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd
import pandera.pandas as pa

from data.intake.datasets import TIME_ORDER, Column, Dataset
from data.intake.reader import LINE, ReadFile

YES = ("是", "yes", "true", "1", "y")
NO = ("否", "no", "false", "0", "n")
_DATE = re.compile(r"^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?$")
_DATETIME = re.compile(r"^(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_PERIOD = re.compile(r"^(\d{4})[-/年](\d{1,2})月?$")
# quarters, which disclosures are due by (村务 quarterly): 2026-Q3, 2026年第3季度
_QUARTER = re.compile(r"^(\d{4})(?:-?[Qq]|年第)([1-4一二三四])(?:季度)?$")
_QUARTER_DIGIT = {"一": "1", "二": "2", "三": "3", "四": "4"}
_CODE12 = re.compile(r"^\d{12}$")
_CODE6 = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str       # the Chinese header
    value: str
    reason: str       # Chinese
    reason_en: str

    def __str__(self) -> str:
        shown = f" '{self.value}'" if self.value else ""
        return f"第 {self.line} 行 {self.column}{shown} {self.reason}"


# ---------------------------------------------------------------- value forms -> parsed

def parse_date(text: str) -> dt.date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:  # 2026-02-30
        return None


def parse_datetime(text: str) -> dt.datetime | None:
    text = text.strip()
    match = _DATETIME.match(text)
    if not match:
        date = parse_date(text)  # a date alone is midnight
        return dt.datetime.combine(date, dt.time()) if date else None
    year, month, day, hour, minute, second = match.groups()
    try:
        return dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:
        return None


def parse_period(text: str) -> str | None:
    """'YYYY-MM' of a month, or 'YYYY-Qn' of a quarter; None when it is neither."""
    text = text.strip()
    quarter = _QUARTER.match(text)
    if quarter:
        return f"{quarter[1]}-Q{_QUARTER_DIGIT.get(quarter[2], quarter[2])}"
    match = _PERIOD.match(text)
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return f"{match[1]}-{int(match[2]):02d}"


def parse_number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# ---------------------------------------------------------------- checks per kind

def _ok_code(text: str) -> bool:
    return bool(_CODE12.match(text) or _CODE6.match(text))


def _ok_amount(text: str) -> bool:
    number = parse_number(text)
    return number is not None and number >= 0 and -number.as_tuple().exponent <= 2  # type: ignore[operator]


def _in_range(col: Column, number) -> bool:
    return (col.low is None or number >= col.low) and (col.high is None or number <= col.high)


def _ok_int(col: Column):
    def check(text: str) -> bool:
        number = parse_number(text)
        return number is not None and number == number.to_integral_value() and _in_range(col, number)
    return check


def _ok_number(col: Column):
    def check(text: str) -> bool:
        number = parse_number(text)
        return number is not None and _in_range(col, number)
    return check


def _range_text(col: Column) -> tuple[str, str]:
    if col.low is None and col.high is None:
        return "", ""
    if col.high is None:
        return f"（应不小于 {col.low:g}）", f" (must be at least {col.low:g})"
    if col.low is None:
        return f"（应不大于 {col.high:g}）", f" (must be at most {col.high:g})"
    return f"（应在 {col.low:g} 到 {col.high:g} 之间）", f" (must be {col.low:g} to {col.high:g})"


def _form_check(col: Column) -> tuple[object, str, str] | None:
    """(element check on a non-empty value, reason zh, reason en) of the column's kind."""
    zh_range, en_range = _range_text(col) if col.kind in ("int", "number") else ("", "")
    forms = {
        "code": (_ok_code, "不是有效的区划代码（应为12位，省/市/县可为6位）", "is not a division code (12 digits, or 6)"),
        "date": (lambda v: parse_date(v) is not None, "不是有效日期", "is not a valid date"),
        "datetime": (lambda v: parse_datetime(v) is not None, "不是有效的日期时间", "is not a valid date-time"),
        "period": (lambda v: parse_period(v) is not None, "不是有效期间（应为 YYYY-MM 或季度 YYYY-Qn）",
                   "is not a period YYYY-MM (or a quarter YYYY-Qn)"),
        "amount": (_ok_amount, "不是有效金额（非负数，最多两位小数）", "is not an amount (>= 0, at most 2 decimals)"),
        "number": (_ok_number(col), f"不是有效数字{zh_range}", f"is not a valid number{en_range}"),
        "int": (_ok_int(col), f"不是有效整数{zh_range}", f"is not a whole number{en_range}"),
        "bool": (lambda v: v.lower() in YES + NO, "应为 是 或 否", "must be yes or no"),
        "choice": (lambda v: v in col.choices, f"不是可选值（{'、'.join(col.choices)}）",
                   f"is not one of: {', '.join(col.choices)}"),
    }
    return forms.get(col.kind)


def _checks(col: Column) -> list[pa.Check]:
    checks = []
    if col.required:
        checks.append(pa.Check(lambda s: s != "", error="required"))
    form = _form_check(col)
    if form is not None:
        test, _, _ = form
        fast = _PLAIN.get(col.kind)
        checks.append(pa.Check(lambda s, test=test, fast=fast: (s == "") | _each_distinct(s, test, fast),
                               error=f"form:{col.kind}"))
    return checks


# the plain form most values of a kind have, checked in one vectorised pass before the
# full test runs on the rest (a city's ledger holds a million and a half distinct amounts)
_PLAIN = {"amount": r"[0-9]{1,12}(?:\.[0-9]{1,2})?", "code": r"[0-9]{12}|[0-9]{6}"}


def _each_distinct(values: pd.Series, test, fast: str | None = None) -> pd.Series:
    """`test` of every value, computed once per distinct value (a city's two million ledger
    lines hold some thousand distinct dates); `fast`: a regex whose matches pass at once."""
    distinct = pd.Series(pd.unique(values), dtype=object)
    passed = distinct.str.fullmatch(fast).fillna(False).to_numpy(dtype=bool, copy=True) if fast else \
        np.zeros(len(distinct), dtype=bool)
    rest = ~passed
    passed[rest] = [bool(test(str(v).strip())) for v in distinct[rest]]
    passed = pd.Series(passed, index=distinct.to_numpy())
    return pd.Series(passed.reindex(values.to_numpy()).to_numpy(dtype=bool), index=values.index)


def schema_of(dataset: Dataset) -> pa.DataFrameSchema:
    """The dataset's pandera schema: every column text, its checks from the declaration."""
    # every value is text from the reader ("" for an empty cell, never NaN): no dtype or null
    # scan, which would cost seconds a column on a city's ledger
    return pa.DataFrameSchema({col.key: pa.Column(None, checks=_checks(col), required=False, nullable=True)
                               for col in dataset.columns}, strict=False, coerce=False)


def _reason(col: Column, check: str) -> tuple[str, str]:
    if check == "required":
        return "为必填项，不能为空", "is required"
    form = _form_check(col)
    return (form[1], form[2]) if form else ("不符合格式", "has a wrong form")


# ---------------------------------------------------------------- a whole file

def validate(read: ReadFile) -> list[RowError]:
    """Every problem of the file's rows, by line, then in the dataset's column order."""
    keys = KeyTracker(read.dataset)
    keys.add(read.frame)
    return in_order(read.dataset, validate_rows(read.dataset, read.frame) + list(keys.clashing.values()))


def validate_rows(dataset: Dataset, frame: pd.DataFrame) -> list[RowError]:
    """The problems each row has on its own (forms, required values, times that go back)."""
    return _schema_errors(dataset, frame) + _time_order_errors(dataset, frame)


def in_order(dataset: Dataset, errors: list[RowError]) -> list[RowError]:
    position = {col.zh: index for index, col in enumerate(dataset.columns)}  # every error names one of them
    return sorted(errors, key=lambda e: (e.line, position[e.column]))


class KeyTracker:
    """Keys across the chunks of one file: a key sent with different contents makes every
    row of it an error (the same row twice is one row). Keeps a key, its content hash and
    first line, and the lines that repeat it."""

    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        self.seen: dict[tuple, tuple[int, int]] = {}   # identity -> (content hash, first line)
        self.clashing: dict[int, RowError] = {}        # line -> its error
        self.repeated: set[int] = set()                 # lines that repeat an earlier line exactly
        self._repeats: dict[tuple, list[int]] = {}      # identity -> those lines (few)
        self._clashed: set[tuple] = set()

    def add(self, frame: pd.DataFrame) -> None:
        identity = [c for c in self.dataset.identity if c in frame]
        if self.dataset.key not in frame:
            return
        content = pd.util.hash_pandas_object(frame.drop(columns=[LINE]), index=False).to_numpy()
        col = self.dataset.column(self.dataset.key)
        keys = list(zip(*(frame[c] for c in identity)))
        for key, digest, line, shown in zip(keys, content.tolist(), frame[LINE].tolist(), frame[self.dataset.key]):
            if not shown:
                continue
            first = self.seen.setdefault(key, (digest, line))
            if first[1] == line:
                continue
            if first[0] == digest and key not in self._clashed:
                self.repeated.add(line)
                self._repeats.setdefault(key, []).append(line)
                continue
            lines = [line] if key in self._clashed else [first[1], *self._repeats.pop(key, []), line]
            self._clashed.add(key)
            for clash in lines:
                self.repeated.discard(clash)
                self.clashing[clash] = RowError(int(clash), col.zh, shown, "在文件中重复且内容不同",
                                                "appears twice in the file with different content")

    def keys(self) -> set[str]:
        """Every key value of the file (what rows of the same file may refer to)."""
        return {key[-1] for key in self.seen}


def _schema_errors(dataset: Dataset, frame: pd.DataFrame) -> list[RowError]:
    try:
        schema_of(dataset).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        errors = []
        for case in cases.itertuples(index=False):
            if case.index is None or pd.isna(case.index):
                continue
            col = dataset.column(case.column)
            zh, en = _reason(col, str(case.check))
            errors.append(RowError(int(frame.at[case.index, LINE]), col.zh, str(case.failure_case), zh, en))
        return errors
    return []


def _time_order_errors(dataset: Dataset, frame: pd.DataFrame) -> list[RowError]:
    errors = []
    for earlier, later in TIME_ORDER.get(dataset.name, ()):
        if earlier not in frame or later not in frame:
            continue
        for line, first, then in zip(frame[LINE], frame[earlier], frame[later]):
            start, end = parse_datetime(first), parse_datetime(then)
            if start and end and end < start:
                e_col, l_col = dataset.column(earlier), dataset.column(later)
                errors.append(RowError(int(line), l_col.zh, then, f"早于{e_col.zh}（{first}）",
                                       f"is before {e_col.key} ({first})"))
    return errors
