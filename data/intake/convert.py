"""Validated exchange rows -> the stored rows of their table, with the references checked.

The validator (validate.py) has made sure every value has its form; here the text
becomes stored values (codes of 12 digits, dates, yuan, vocabulary codes: vocab.py) and
every reference is looked up: a region's parent, a village, a region, a programme, the
complaint a repeat repeats. A row whose reference does not exist, in the database or
earlier in the same import, becomes a RowError like any other.

Each dataset has one Target: its table, the stored key, and `build(refs, rows)`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Table, func, select

from data.calendar import working_days_after
from data.codes import PREFIX_LEN, level_of, normalize_code
from data.intake import vocab
from data.intake.datasets import DATASETS
from data.intake.reader import LINE
from data.intake.validate import YES, RowError, parse_date, parse_datetime, parse_number, parse_period
from data.model.schema import (
    Complaint,
    Disclosure,
    FundAllocation,
    FundPayment,
    FundProgram,
    Person,
    Region,
    ServiceRequest,
    VillageLedger,
    Warning,
)
from data.scope import Scope


class References:
    """What rows may refer to: the regions and programmes stored, plus those loaded
    earlier in the same import (`add_regions`, `add_programs`)."""

    def __init__(self, conn, scope: list[str] | None = None):
        self.conn = conn
        # where rows must lie (the importing user's jurisdiction); None: anywhere
        self.scope = Scope.of(*scope) if scope is not None else None
        self.file_keys: set[str] = set()  # every key of the file being imported (rows may refer ahead)
        rows = conn.execute(select(Region.code, Region.level)).all()
        self.levels: dict[str, str] = {str(code): str(level) for code, level in rows}
        programs = conn.execute(select(FundProgram.code, FundProgram.id, FundProgram.source_level)).all()
        self.programs: dict[str, int] = {code: pid for code, pid, _ in programs}
        self.program_sources: dict[str, str] = {code: source for code, _, source in programs}

    def in_scope(self, codes: pd.Series) -> np.ndarray:
        if self.scope is None:
            return np.ones(len(codes), dtype=bool)
        allowed = {c: self.scope.allows(c) for c in pd.unique(codes)}
        return codes.map(allowed).to_numpy(dtype=bool)

    def add_regions(self, frame: pd.DataFrame) -> None:
        self.levels.update(zip(frame["code"], frame["level"]))

    def add_programs(self, frame: pd.DataFrame) -> None:
        self.programs.update(zip(frame["code"], frame["id"]))
        self.program_sources.update(zip(frame["code"], frame["source_level"]))



def next_id(conn, table: Table) -> int:
    """The id after the table's largest (rows a load inserts take ids from here)."""
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


def complaint_ids(conn, case_numbers) -> dict[str, int]:
    """complaint_no -> id of the stored complaints among `case_numbers` ('' ignored)."""
    wanted = sorted({c for c in case_numbers if c})
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        part = wanted[start:start + 500]
        found.update(conn.execute(select(Complaint.case_no, Complaint.id).where(Complaint.case_no.in_(part))).all())
    return found


@dataclass(frozen=True)
class Target:
    dataset: str
    table: Table
    key: tuple[str, ...]     # stored columns that identify a row
    build: Callable[[References, pd.DataFrame], tuple[pd.DataFrame, list[RowError]]]
    village_column: str = "village_code"  # the column rollups are rebuilt by
    # columns a later row without a value leaves as stored (drawn village points)
    keep_when_empty: tuple[str, ...] = ()

    @property
    def has_id(self) -> bool:
        return "id" in self.table.c


# ---------------------------------------------------------------- values

def column(rows: pd.DataFrame, key: str) -> pd.Series:
    """A column's text ('' for a column the file does not have)."""
    return rows[key] if key in rows else pd.Series("", index=rows.index, dtype=object)


def _by_unique(values: pd.Series, parse) -> pd.Series:
    """`parse` applied once per distinct text ('' -> None)."""
    unique = pd.unique(values)
    parsed = {v: (parse(v) if v != "" else None) for v in unique}
    return values.map(parsed)


def dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(_by_unique(values, parse_date)).astype("datetime64[s]")


def moments(values: pd.Series) -> pd.Series:
    return pd.to_datetime(_by_unique(values, parse_datetime)).astype("datetime64[s]")


def amounts(values: pd.Series) -> pd.Series:
    """Yuan to the cent: plain numbers at once, the rest ('1,234.50', ' 12 ') one by one."""
    quick = pd.to_numeric(values.where(values != "", None), errors="coerce")
    odd = quick.isna() & (values != "")
    if odd.any():
        quick[odd] = _by_unique(values[odd], _float).astype(float)
    return quick.astype(float).round(2)


def whole(values: pd.Series) -> pd.Series:
    return _by_unique(values, lambda v: int(_float(v))).astype("Int64")


def _float(text: str) -> float:
    """A validated number's value (the validator let only numbers through)."""
    number = parse_number(text)
    return float(number) if number is not None else float("nan")


def codes(values: pd.Series) -> pd.Series:
    return _by_unique(values, normalize_code).astype(object)


def flags(values: pd.Series) -> pd.Series:
    return values.str.strip().str.lower().isin(YES)


def texts(values: pd.Series, empty=None) -> pd.Series:
    """Text as sent, byte for byte ('' -> `empty`)."""
    return values.where(values != "", empty).astype(object)


def words(dataset: str, key: str, values: pd.Series, empty=None) -> pd.Series:
    return texts(vocab.stored_values(dataset, key, values), empty)


def periods(values: pd.Series) -> pd.Series:
    return _by_unique(values, parse_period).astype(object)


# ---------------------------------------------------------------- reference checks

def _error(dataset: str, column_key: str, lines, values, reason: str, reason_en: str) -> list[RowError]:
    zh = DATASETS[dataset].column(column_key).zh
    return [RowError(int(line), zh, str(value), reason, reason_en) for line, value in zip(lines, values)]


def _region_check(refs: References, rows: pd.DataFrame, dataset: str, key: str, stored: pd.Series,
                  levels: tuple[str, ...]) -> tuple[np.ndarray, list[RowError]]:
    """Mask of rows whose region exists at one of `levels`, and errors for the others."""
    found = stored.map(refs.levels)
    ok = found.isin(levels).to_numpy()
    missing = found.isna().to_numpy()
    errors = _error(dataset, key, rows[LINE][missing], rows[key][missing],
                    "不存在（区划代码未登记，请先导入行政区划）", "does not exist (import the regions first)")
    wrong = ~ok & ~missing
    names = {"village": "村", "township": "乡镇", "county": "县"}
    want = "、".join(names.get(level, level) for level in levels)
    errors += _error(dataset, key, rows[LINE][wrong], rows[key][wrong],
                     f"不是{want}级区划", f"is not a {' or '.join(levels)}")
    outside = ok & ~refs.in_scope(stored)
    errors += _error(dataset, key, rows[LINE][outside], rows[key][outside],
                     "不在您的管辖范围内", "lies outside your jurisdiction")
    return ok & ~outside, errors


def _villages(refs: References, rows: pd.DataFrame, dataset: str) -> tuple[pd.Series, np.ndarray, list[RowError]]:
    """The rows' village codes (12 digits), the mask of those that are known villages, and
    the errors of the others."""
    village = codes(rows["village_code"])
    ok, errors = _region_check(refs, rows, dataset, "village_code", village, ("village",))
    return village, ok, errors


def _program_check(refs: References, rows: pd.DataFrame, dataset: str) -> tuple[pd.Series, np.ndarray, list[RowError]]:
    program = rows["program_code"].map(refs.programs)
    ok = program.notna().to_numpy()
    errors = _error(dataset, "program_code", rows[LINE][~ok], rows["program_code"][~ok],
                    "不存在（请先导入资金项目）", "does not exist (import the fund programmes first)")
    return program, ok, errors


