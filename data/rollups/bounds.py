"""The first and last fact date and the last event date, kept in dataset_info.

The weeks the rollups cover, the calendar's extent and the as-of week all follow from
these three dates. Most date columns have no index, so their MIN/MAX is a scan of
millions of rows; instead the bounds are computed once, kept under BOUNDS_KEY, widened
by each load with the dates of the rows it wrote (`widen`), and forgotten when rows may
have gone (an undo, a full rebuild), so that the next reader scans again.

A load that moves a row's date inward can leave a bound wider than the data; the rollups
then carry one more (empty) week at an edge until the next full rebuild, never one less.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import delete, func, insert, select

from data.model.schema import (
    Clue,
    Complaint,
    DatasetInfo,
    Disclosure,
    FundAllocation,
    FundPayment,
    ServiceRequest,
    VillageLedger,
    Warning,
)

FACT_DATES = (  # (column, is a timestamp) joined to calendar_day by some builder
    (Complaint.received_at, True), (Complaint.closed_at, True), (Complaint.due_date, False),
    (FundPayment.paid_date, False), (FundPayment.due_date, False),
    (FundAllocation.allocated_on, False), (VillageLedger.entry_date, False),
    (Disclosure.due_date, False), (Clue.flagged_on, False),
    (Warning.raised_on, False), (Warning.closed_on, False),
)
# the latest day of each kind of thing that happens (received, booked, paid, submitted)
EVENT_DATES = (Complaint.received_at, VillageLedger.entry_date, FundPayment.paid_date, ServiceRequest.submitted_at)
BOUNDS_KEY = "fact_date_bounds"


@dataclass
class Bounds:
    """The first and last fact date, and the last event date (None: there is none)."""
    first: dt.date | None = None
    last: dt.date | None = None
    last_event: dt.date | None = None

    def merge(self, other: Bounds) -> Bounds:
        pick = lambda f, a, b: b if a is None else a if b is None else f(a, b)  # noqa: E731
        return Bounds(pick(min, self.first, other.first), pick(max, self.last, other.last),
                      pick(max, self.last_event, other.last_event))

    def facts(self) -> list[dt.date]:
        return [d for d in (self.first, self.last) if d is not None]


def min_max(conn, column) -> list[dt.date]:
    """The column's non-null min and max as dates (timestamps truncated), read from the table."""
    values = conn.execute(select(func.min(column), func.max(column))).one()
    return [_as_date(v) for v in values if v is not None]


def date_bounds(conn) -> Bounds:
    """The kept bounds (scanned from the tables and kept when none are)."""
    raw = conn.execute(select(DatasetInfo.value).where(DatasetInfo.key == BOUNDS_KEY)).scalar()
    if raw:
        return Bounds(*(dt.date.fromisoformat(v) if v else None for v in raw.split("/")))
    facts = [d for column, _ in FACT_DATES for d in min_max(conn, column)]
    events = [d for column in EVENT_DATES for d in min_max(conn, column)[1:]]
    bounds = Bounds(min(facts, default=None), max(facts, default=None), max(events, default=None))
    _keep(conn, bounds)
    return bounds


def frame_bounds(table: str, frame: pd.DataFrame) -> Bounds:
    """The bounds of the dates of `table`'s rows in `frame` (rows just written)."""
    def dates(columns) -> list[dt.date]:
        out = []
        for column in columns:
            if column.table.name == table and column.name in frame and len(frame):
                values = pd.to_datetime(frame[column.name], errors="coerce").dropna()
                out += [values.min().date(), values.max().date()] if len(values) else []
        return out
    facts, events = dates([c for c, _ in FACT_DATES]), dates(EVENT_DATES)
    return Bounds(min(facts, default=None), max(facts, default=None), max(events, default=None))


def widen(conn, written: Bounds) -> None:
    """Rows with these dates were written: the kept bounds now include them."""
    if written.facts() or written.last_event:
        _keep(conn, date_bounds(conn).merge(written))


def forget(conn) -> None:
    """Rows may have gone: the next reader scans the tables again."""
    conn.execute(delete(DatasetInfo.__table__).where(DatasetInfo.key == BOUNDS_KEY))


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _keep(conn, bounds: Bounds) -> None:
    forget(conn)
    value = "/".join(d.isoformat() if d else "" for d in (bounds.first, bounds.last, bounds.last_event))
    conn.execute(insert(DatasetInfo.__table__).values(key=BOUNDS_KEY, value=value))
