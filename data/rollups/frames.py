"""The rollups built with pandas from raw rows rather than by SQL GROUP BY.

These are the group-bys over every payment, ledger entry and complaint event. On SQLite
a GROUP BY sorts through a temporary B-tree at ~3-7 µs a row (a city demo: 1 M
payments, 2 M ledger entries, 4 events a complaint), which made them half of a demo
load; pandas does the same in a fraction. Each function here is the one definition of
its rollup: its builder (data/rollups/) calls it on rows read from the database, and the demo
generator on the frames it has just loaded (the same values: tests/data/rollups/test_rollups.py
reconciles both with raw SQL).

Inputs are frames of the raw columns named in *_COLUMNS; dates and timestamps may be
datetime64, ISO text (SQLite) or date/datetime objects (PostgreSQL).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import text

from data.calendar import week_key

PAYMENT_COLUMNS = ["village_code", "program_id", "amount", "due_date", "paid_date"]
COMPLAINT_COLUMNS = ["village_code", "category", "channel", "department", "received_at",
                     "accepted_at", "repeated", "replied_at", "closed_at", "due_date", "satisfaction"]
COMPLAINT_KEYS = ["week_key", "township_code", "category", "channel", "department"]
COMPLAINT_MEASURES = ["received", "accepted", "repeats", "c_replied", "c_closed", "closed",
                      "replied", "rated", "satisfied", "due", "due_on_time", "reply_n",
                      "reply_days", "close_days"]
LEDGER_VM_KEYS = ["month_key", "village_code", "direction", "category"]
SATISFIED = ("very_satisfied", "satisfied")
_ONE_DAY = np.timedelta64(1, "D")


def read_rows(conn, table: str, columns: list[str], where: str = "1 = 1",
              params: dict | None = None, exprs: dict[str, str] | None = None) -> pd.DataFrame:
    """`columns` of `table`'s rows matching `where` (raw driver values); `exprs` maps a
    column name to the SQL computing it (e.g. a flag)."""
    select = ", ".join(f"{(exprs or {}).get(c, c)} AS {c}" for c in columns)
    result = conn.execute(text(f"SELECT {select} FROM {table} WHERE {where}"), params or {})
    # the DB-API rows as they come: SQLAlchemy's Row objects cost ~10 µs a row here
    return pd.DataFrame.from_records(result.cursor.fetchall(), columns=columns)


def read_payments(conn, where: str = "1 = 1", params: dict | None = None) -> pd.DataFrame:
    return read_rows(conn, "fund_payment", PAYMENT_COLUMNS, where, params)


def read_complaints(conn) -> pd.DataFrame:
    return read_rows(conn, "complaint", COMPLAINT_COLUMNS, exprs={
        "repeated": "CASE WHEN repeat_of IS NOT NULL THEN 1 ELSE 0 END"})


def payment_twp(pay: pd.DataFrame) -> pd.DataFrame:
    """rollup_payment_twp: township x week x calendar year of the date x programme.

    Paid side by the week of paid_date (paid_amount, paid_count); due side by the week
    of due_date (due_amount, due_count, paid_late_count: unpaid or paid after due)."""
    town, amount = townships(pay["village_code"]), _money(pay["amount"])
    due, paid = days(pay["due_date"]), days(pay["paid_date"])
    has_paid = ~np.isnat(paid)
    late = ~has_paid | (paid > due)
    program = pay["program_id"].to_numpy(dtype=np.int64)
    paid_side = pd.DataFrame({
        "week_key": week_keys(paid[has_paid]), "township_code": town[has_paid],
        "year": years(paid[has_paid]), "program_id": program[has_paid],
        "paid_amount": amount[has_paid], "paid_count": 1})
    due_side = pd.DataFrame({
        "week_key": week_keys(due), "township_code": town, "year": years(due),
        "program_id": program, "due_amount": amount, "due_count": 1,
        "paid_late_count": late.astype(np.int64)})
    out = _sum(pd.concat([paid_side, due_side], ignore_index=True),
               ["week_key", "township_code", "year", "program_id"],
               counts=("paid_count", "due_count", "paid_late_count"))
    return _round_money(out, ["paid_amount", "due_amount"])


def late_payments(pay: pd.DataFrame) -> pd.DataFrame:
    """Payments unpaid or paid after their due date: township x programme x due week x
    paid week (NaN while unpaid), with their count and amount (rollup_funds_overdue_tw's
    input; a payment paid in its due week is never outstanding at a Sunday)."""
    due, paid = days(pay["due_date"]), days(pay["paid_date"])
    late = np.isnat(paid) | (paid > due)
    paid_week = week_keys(paid[late]).astype(float)
    paid_week[np.isnat(paid[late])] = np.nan
    frame = pd.DataFrame({
        "township_code": townships(pay["village_code"])[late],
        "program_id": pay["program_id"].to_numpy(dtype=np.int64)[late],
        "due_week": week_keys(due[late]), "paid_week": paid_week,
        "payments": 1, "amount": _money(pay["amount"])[late]})
    out = _sum(frame, ["township_code", "program_id", "due_week", "paid_week"])
    return _round_money(out, ["amount"])


def ledger_vm(entries: pd.DataFrame) -> pd.DataFrame:
    """rollup_ledger_vm: village x month x direction x category, amount and entries."""
    day = days(entries["entry_date"])
    months = day.astype("datetime64[M]").astype(np.int64)
    frame = pd.DataFrame({
        "month_key": (1970 + months // 12) * 100 + months % 12 + 1,
        "village_code": entries["village_code"].to_numpy(), "direction": entries["direction"].to_numpy(),
        "category": entries["category"].to_numpy(), "amount": _money(entries["amount"]), "entries": 1})
    return _round_money(_sum(frame, LEDGER_VM_KEYS), ["amount"])


def ledger_vm_of_parts(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """ledger_vm rows of entries loaded in parts (chunks of one file), summed as one."""
    return _round_money(_sum(pd.concat(parts, ignore_index=True), LEDGER_VM_KEYS), ["amount"])


def ledger_tm(vm: pd.DataFrame) -> pd.DataFrame:
    """rollup_ledger_tm: the village months (ledger_vm) summed by township."""
    frame = vm.assign(township_code=townships(vm["village_code"])).drop(columns="village_code")
    return _round_money(_sum(frame, ["month_key", "township_code", "direction", "category"]), ["amount"])


def complaint_events(c: pd.DataFrame) -> pd.DataFrame:
    """Township x week x category x channel x department sums of every complaint event.

    - week of received_at: received, accepted (accepted_at set), repeats, and the
      cohort's c_replied / c_closed (replied_at / closed_at set);
    - week of closed_at: closed, replied (replied_at set), rated (satisfaction set),
      satisfied (very_satisfied | satisfied), close_days (receipt to closure, in days);
    - week of due_date: due, due_on_time (closed on or before the due date);
    - week of replied_at: reply_n, reply_days (receipt to first reply, in days).
    """
    received_at, closed_at, replied_at = (moments(c[k]) for k in ("received_at", "closed_at", "replied_at"))
    due = days(c["due_date"])
    closed_day = closed_at.astype("datetime64[D]")
    keys = pd.DataFrame({"township_code": townships(c["village_code"]), "category": c["category"].to_numpy(),
                         "channel": c["channel"].to_numpy(), "department": c["department"].to_numpy()})
    is_closed, is_replied, has_due = ~np.isnat(closed_at), ~np.isnat(replied_at), ~np.isnat(due)
    satisfaction = c["satisfaction"]
    parts = [
        keys.assign(week_key=week_keys(received_at), received=1,
                    accepted=c["accepted_at"].notna().to_numpy(dtype=np.int64),
                    repeats=c["repeated"].to_numpy(dtype=np.int64),
                    c_replied=is_replied.astype(np.int64), c_closed=is_closed.astype(np.int64)),
        keys[is_closed].assign(
            week_key=week_keys(closed_at[is_closed]), closed=1,
            replied=is_replied[is_closed].astype(np.int64),
            rated=satisfaction.notna().to_numpy(dtype=np.int64)[is_closed],
            satisfied=satisfaction.isin(SATISFIED).to_numpy(dtype=np.int64)[is_closed],
            close_days=(closed_at - received_at)[is_closed] / _ONE_DAY),
        keys[has_due].assign(
            week_key=week_keys(due[has_due]), due=1,
            due_on_time=(is_closed & (closed_day <= due))[has_due].astype(np.int64)),
        keys[is_replied].assign(
            week_key=week_keys(replied_at[is_replied]), reply_n=1,
            reply_days=(replied_at - received_at)[is_replied] / _ONE_DAY),
    ]
    events = pd.concat(parts, ignore_index=True)[COMPLAINT_KEYS + COMPLAINT_MEASURES]
    return _sum(events, COMPLAINT_KEYS,
                counts=tuple(m for m in COMPLAINT_MEASURES if not m.endswith("_days")))


def complaint_twcc(events: pd.DataFrame) -> pd.DataFrame:
    """rollup_complaint_twcc: the events summed over departments."""
    measures = ["received", "accepted", "repeats", "closed", "replied", "rated", "satisfied",
                "due", "due_on_time"]
    return _sum(events[COMPLAINT_KEYS[:4] + measures], COMPLAINT_KEYS[:4])


def in_ranges(codes: pd.Series, ranges) -> np.ndarray:
    """Mask of codes inside any (lo, hi) range; all True when ranges is None."""
    if ranges is None:
        return np.ones(len(codes), dtype=bool)
    values = codes.to_numpy(dtype=object)
    mask = np.zeros(len(codes), dtype=bool)
    for lo, hi in ranges:
        mask |= (values >= lo) & (values <= hi)
    return mask


def days(values: pd.Series) -> np.ndarray:
    """datetime64[D] of dates or timestamps (NaT for missing)."""
    return moments(values).astype("datetime64[D]")


def moments(values: pd.Series) -> np.ndarray:
    """datetime64[s] of dates or timestamps in any of the accepted forms."""
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = pd.to_datetime(values, format="ISO8601") if values.notna().any() else \
            pd.Series(np.full(len(values), np.datetime64("NaT"), "datetime64[s]"))
    return values.to_numpy().astype("datetime64[s]")


def week_keys(day_values: np.ndarray) -> np.ndarray:
    """ISO week key yyyyww of each date (data.calendar.week_key; -1 for NaT)."""
    day_values = day_values.astype("datetime64[D]")
    unique, inverse = np.unique(day_values, return_inverse=True)
    keys = np.array([-1 if np.isnat(d) else week_key(d.item()) for d in unique], dtype=np.int64)
    return keys[inverse.reshape(-1)] if len(day_values) else np.zeros(0, dtype=np.int64)


def years(day_values: np.ndarray) -> np.ndarray:
    return day_values.astype("datetime64[Y]").astype(np.int64) + 1970


def townships(village_codes: pd.Series) -> np.ndarray:
    """Township code of each village code: its first nine digits and '000'."""
    return code_prefixes(village_codes, 9)


def code_prefixes(codes: pd.Series, digits: int) -> np.ndarray:
    """The region code of each code at a level: its first `digits` digits, zero-padded
    (computed once per distinct code)."""
    values = pd.Categorical(codes)
    regions = np.array([c[:digits] + "0" * (12 - digits) for c in values.categories], dtype=object)
    return regions[values.codes] if len(regions) else np.array([], dtype=object)


def _money(values: pd.Series) -> np.ndarray:
    return values.astype(float).to_numpy()  # Decimal (PostgreSQL) or float (SQLite)


def _sum(frame: pd.DataFrame, keys: list[str], counts: tuple[str, ...] = ()) -> pd.DataFrame:
    """Measures summed by keys (missing measures count 0; `counts` back to integers)."""
    measures = [c for c in frame.columns if c not in keys]
    out = (frame.fillna(dict.fromkeys(measures, 0))
           .groupby(keys, sort=True, dropna=False)[measures].sum().reset_index())
    return out.astype(dict.fromkeys(counts, np.int64))


def _round_money(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for column in columns:
        frame[column] = frame[column].round(2)
    return frame