def _keep(frame: pd.DataFrame, ok: np.ndarray) -> pd.DataFrame:
    return frame[ok].reset_index(drop=True)


# ---------------------------------------------------------------- datasets

def _regions(refs: References, rows: pd.DataFrame) -> tuple[pd.DataFrame, list[RowError]]:
    code, parent = codes(rows["code"]), codes(rows["parent_code"])
    level = vocab.stored_values("regions", "level", rows["level"])
    implied = code.map(level_of)
    errors: list[RowError] = []
    wrong = (implied != level).to_numpy()
    errors += _error("regions", "level", rows[LINE][wrong], rows["level"][wrong],
                     "与区划代码的层级不符", "does not match the level the code says")
    # the app rolls up by code prefix: the parent must be the code's own ancestor
    known = set(refs.levels) | set(code[~wrong])
    prefix_ok = np.array([p in known and c.startswith(p[:PREFIX_LEN[level_of(p)]]) and c != p
                          for c, p in zip(code, parent)])
    bad = ~prefix_ok & ~wrong
    errors += _error("regions", "parent_code", rows[LINE][bad], rows["parent_code"][bad],
                     "不存在或不是该区划的上级", "does not exist or is not this region's parent")
    outside = ~wrong & prefix_ok & ~refs.in_scope(code)
    errors += _error("regions", "code", rows[LINE][outside], rows["code"][outside],
                     "不在您的管辖范围内", "lies outside your jurisdiction")
    ok = ~wrong & prefix_ok & ~outside
    population = whole(rows["population"]) if "population" in rows else pd.Series(pd.NA, index=rows.index)
    lon = _by_unique(column(rows, "lon"), _float).astype(float)
    lat = _by_unique(column(rows, "lat"), _float).astype(float)
    frame = pd.DataFrame({"code": code, "name": rows["name"].str.strip(), "level": level, "parent_code": parent,
                          "lon": lon, "lat": lat, "population": population.fillna(0).astype(np.int64),
                          "is_demo": False})
    return _keep(frame, ok), errors


def _programs(refs: References, rows: pd.DataFrame) -> tuple[pd.DataFrame, list[RowError]]:
    d = "fund_programs"
    frame = pd.DataFrame({
        "code": rows["program_code"], "name": rows["program_name"],
        "category": words(d, "category", rows["category"]),
        "department": words(d, "department", column(rows, "department"), ""),
        "per_person_standard": amounts(column(rows, "standard_amount")).fillna(0.0),
        "payment_cycle": words(d, "standard_period", column(rows, "standard_period"), "monthly"),
        "source_level": words(d, "source_level", rows["source_level"])})
    # a programme keeps its id (payments and allocations refer to it); a new one gets the next
    ids = frame["code"].map(refs.programs).to_numpy(dtype=float, copy=True)
    fresh = np.isnan(ids)
    start = next_id(refs.conn, FundProgram.__table__)
    ids[fresh] = np.arange(start, start + fresh.sum())
    frame["id"] = ids.astype(np.int64)
    return frame, []


def _allocations(refs: References, rows: pd.DataFrame) -> tuple[pd.DataFrame, list[RowError]]:
    d = "fund_allocations"
    program, ok_p, errors = _program_check(refs, rows, d)
    region = codes(rows["region_code"])
    ok_r, more = _region_check(refs, rows, d, "region_code", region, ("province", "city", "county", "township"))
    source = words(d, "source_level", column(rows, "source_level"))
    source = source.fillna(rows["program_code"].map(refs.program_sources))
    frame = pd.DataFrame({"allocation_no": rows["allocation_no"], "program_id": program, "region_code": region,
                          "year": whole(rows["fiscal_year"]), "source_level": source,
                          "amount": amounts(rows["amount"]), "allocated_on": dates(rows["allocated_on"])})
    ok = ok_p & ok_r
    frame = _keep(frame, ok)
    frame["program_id"] = frame["program_id"].astype(np.int64)
    return frame, errors + more


