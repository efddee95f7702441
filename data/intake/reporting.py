"""Reporting completeness and timeliness (数据报送): which villages sent their village
ledger (村级财务) for a month, when it arrived, and how that ranks their units.

A village has reported a month when a ledger entry booked in that month is stored. It
arrived when the first import batch holding one finished; it is due on the 10th of the
following month (DUE_DAY), so days late = arrival - due (0 when on time). A demo load is
not an arrival: its timeliness is unknown and shown as such, never as on time.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import and_, func, select

from data.calendar import REPORT_DUE_DAY
from data.codes import CHILD_LEVEL, PREFIX_LEN, code_range, level_of
from data.model.schema import ImportBatch, Region, VillageLedger
from data.scope import Scope, scope_condition

DUE_DAY = REPORT_DUE_DAY


def month_bounds(month: str) -> tuple[dt.date, dt.date, dt.date]:
    """(first day, last day, due date) of 'YYYY-MM'."""
    first = dt.date(int(month[:4]), int(month[5:7]), 1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1), following.replace(day=DUE_DAY)


def reporting_months(conn, as_of: dt.date, count: int = 12) -> list[str]:
    """The last `count` months whose ledger is due by `as_of`, newest first."""
    months: list[str] = []
    day = as_of.replace(day=1)
    while len(months) < count:
        day = (day - dt.timedelta(days=1)).replace(day=1)
        if month_bounds(day.strftime("%Y-%m"))[2] <= as_of:
            months.append(day.strftime("%Y-%m"))
    return months


def village_reports(conn, scope: Scope, root: str, month: str) -> pd.DataFrame:
    """Every village under `root` in the scope: code, name, unit (the root's child holding
    it), reported (bool), arrived_on (date or None), days_late (None when unknown)."""
    first, last, due = month_bounds(month)
    lo, hi = code_range(root)
    v, led, b = Region.__table__, VillageLedger.__table__, ImportBatch.__table__
    arrived = func.min(func.coalesce(b.c.finished_at, b.c.started_at))
    query = (select(v.c.code, v.c.name, func.count(led.c.id).label("entries"), arrived.label("arrived"),
                    func.min(b.c.kind).label("kind"))
             .select_from(v.outerjoin(led, and_(led.c.village_code == v.c.code,
                                                led.c.entry_date.between(first, last)))
                        .outerjoin(b, b.c.id == led.c.batch_id))
             .where(v.c.level == "village", v.c.code.between(lo, hi), scope_condition(v.c.code, scope))
             .group_by(v.c.code, v.c.name).order_by(v.c.code))
    frame = pd.DataFrame(conn.execute(query).all(), columns=["code", "name", "entries", "arrived", "kind"])
    digits = PREFIX_LEN[CHILD_LEVEL.get(level_of(root), "village")]
    frame["unit"] = frame["code"].str[:digits].str.ljust(12, "0")
    frame["reported"] = frame["entries"] > 0
    imported = frame["reported"] & (frame["kind"] == "import")
    arrived_on = pd.to_datetime(frame["arrived"]).dt.date
    frame["arrived_on"] = arrived_on.where(imported, None)
    frame["days_late"] = [max(0, (a - due).days) if ok else None for a, ok in zip(arrived_on, imported)]
    return frame[["code", "name", "unit", "reported", "arrived_on", "days_late"]]


def unit_ranking(conn, villages: pd.DataFrame) -> pd.DataFrame:
    """Per unit: villages, reported, completeness, on time (of those whose arrival is
    known), mean days late; best completeness first, then timeliness."""
    if villages.empty:
        return pd.DataFrame(columns=["unit", "name", "villages", "reported", "completeness", "on_time",
                                     "days_late"])
    known = villages.dropna(subset=["days_late"])
    grouped = villages.groupby("unit").agg(villages=("code", "size"), reported=("reported", "sum")).reset_index()
    timely = known.groupby("unit").agg(known=("code", "size"), punctual=("days_late", lambda d: int((d == 0).sum())),
                                       days_late=("days_late", "mean")).reset_index()
    out = grouped.merge(timely, on="unit", how="left")
    out["completeness"] = out["reported"] / out["villages"]
    out["on_time"] = out["punctual"] / out["known"]
    names = dict(conn.execute(select(Region.code, Region.name).where(Region.code.in_(list(out["unit"])))).all())
    out["name"] = out["unit"].map(names).fillna(out["unit"])
    out = out.sort_values(["completeness", "on_time", "days_late"], ascending=[False, False, True],
                          na_position="last", ignore_index=True)
    return out[["unit", "name", "villages", "reported", "completeness", "on_time", "days_late"]]
