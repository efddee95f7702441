"""What every comparison rule shares: the clue frame's columns, the weekly run's flag day,
reading a query's rows, limiting a query to villages, day differences in SQL, and the
months a run has seen whole. The rules live in comparison.py, benford.py and timeliness.py."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import text

CLUE_COLUMNS = ["rule", "region_code", "subject_key", "amount", "score", "evidence", "flagged_on"]


def next_monday(day) -> dt.date:
    """The Monday strictly after `day`: when the weekly comparison sees the evidence."""
    day = pd.Timestamp(day).date()
    return day + dt.timedelta(days=7 - day.weekday())


def query(conn, sql: str, **params) -> pd.DataFrame:
    """The rows as a frame, read as the driver's plain tuples: a text query's rows need no
    conversion, and building a frame from 2.5 M Row objects cost 15 s at province scale."""
    result = conn.execute(text(sql), params)
    columns, rows = list(result.keys()), result.cursor.fetchall()
    result.close()
    return pd.DataFrame.from_records(rows, columns=columns)


def dates(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for col in cols:
        frame[col] = pd.to_datetime(frame[col]).dt.date
    return frame


def within(column: str, ranges: list[tuple[str, str]] | None) -> str:
    """SQL `AND (column BETWEEN 'lo' AND 'hi' OR ...)`; '' for everything. The bounds are
    12-digit codes from the database, checked here (never user text)."""
    if ranges is None:
        return ""
    bounds = [(lo, hi) for lo, hi in ranges if lo.isdigit() and hi.isdigit()]
    if not bounds:
        return " AND 1 = 0"
    return " AND (" + " OR ".join(f"{column} BETWEEN '{lo}' AND '{hi}'" for lo, hi in bounds) + ")"


def days_after(conn, later: str, earlier: str) -> str:
    """SQL for the whole days from the date column `earlier` to `later` (both internal
    column names): PostgreSQL subtracts dates, SQLite their julian day numbers."""
    if conn.dialect.name == "postgresql":
        return f"({later} - {earlier})"
    return f"(julianday({later}) - julianday({earlier}))"


def program_ids(conn, *codes: str) -> list[int]:
    rows = conn.execute(text("SELECT id, code FROM fund_program")).fetchall()
    return sorted(r[0] for r in rows if r[1] in codes) or [-1]


def ids_sql(ids: list[int]) -> str:
    """Literal id list of ints (safe: ints from the database, not user input)."""
    return ",".join(str(int(i)) for i in ids)


def month_index(month_key: int) -> int:
    return (month_key // 100) * 12 + month_key % 100 - 1


def month_key(index: int) -> int:
    return (index // 12) * 100 + index % 12 + 1


def month_end(index: int) -> dt.date:
    following = month_key(index + 1)
    return dt.date(following // 100, following % 100, 1) - dt.timedelta(days=1)


def month_start(index: int) -> dt.date:
    key = month_key(index)
    return dt.date(key // 100, key % 100, 1)


def last_seen_month(as_of: dt.date) -> int:
    """The index of the last month the weekly run has seen whole by `as_of`."""
    last = month_index(as_of.year * 100 + as_of.month)
    while next_monday(month_end(last)) > as_of:
        last -= 1
    return last
