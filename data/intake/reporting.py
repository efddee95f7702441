"""Reporting completeness and timeliness (数据报送): for each dataset a village owes
periodically, which villages sent it for a period, how late, and how that ranks their units.

- village ledger (村级财务), monthly: reported when an entry booked in the month is stored;
  due on the 10th of the following month (DUE_DAY);
- fund payments (资金发放), by their period (a month or a quarter): reported when a payment
  of the period is stored; due on the 10th of the month after the period;
- disclosures (村务公开), by their own due dates: reported when every item of the period
  is published; late by the publication date against the item's due date.

For the first two the data arrived when the first import batch holding it finished, so
days late = arrival - due (0 when on time). A demo load is not an arrival: its timeliness
is unknown and shown as such, never as on time. A disclosure carries its own dates.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import ColumnElement, and_, case, func, literal_column, select

from data.calendar import REPORT_DUE_DAY
from data.codes import CHILD_LEVEL, PREFIX_LEN, code_range, level_of
from data.model.schema import Disclosure, FundPayment, ImportBatch, Region, VillageLedger
from data.scope import Scope, scope_condition

DUE_DAY = REPORT_DUE_DAY
# the datasets due periodically, as the exchange format names them (ledger first: the default)
DUE_DATASETS = ("village_ledger", "fund_payments", "disclosures")


def period_bounds(period: str) -> tuple[dt.date, dt.date, dt.date]:
    """(first day, last day, due date: the DUE_DAY of the month after) of 'YYYY-MM' or
    'YYYY-Qn'; ValueError for anything else."""
    year = int(period[:4])
    if period[5:6] == "Q":
        first = dt.date(year, 3 * int(period[6]) - 2, 1)
        months = 3
    else:
        first, months = dt.date(year, int(period[5:7]), 1), 1
    following = first
    for _ in range(months):
        following = (following + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1), following.replace(day=DUE_DAY)


def reporting_months(conn, as_of: dt.date, count: int = 12) -> list[str]:
    """The last `count` months whose ledger is due by `as_of`, newest first."""
    months: list[str] = []
    day = as_of.replace(day=1)
    while len(months) < count:
        day = (day - dt.timedelta(days=1)).replace(day=1)
        if period_bounds(day.strftime("%Y-%m"))[2] <= as_of:
            months.append(day.strftime("%Y-%m"))
    return months


def reporting_periods(conn, as_of: dt.date, dataset: str = "village_ledger", count: int = 12) -> list[str]:
    """The last `count` periods of `dataset` that are due by `as_of`, newest first (the
    ledger: every month; payments and disclosures: the periods their rows name)."""
    if dataset == "village_ledger":
        return reporting_months(conn, as_of, count)
    if dataset == "fund_payments":
        stored = conn.execute(select(FundPayment.period).distinct()).scalars()
        due = {p: period_bounds(p)[2] for p in stored if _is_period(p)}
    elif dataset == "disclosures":
        due = dict(conn.execute(select(Disclosure.period, func.min(Disclosure.due_date))
                                .group_by(Disclosure.period)).all())
    else:
        raise ValueError(f"not a dataset due periodically: {dataset!r}")
    periods = [p for p, day in due.items() if day is not None and _day(day) <= as_of and _is_period(p)]
    return sorted(periods, key=lambda p: period_bounds(p)[1], reverse=True)[:count]


def village_reports(conn, scope: Scope, root: str, period: str, dataset: str = "village_ledger") -> pd.DataFrame:
    """Every village under `root` in the scope: code, name, unit (the root's child holding
    it), reported (bool), arrived_on (date or None), days_late (None when unknown)."""
    v = Region.__table__
    lo, hi = code_range(root)
    joined, counted, arrived, kind, due = _sent(v, dataset, period)
    query = (select(v.c.code, v.c.name, counted.label("entries"), arrived.label("arrived"), kind.label("kind"),
                    due.label("due"))
             .select_from(joined)
             .where(v.c.level == "village", v.c.code.between(lo, hi), scope_condition(v.c.code, scope))
             .group_by(v.c.code, v.c.name).order_by(v.c.code))
    frame = pd.DataFrame(conn.execute(query).all(), columns=["code", "name", "entries", "arrived", "kind", "due"])
    digits = PREFIX_LEN[CHILD_LEVEL.get(level_of(root), "village")]
    frame["unit"] = frame["code"].str[:digits].str.ljust(12, "0")
    frame["reported"] = frame["entries"] > 0
    known = frame["reported"] & frame["kind"].isin(["import", "dated"])
    arrived_on = pd.to_datetime(frame["arrived"]).dt.date
    due_on = pd.to_datetime(frame["due"]).dt.date if dataset == "disclosures" else \
        pd.Series(period_bounds(period)[2], index=frame.index)
    frame["arrived_on"] = arrived_on.where(known, None)
    frame["days_late"] = [max(0, (a - d).days) if ok else None for a, d, ok in zip(arrived_on, due_on, known)]
    return frame[["code", "name", "unit", "reported", "arrived_on", "days_late"]]


def _sent(v, dataset: str, period: str):
    """(the villages with the rows of `dataset` for `period` and their batches joined, rows
    counted as sent, arrival, 'import'|'demo'|'dated', due date) for the query."""
    b = ImportBatch.__table__
    by_batch = func.min(func.coalesce(b.c.finished_at, b.c.started_at))
    no_due: ColumnElement = literal_column("NULL")  # the period's own: period_bounds
    if dataset == "village_ledger":
        first, last, _ = period_bounds(period)
        led = VillageLedger.__table__
        joined = (v.outerjoin(led, and_(led.c.village_code == v.c.code, led.c.entry_date.between(first, last)))
                  .outerjoin(b, b.c.id == led.c.batch_id))
        return joined, func.count(led.c.id), by_batch, func.min(b.c.kind), no_due
    if dataset == "fund_payments":
        pay = FundPayment.__table__
        joined = (v.outerjoin(pay, and_(pay.c.village_code == v.c.code, pay.c.period == period))
                  .outerjoin(b, b.c.id == pay.c.batch_id))
        return joined, func.count(pay.c.id), by_batch, func.min(b.c.kind), no_due
    if dataset == "disclosures":
        disc = Disclosure.__table__
        # a disclosure counts once every item of the period is published (none outstanding)
        items, published = func.count(disc.c.id), func.count(disc.c.published_date)
        complete = case((and_(items > 0, items == published), 1), else_=0)
        joined = v.outerjoin(disc, and_(disc.c.village_code == v.c.code, disc.c.period == period))
        return joined, complete, func.max(disc.c.published_date), literal_column("'dated'"), func.min(disc.c.due_date)
    raise ValueError(f"not a dataset due periodically: {dataset!r}")


def _is_period(value) -> bool:
    text = str(value or "")
    return len(text) == 7 and text[:4].isdigit() and (text[5:].isdigit() or (text[5] == "Q" and text[6] in "1234"))


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def unit_ranking(conn, villages: pd.DataFrame) -> pd.DataFrame:
    """Per unit: villages, reported, completeness, on time (of those whose arrival is
    known), mean days late; best completeness first, then timeliness."""
    if villages.empty:
        return pd.DataFrame(columns=["unit", "name", "villages", "reported", "completeness", "on_time",
                                     "days_late"])
    known = villages.dropna(subset=["days_late"])
    known = known.assign(punctual=(known["days_late"] == 0).astype(int), days_late=known["days_late"].astype(float))
    grouped = villages.groupby("unit").agg(villages=("code", "size"), reported=("reported", "sum")).reset_index()
    timely = known.groupby("unit").agg(known=("code", "size"), punctual=("punctual", "sum"),
                                       days_late=("days_late", "mean")).reset_index()
    out = grouped.merge(timely, on="unit", how="left")
    out["completeness"] = out["reported"] / out["villages"]
    out["on_time"] = out["punctual"] / out["known"]
    names = dict(conn.execute(select(Region.code, Region.name).where(Region.code.in_(list(out["unit"])))).all())
    out["name"] = out["unit"].map(names).fillna(out["unit"])
    out = out.sort_values(["completeness", "on_time", "days_late"], ascending=[False, False, True],
                          na_position="last", ignore_index=True)
    return out[["unit", "name", "villages", "reported", "completeness", "on_time", "days_late"]]
