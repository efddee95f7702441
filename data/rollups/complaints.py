"""Rollups of the complaints page (/complaints), rebuilt after data/rollups.py's own.

The shared complaint rollups are township-level and have no department, no cohort
funnel and no handling times; at province scale (1,900 townships, two years) summing
them over a region costs 100-400 ms. This module keeps what the page reads, already
summed at every level a user can pick (all rebuilt inside the caller's transaction):

- `rollup_complaint_rwd`: complaints, region x dimension value x ISO week, for
  regions of level province, city and county with dimensions `all` (value ''),
  `category`, `channel` and `department`, and for townships with `all` and
  `department`. Measures, each counted in the week of its own event:
  - week of received_at: `received`, `accepted` (accepted_at set), `repeats`
    (repeat_of set) and the cohort funnel of those complaints as loaded:
    `c_replied` (replied_at set), `c_closed` (closed_at set);
  - week of closed_at: `closed`, `replied` (replied_at set), `rated`, `satisfied`
    (very_satisfied | satisfied) — the same definitions as rollup_complaint_twcc — and
    `close_days` (sum of days from receipt to closure);
  - week of due_date: `due`, `due_on_time` (date(closed_at) <= due_date);
  - week of replied_at: `reply_n`, `reply_days` (sum of days from receipt to the first reply).
- `rollup_service_rwm`: 我要办 service requests, region (all four levels) x matter x
  ISO week: `submitted` (week of submitted_at); `completed`, `rated`, `rating_sum`,
  `rating_1` … `rating_5` (week of completed_at); `due`, `due_on_time`
  (date(completed_at) <= due_date) by the week of due_date.

Two indexes on the raw tables serve the
paginated record lists of the page: open complaints oldest first, covering the age and
overdue counts (`ix_complaint_open`), and open service requests by due date
(`ix_service_request_open`). Alembic revision 0003_complaints creates all of them;
on an existing database run `python -c 'from data.rollups.complaints import main; main()' [URL]`
once to fill the tables.
"""
from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
from sqlalchemy import Float, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from data.rollups import frames
from data.model.db import insert_plain
from data.model.rollups import _count, _pk, _Rollup
from data.model.schema import Base, Code, Complaint, ServiceRequest

log = logging.getLogger(__name__)

LEVEL_PREFIX = {"province": 2, "city": 4, "county": 6, "township": 9}
TOWNSHIP_DIMS = ("all", "department")
DIMS = ("all", "category", "channel", "department")
RATING_STARS = (1, 2, 3, 4, 5)


def _days():
    return mapped_column(Float, default=0.0, nullable=False)


class RollupComplaintRWD(_Rollup, Base):
    """Complaints: dimension x level x ISO week x region x value (see the module doc).

    Key order: one region's weeks (dim, level, week IN ..., region =) and every child
    region of a level (dim, level, week IN ..., region BETWEEN) are both index seeks."""
    __tablename__ = "rollup_complaint_rwd"
    dim: Mapped[str] = _pk(String(12))
    level: Mapped[str] = _pk(String(8))
    week_key: Mapped[int] = _pk()
    region_code: Mapped[str] = mapped_column(Code, primary_key=True)
    value: Mapped[str] = _pk(String(32))
    received: Mapped[int] = _count()
    accepted: Mapped[int] = _count()
    repeats: Mapped[int] = _count()
    c_replied: Mapped[int] = _count()
    c_closed: Mapped[int] = _count()
    closed: Mapped[int] = _count()
    replied: Mapped[int] = _count()
    rated: Mapped[int] = _count()
    satisfied: Mapped[int] = _count()
    due: Mapped[int] = _count()
    due_on_time: Mapped[int] = _count()
    reply_n: Mapped[int] = _count()
    reply_days: Mapped[float] = _days()
    close_days: Mapped[float] = _days()


class RollupServiceRWM(_Rollup, Base):
    """我要办 service requests: level x region x matter x ISO week."""
    __tablename__ = "rollup_service_rwm"
    level: Mapped[str] = _pk(String(8))
    region_code: Mapped[str] = mapped_column(Code, primary_key=True)
    matter: Mapped[str] = _pk(String(24))
    week_key: Mapped[int] = _pk()
    submitted: Mapped[int] = _count()
    completed: Mapped[int] = _count()
    due: Mapped[int] = _count()
    due_on_time: Mapped[int] = _count()
    rated: Mapped[int] = _count()
    rating_sum: Mapped[int] = _count()
    rating_1: Mapped[int] = _count()
    rating_2: Mapped[int] = _count()
    rating_3: Mapped[int] = _count()
    rating_4: Mapped[int] = _count()
    rating_5: Mapped[int] = _count()


# Record lists of the page: open complaints oldest first, open service requests by due date.
OPEN_COMPLAINT_INDEX = Index("ix_complaint_open", Complaint.closed_at, Complaint.received_at,
                             Complaint.village_code, Complaint.due_date)
