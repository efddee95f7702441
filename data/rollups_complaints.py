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
on an existing database run `python -c 'from data.rollups_complaints import main; main()' [URL]`
once to fill the tables.
"""
from __future__ import annotations

import logging
import time

from sqlalchemy import Float, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from data.rollup_schema import _count, _pk, _Rollup
from data.schema import Base, Code, Complaint, ServiceRequest

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

COMPLAINT_MEASURES = ("received", "accepted", "repeats", "c_replied", "c_closed", "closed",
                      "replied", "rated", "satisfied", "due", "due_on_time", "reply_n",
                      "reply_days", "close_days")
SERVICE_MEASURES = ("submitted", "completed", "due", "due_on_time", "rated", "rating_sum",
                    *(f"rating_{s}" for s in RATING_STARS))
TWP = "substr({0}, 1, 9) || '000'"


def _days_between(conn, later: str, earlier: str) -> str:
    """SQL for the days (fractional) from `earlier` to `later` on this dialect."""
    if conn.dialect.name == "postgresql":
        return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"
    return f"(julianday({later}) - julianday({earlier}))"


def _complaint_events(conn) -> str:
    """Township x week x category x channel x department sums of every event (a SELECT)."""
    close_days = _days_between(conn, "x.closed_at", "x.received_at")
    reply_days = _days_between(conn, "x.replied_at", "x.received_at")
    town = TWP.format("x.village_code")
    z9, z11 = ", ".join(["0"] * 9), ", ".join(["0"] * 11)
    return f"""
SELECT week_key, township_code, category, channel, department,
  SUM(received) AS received, SUM(accepted) AS accepted, SUM(repeats) AS repeats,
  SUM(c_replied) AS c_replied, SUM(c_closed) AS c_closed, SUM(closed) AS closed,
  SUM(replied) AS replied, SUM(rated) AS rated, SUM(satisfied) AS satisfied, SUM(due) AS due,
  SUM(due_on_time) AS due_on_time, SUM(reply_n) AS reply_n, SUM(reply_days) AS reply_days,
  SUM(close_days) AS close_days
FROM (
 SELECT k.week_key, {town} AS township_code, x.category, x.channel, x.department, 1 AS received,
  CASE WHEN x.accepted_at IS NOT NULL THEN 1 ELSE 0 END AS accepted,
  CASE WHEN x.repeat_of IS NOT NULL THEN 1 ELSE 0 END AS repeats,
  CASE WHEN x.replied_at IS NOT NULL THEN 1 ELSE 0 END AS c_replied,
  CASE WHEN x.closed_at IS NOT NULL THEN 1 ELSE 0 END AS c_closed,
  0 AS closed, 0 AS replied, 0 AS rated, 0 AS satisfied, 0 AS due, 0 AS due_on_time,
  0 AS reply_n, 0.0 AS reply_days, 0.0 AS close_days
 FROM complaint x JOIN calendar_day k ON k.day = date(x.received_at)
 UNION ALL
 SELECT k.week_key, {town}, x.category, x.channel, x.department, 0, 0, 0, 0, 0, 1,
  CASE WHEN x.replied_at IS NOT NULL THEN 1 ELSE 0 END,
  CASE WHEN x.satisfaction IS NOT NULL THEN 1 ELSE 0 END,
  CASE WHEN x.satisfaction IN ('very_satisfied', 'satisfied') THEN 1 ELSE 0 END,
  0, 0, 0, 0.0, {close_days}
 FROM complaint x JOIN calendar_day k ON k.day = date(x.closed_at)
 UNION ALL
 SELECT k.week_key, {town}, x.category, x.channel, x.department, {z9}, 1,
  CASE WHEN x.closed_at IS NOT NULL AND date(x.closed_at) <= x.due_date THEN 1 ELSE 0 END,
  0, 0.0, 0.0
 FROM complaint x JOIN calendar_day k ON k.day = x.due_date
 UNION ALL
 SELECT k.week_key, {town}, x.category, x.channel, x.department, {z11}, 1, {reply_days}, 0.0
 FROM complaint x JOIN calendar_day k ON k.day = date(x.replied_at)
) u GROUP BY week_key, township_code, category, channel, department"""


def _service_events() -> str:
    town = TWP.format("x.village_code")
    stars = ", ".join(f"CASE WHEN x.rating = {s} THEN 1 ELSE 0 END" for s in RATING_STARS)
    zeros = ", ".join("0" for _ in RATING_STARS)
    sums = ", ".join(f"SUM(rating_{s}) AS rating_{s}" for s in RATING_STARS)
    names = ", ".join(f"0 AS rating_{s}" for s in RATING_STARS)
    return f"""
SELECT week_key, township_code, matter, SUM(submitted) AS submitted, SUM(completed) AS completed,
  SUM(due) AS due, SUM(due_on_time) AS due_on_time, SUM(rated) AS rated,
  SUM(rating_sum) AS rating_sum, {sums}