def _persons(refs: References, rows: pd.DataFrame) -> tuple[pd.DataFrame, list[RowError]]:
    d = "persons"
    village, ok, errors = _villages(refs, rows, d)
    frame = pd.DataFrame({
        "person_key": rows["person_key"], "village_code": village,
        "birth_year": whole(column(rows, "birth_year")),
        "deceased_date": dates(column(rows, "deceased_on")),
        "official_post": texts(column(rows, "official_post")),
        "relative_of": texts(column(rows, "related_official_key")),
        "relation": texts(column(rows, "relation"), ""),
        "has_vehicle": flags(column(rows, "owns_vehicle")), "has_property": flags(column(rows, "owns_property"))})
    return _keep(frame, ok), errors


def _payments(refs: References, rows: pd.DataFrame) -> tuple[pd.DataFrame, list[RowError]]:
    d = "fund_payments"
    program, ok_p, errors = _program_check(refs, rows, d)
    village, ok_v, more = _villages(refs, rows, d)
    frame = pd.DataFrame({
        "payment_no": rows["payment_no"], "program_id": program, "village_code": village,
        "beneficiary_key": rows["beneficiary_key"], "amount": amounts(rows["amount"]),
        "period": periods(rows["period"]), "due_date": dates(rows["due_on"]), "paid_date": dates(column(rows, "paid_on"))})
    frame = _keep(frame, ok_p & ok_v)
    frame["program_id"] = frame["program_id"].astype(np.int64)
    return frame, errors + more


def _ledger(refs: References, rows: pd.DataFrame) -> tuple[pd.DataFrame, list[RowError]]:
    d = "village_ledger"
    village, ok, errors = _villages(refs, rows, d)
    frame = pd.DataFrame({
        "voucher_no": rows["voucher_no"], "village_code": village, "entry_date": dates(rows["booked_on"]),
        "direction": words(d, "direction", rows["direction"]), "category": words(d, "category", rows["category"]),
        "amount": amounts(rows["amount"]), "counterparty": texts(column(rows, "counterparty"), ""),
        "summary": texts(column(rows, "summary"), "")})
    return _keep(frame, ok), errors


def _disclosures(refs: References, rows: pd.DataFrame) -> tuple[pd.DataFrame, list[RowError]]:
    d = "disclosures"
    village, ok, errors = _villages(refs, rows, d)
    frame = pd.DataFrame({
        "item_no": rows["item_no"], "village_code": village, "kind": words(d, "kind", rows["kind"]),
        "period": periods(rows["period"]), "due_date": dates(rows["due_on"]),
        "published_date": dates(column(rows, "published_on"))})
    return _keep(frame, ok), errors


def _due_dates(received: pd.Series, limit: pd.Series) -> pd.Series:
    days = received.to_numpy().astype("datetime64[D]")
    return pd.Series(working_days_after(days, limit.to_numpy(dtype=np.int64)), index=received.index)