OPEN_SERVICE_INDEX = Index("ix_service_request_open", ServiceRequest.completed_at,
                           ServiceRequest.due_date, ServiceRequest.village_code)

COMPLAINT_MEASURES = tuple(frames.COMPLAINT_MEASURES)
SERVICE_MEASURES = ("submitted", "completed", "due", "due_on_time", "rated", "rating_sum",
                    *(f"rating_{s}" for s in RATING_STARS))
SERVICE_COLUMNS = ["village_code", "matter", "submitted_at", "completed_at", "due_date", "rating"]


def rebuild_complaints_rollups(conn, events: pd.DataFrame | None = None,
                               services: pd.DataFrame | None = None) -> dict[str, int]:
    """Delete and rebuild the two tables of this module; rows per table.

    events: rollup_frames.complaint_events of every complaint, and services: every
    service request (SERVICE_COLUMNS), when the caller has them; read otherwise.
    """
    counts = {}
    for table, build in ((RollupComplaintRWD.__table__, lambda: complaint_rwd(
            frames.complaint_events(frames.read_complaints(conn)) if events is None else events)),
                         (RollupServiceRWM.__table__, lambda: service_rwm(
            frames.read_rows(conn, "service_request", SERVICE_COLUMNS) if services is None else services))):
        started = time.perf_counter()
        conn.execute(text(f"DELETE FROM {table.name}"))
        counts[table.name] = insert_plain(conn, table, build())
        log.info("rebuilt %s in %.2f s", table.name, time.perf_counter() - started)
    return counts


def complaint_rwd(events: pd.DataFrame) -> pd.DataFrame:
    """rollup_complaint_rwd rows from the township events (rollup_frames.complaint_events)."""
    parts = []
    for level, dims in _levels():
        region = _region_codes(events["township_code"], level)
        for dim in dims:
            value = "" if dim == "all" else events[dim].to_numpy()
            rows = (events.assign(region_code=region, value=value)
                    .groupby(["week_key", "region_code", "value"], sort=False, dropna=False)[list(COMPLAINT_MEASURES)]
                    .sum().reset_index())
            parts.append(rows.assign(level=level, dim=dim))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["dim", "level", "week_key", "region_code", "value"], ignore_index=True)


def service_rwm(requests: pd.DataFrame) -> pd.DataFrame:
    """rollup_service_rwm rows: township events by week of submission, completion and due
    date (see the module doc), summed at every level."""
    submitted, completed = frames.days(requests["submitted_at"]), frames.days(requests["completed_at"])
    due = frames.days(requests["due_date"])
    keys = pd.DataFrame({"township_code": frames.townships(requests["village_code"]),
                         "matter": requests["matter"].to_numpy()})
    is_done, has_due = ~np.isnat(completed), ~np.isnat(due)
    rating = pd.to_numeric(requests["rating"]).astype(float).to_numpy()[is_done]
    stars = {f"rating_{s}": (rating == s).astype(np.int64) for s in RATING_STARS}
    events = pd.concat([
        keys.assign(week_key=frames.week_keys(submitted), submitted=1),
        keys[is_done].assign(week_key=frames.week_keys(completed[is_done]), completed=1,
                             rated=(~np.isnan(rating)).astype(np.int64),
                             rating_sum=np.nan_to_num(rating).astype(np.int64), **stars),
        keys[has_due].assign(week_key=frames.week_keys(due[has_due]), due=1,
                             due_on_time=(is_done & (completed <= due))[has_due].astype(np.int64)),
    ], ignore_index=True).fillna({m: 0 for m in SERVICE_MEASURES}).astype({m: np.int64 for m in SERVICE_MEASURES})
    parts = []
    for level, _ in _levels():
        rows = (events.assign(region_code=_region_codes(events["township_code"], level))
                .groupby(["region_code", "matter", "week_key"], sort=False, dropna=False)[list(SERVICE_MEASURES)]
                .sum().reset_index())
        parts.append(rows.assign(level=level))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["level", "region_code", "matter", "week_key"], ignore_index=True)


def _levels():
    """(level, dimensions kept at that level) from the province down to townships."""
    return [(level, TOWNSHIP_DIMS if level == "township" else DIMS) for level in LEVEL_PREFIX]


def _region_codes(townships: pd.Series, level: str) -> np.ndarray:
    """The level's region code of each township code."""
    return frames.code_prefixes(townships, LEVEL_PREFIX[level])


def main(url: str | None = None) -> None:
    """Fill this module's rollups of an existing database (DATABASE_URL by default), once
    after upgrading it to revision 0003_complaints:
    `python -c 'from data.rollups.complaints import main; main()' [URL]`."""
    import sys

    from data.model.db import make_engine
    from data.model.migrate import upgrade
    from settings import load_settings

    logging.basicConfig(level=logging.INFO)
    url = url or (sys.argv[1] if len(sys.argv) > 1 else load_settings().database_url)
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        print(rebuild_complaints_rollups(conn))
    engine.dispose()