FROM (
 SELECT k.week_key, {town} AS township_code, x.matter, 1 AS submitted, 0 AS completed, 0 AS due,
  0 AS due_on_time, 0 AS rated, 0 AS rating_sum, {names}
 FROM service_request x JOIN calendar_day k ON k.day = date(x.submitted_at)
 UNION ALL
 SELECT k.week_key, {town}, x.matter, 0, 1, 0, 0,
  CASE WHEN x.rating IS NOT NULL THEN 1 ELSE 0 END, COALESCE(x.rating, 0), {stars}
 FROM service_request x JOIN calendar_day k ON k.day = date(x.completed_at)
 UNION ALL
 SELECT k.week_key, {town}, x.matter, 0, 0, 1,
  CASE WHEN x.completed_at IS NOT NULL AND date(x.completed_at) <= x.due_date THEN 1 ELSE 0 END,
  0, 0, {zeros}
 FROM service_request x JOIN calendar_day k ON k.day = x.due_date
) u GROUP BY week_key, township_code, matter"""


def _region_expr(level: str) -> str:
    n = LEVEL_PREFIX[level]
    return f"substr(township_code, 1, {n}) || '{'0' * (12 - n)}'"


def rebuild_complaints_rollups(conn) -> dict[str, int]:
    """Delete and rebuild the two tables of this module; rows per table."""
    counts = {}
    started = time.perf_counter()
    conn.execute(text("DROP TABLE IF EXISTS tmp_complaint_events"))
    conn.execute(text("CREATE TEMPORARY TABLE tmp_complaint_events AS " + _complaint_events(conn)))
    conn.execute(text(f"DELETE FROM {RollupComplaintRWD.__tablename__}"))
    sums = ", ".join(f"SUM({m})" for m in COMPLAINT_MEASURES)
    # county-level events (a few times smaller) feed the county, city and province rows
    conn.execute(text("DROP TABLE IF EXISTS tmp_complaint_events_c"))
    conn.execute(text(
        f"CREATE TEMPORARY TABLE tmp_complaint_events_c AS SELECT week_key, {_region_expr('county')} "
        f"AS township_code, category, channel, department, "
        + ", ".join(f"SUM({m}) AS {m}" for m in COMPLAINT_MEASURES)
        + f" FROM tmp_complaint_events GROUP BY week_key, {_region_expr('county')}, category, "
          "channel, department"))
    total = 0
    for level in LEVEL_PREFIX:
        region = _region_expr(level)
        source = "tmp_complaint_events" if level == "township" else "tmp_complaint_events_c"
        for dim in (TOWNSHIP_DIMS if level == "township" else DIMS):
            value = "''" if dim == "all" else dim
            sql = (f"INSERT INTO rollup_complaint_rwd (level, region_code, dim, week_key, value, "
                   f"{', '.join(COMPLAINT_MEASURES)}) SELECT '{level}', {region}, '{dim}', week_key, "
                   f"{value}, {sums} FROM {source} GROUP BY week_key, {region}"
                   + ("" if dim == "all" else f", {value}")
                   + f" ORDER BY week_key, {region}" + ("" if dim == "all" else f", {value}"))
            total += conn.execute(text(sql)).rowcount
    conn.execute(text("DROP TABLE tmp_complaint_events"))
    conn.execute(text("DROP TABLE tmp_complaint_events_c"))
    counts[RollupComplaintRWD.__tablename__] = total
    log.info("rebuilt rollup_complaint_rwd in %.2f s", time.perf_counter() - started)

    started = time.perf_counter()
    conn.execute(text("DROP TABLE IF EXISTS tmp_service_events"))
    conn.execute(text("CREATE TEMPORARY TABLE tmp_service_events AS " + _service_events()))
    conn.execute(text(f"DELETE FROM {RollupServiceRWM.__tablename__}"))
    sums = ", ".join(f"SUM({m})" for m in SERVICE_MEASURES)
    total = 0
    for level in LEVEL_PREFIX:
        region = _region_expr(level)
        sql = (f"INSERT INTO rollup_service_rwm (level, region_code, matter, week_key, "
               f"{', '.join(SERVICE_MEASURES)}) SELECT '{level}', {region}, matter, week_key, {sums} "
               f"FROM tmp_service_events GROUP BY {region}, matter, week_key")
        total += conn.execute(text(sql)).rowcount
    conn.execute(text("DROP TABLE tmp_service_events"))
    counts[RollupServiceRWM.__tablename__] = total
    log.info("rebuilt rollup_service_rwm in %.2f s", time.perf_counter() - started)
    return counts


def main(url: str | None = None) -> None:
    """Fill this module's rollups of an existing database (DATABASE_URL by default), once
    after upgrading it to revision 0003_complaints:
    `python -c 'from data.rollups_complaints import main; main()' [URL]`."""
    import sys

    from data.db import make_engine
    from data.migrate import upgrade
    from settings import load_settings

    logging.basicConfig(level=logging.INFO)
    url = url or (sys.argv[1] if len(sys.argv) > 1 else load_settings().database_url)
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        print(rebuild_complaints_rollups(conn))
    engine.dispose()