def _complaints(refs: References, rows: pd.DataFrame) -> tuple[pd.DataFrame, list[RowError]]:
    d = "complaints"
    region = codes(rows["region_code"])
    ok, errors = _region_check(refs, rows, d, "region_code", region, ("village", "township", "county"))
    received, limit = moments(rows["received_at"]), whole(rows["time_limit_days"]).fillna(0).astype(np.int64)
    frame = pd.DataFrame({
        "case_no": rows["complaint_no"], "village_code": region, "received_at": received,
        "channel": words(d, "channel", rows["channel"]), "category": words(d, "category", rows["category"]),
        "department": words(d, "department", column(rows, "department"), ""),
        "subject": texts(column(rows, "subject"), ""), "status": rows["status"],
        "accepted_at": moments(column(rows, "accepted_at")), "replied_at": moments(column(rows, "replied_at")),
        "closed_at": moments(column(rows, "closed_at")), "time_limit_days": limit,
        "due_date": _due_dates(received, limit),
        "satisfaction": words(d, "satisfaction", column(rows, "satisfaction")),
        "content": texts(column(rows, "content"), ""),
        "complainant_name": texts(column(rows, "complainant_name")),
        "complainant_phone": texts(column(rows, "complainant_phone"))})
    repeat_no = column(rows, "repeat_of_no")
    frame["repeat_of_no"] = repeat_no.to_numpy()
    frame, lines = _keep(frame, ok), rows[LINE][ok].reset_index(drop=True)
    stored = complaint_ids(refs.conn, frame["repeat_of_no"])
    in_file = set(frame["case_no"]) | refs.file_keys
    unknown = (frame["repeat_of_no"] != "") & ~frame["repeat_of_no"].isin(set(stored) | in_file)
    errors += _error(d, "repeat_of_no", lines[unknown], frame["repeat_of_no"][unknown],
                     "不存在（原投诉编号未登记）", "does not exist (no such complaint_no)")
    return _keep(frame, ~unknown.to_numpy()), errors


def _services(refs: References, rows: pd.DataFrame) -> tuple[pd.DataFrame, list[RowError]]:
    d = "service_requests"
    village, ok, errors = _villages(refs, rows, d)
    submitted, limit = moments(rows["submitted_at"]), whole(rows["time_limit_days"]).fillna(0).astype(np.int64)
    frame = pd.DataFrame({
        "request_no": rows["request_no"], "matter": words(d, "matter", rows["matter"]), "village_code": village,
        "submitted_at": submitted, "time_limit_days": limit, "due_date": _due_dates(submitted, limit),
        "completed_at": moments(column(rows, "completed_at")), "rating": whole(column(rows, "rating"))})
    return _keep(frame, ok), errors


def _warnings(refs: References, rows: pd.DataFrame) -> tuple[pd.DataFrame, list[RowError]]:
    d = "warnings"
    region = codes(rows["region_code"])
    ok, errors = _region_check(refs, rows, d, "region_code", region, ("village", "township", "county", "city"))
    source = words(d, "source", rows["source"])
    title = texts(column(rows, "title"), "")
    frame = pd.DataFrame({
        "warning_no": rows["warning_no"], "source": source, "level": words(d, "level", rows["level"]),
        "region_code": region, "title": title.where(title != "", rows["source"]),
        "raised_on": dates(_date_part(rows["raised_at"])), "task_issued_on": dates(_date_part(column(rows, "task_at"))),
        "verified_on": dates(_date_part(column(rows, "verified_at"))),
        "closed_on": dates(_date_part(column(rows, "closed_at"))),
        "feedback": texts(column(rows, "feedback"), "")})
    return _keep(frame, ok), errors


def _date_part(values: pd.Series) -> pd.Series:
    """The day of a date-time text (warnings are kept by day)."""
    parsed = _by_unique(values, parse_datetime)
    return parsed.map(lambda v: v.date().isoformat() if isinstance(v, dt.datetime) else "")


TARGETS: dict[str, Target] = {t.dataset: t for t in (
    Target("regions", Region.__table__, ("code",), _regions, village_column="code", keep_when_empty=("lon", "lat")),
    Target("fund_programs", FundProgram.__table__, ("code",), _programs, village_column=""),
    Target("fund_allocations", FundAllocation.__table__, ("allocation_no",), _allocations, village_column="region_code"),
    Target("persons", Person.__table__, ("person_key",), _persons),
    Target("fund_payments", FundPayment.__table__, ("payment_no",), _payments),
    Target("village_ledger", VillageLedger.__table__, ("village_code", "voucher_no"), _ledger),
    Target("disclosures", Disclosure.__table__, ("item_no",), _disclosures),
    Target("complaints", Complaint.__table__, ("case_no",), _complaints),
    Target("service_requests", ServiceRequest.__table__, ("request_no",), _services),
    Target("warnings", Warning.__table__, ("warning_no",), _warnings, village_column="region_code"),
)}
