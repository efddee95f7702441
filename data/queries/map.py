"""Hotspot-map queries: one metric for the children of a region, over a period.

Province, city and county children (cities, counties, townships) come from the rollups
through `data.queries.metrics.fetch_child_metrics` (same measures, rates and attention
index as the overview). Villages have no weekly rollup, so `fetch_village_metrics`
counts the raw rows of ONE township (index reads on (village_code, date) of complaint,
disclosure, village_ledger; clue.region_code) with the same definitions as
data/rollups/, then the same rates and attention index (compared among the township's
villages). Money allocations are made to townships, so a village has no disbursement rate.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Float, case, func, select, type_coerce

from data import indicators as ind
from data.calendar import reported_month
from data.codes import CHILD_LEVEL, code_range, level_of
from data.judgement import Context, reasons_for
from data.model.schema import Clue, Complaint, Disclosure, VillageLedger
from data.periods import period_weeks
from data.queries.metrics import (
    ALL_MEASURES,
    _components,
    add_rates,
    collect_measures,
    fetch_child_metrics,
)
from data.queries.regions import fetch_regions_at
from data.scope import Scope, narrow, scope_condition

# metric key -> the column of fetch_*_metrics it reads
MAP_METRICS = ("attention_index", "complaints_per_10k", "complaints_received", "overdue_rate",
               "on_time_completion_rate", "satisfaction_rate", "repeat_complaint_rate", "new_clues",
               "new_clue_amount", "disbursement_rate_ytd", "disclosure_on_time_rate",
               "reporting_completeness")
DEFAULT_METRIC = "attention_index"
VILLAGE_UNAVAILABLE = ("disbursement_rate_ytd",)  # allocations are per township
# Complaints are due within 15 working days and closed within months of receipt; rows due
# or closed in a period are read among those received up to this long before it.
RECEIVED_BEFORE = dt.timedelta(days=400)


def metric_info(metric: str) -> ind.Indicator:
    return ind.INDICATORS[metric]


def child_level_of(region_code: str) -> str | None:
    """The level the map shows under a region (None for a village)."""
    return CHILD_LEVEL.get(level_of(region_code))


def fetch_map_children(conn, scope: Scope, *, region_code: str, week_key: int,
                       period: str = "week") -> pd.DataFrame:
    """Children of the region with every map metric over the period (ordered by code).

    Columns: code, name, population, (lon, lat for villages), measures, rates, the
    attention components, attention_index, reasons. Empty outside the scope.
    """
    level = child_level_of(region_code)
    weeks = period_weeks(period, week_key)
    if level is None or not narrow(scope, region_code):
        return pd.DataFrame(columns=["code", "name", "population", "attention_index", "reasons"])
    if level == "village":
        frame = fetch_village_metrics(conn, scope, township_code=region_code, weeks=weeks)
    else:
        frame = fetch_child_metrics(conn, scope, region_code=region_code, week_key=week_key,
                                    child_level=level, window=len(weeks))
    return frame.sort_values("code", ignore_index=True)


def fetch_region_totals(conn, scope: Scope, *, region_code: str, week_key: int,
                        period: str = "week") -> dict | None:
    """One region's measures and rates over the period (None outside the scope).

    Townships and above read the rollups; a village reads its raw rows.
    """
    eff = narrow(scope, region_code)
    if not eff:
        return None
    weeks = period_weeks(period, week_key)
    if level_of(region_code) == "village":
        frame = fetch_village_metrics(conn, eff, township_code=region_code[:9].ljust(12, "0"),
                                      weeks=weeks)
        frame = frame[frame["code"] == region_code]
        return None if frame.empty else frame.iloc[0].to_dict()
    totals = collect_measures(conn, eff, weeks, last_week=week_key)
    row = totals.iloc[0].to_dict() if len(totals) else dict.fromkeys(ALL_MEASURES, 0.0)
    row = {k: float(row.get(k) or 0.0) for k in ALL_MEASURES}
    row["population"] = _population(conn, eff, region_code)
    frame = add_rates(pd.DataFrame([row]))
    frame["complaints_per_10k"] = ind.complaints_per_10k(frame["received"], frame["population"])
    return frame.iloc[0].to_dict()


def totals_of_children(children: pd.DataFrame) -> dict:
    """A parent's measures and rates from its visible children's rows: sums (stocks were
    taken at the period's last week for each child, so their sums are the parent's)."""
    sums = {m: float(pd.to_numeric(children[m], errors="coerce").fillna(0).sum())
            for m in ALL_MEASURES if m in children}
    sums["population"] = float(children["population"].sum()) if "population" in children else 0.0
    frame = add_rates(pd.DataFrame([sums]))
    frame["complaints_per_10k"] = ind.complaints_per_10k(frame["received"], frame["population"])
    frame["overdue_rate"] = frame["on_time_completion_rate"].map(lambda v: None if v is None else 1 - v)
    return frame.iloc[0].to_dict()


def _population(conn, scope: Scope, region_code: str) -> float:
    """Population of the visible villages under the region (the region table's sum)."""
    from data.model.schema import Region
    r = Region.__table__
    lo, hi = code_range(region_code)
    # `level || ''`: not the (level) index (all ~24,000 villages of a province), the
    # code range of the primary key (a township: ~12 rows)
    stmt = select(func.sum(r.c.population)).where(
        r.c.code.between(lo, hi), r.c.level.concat("") == "village", scope_condition(r.c.code, scope))
    return float(conn.execute(stmt).scalar() or 0)


def _dates(weeks) -> tuple[dt.date, dt.date]:
    from data.calendar import week_bounds
    return week_bounds(min(weeks))[0], week_bounds(max(weeks))[1]


def fetch_village_metrics(conn, scope: Scope, *, township_code: str, weeks) -> pd.DataFrame:
    """Per visible village of one township: the overview's measures from raw rows.

    Same definitions as the rollups (data/model/rollups.py) over [first Monday, last
    Sunday] of `weeks`; reporting = the village booked a finance entry in the month last
    due by the last Sunday.
    """
    villages = fetch_regions_at(conn, scope, region_code=township_code, level="village")
    if villages.empty:
        return villages.assign(attention_index=[], reasons=[])
    coords = _coords(conn, scope, township_code)
    start, end = _dates(weeks)
    t0, t1 = dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    lo, hi = code_range(township_code)
    codes = villages["code"].tolist()  # visible villages: `IN` + date range = index seeks
    frames = [
        _complaint_measures(conn, scope, codes, t0, t1, start, end),
        _disclosure_measures(conn, scope, codes, start, end),
        _clue_measures(conn, scope, lo, hi, start, end),
        _reporting(conn, scope, codes, end),
    ]
    merged = villages.merge(coords, on="code", how="left")
    for part in frames:
        merged = merged.merge(part, on="code", how="left")
    for name in ALL_MEASURES:
        merged[name] = pd.to_numeric(merged[name], errors="coerce").fillna(0.0) if name in merged else 0.0
    merged["villages"] = 1.0
    scored = ind.attention_index(_components(add_rates(merged)))
    for key in VILLAGE_UNAVAILABLE:
        scored[key] = None
    scored["reasons"] = reasons_for(scored, Context(week_key=max(weeks)))
    return scored.sort_values("code", ignore_index=True)


def _coords(conn, scope, township_code):
    from data.model.schema import Region
    r = Region.__table__
    lo, hi = code_range(township_code)
    # `level || ''`: the code range of the primary key, not the (level) index (see _population)
    stmt = select(r.c.code, r.c.lon, r.c.lat).where(
        r.c.code.between(lo, hi), r.c.level.concat("") == "village", scope_condition(r.c.code, scope))
    return pd.DataFrame([tuple(x) for x in conn.execute(stmt)], columns=["code", "lon", "lat"])


def _frame(conn, stmt, columns) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=columns)


def _n(cond):
    return type_coerce(func.sum(case((cond, 1), else_=0)), Float)


def _complaint_measures(conn, scope, codes, t0, t1, start, end) -> pd.DataFrame:
    """Complaint measures per village. Rows are read through (village_code, received_at):
    a complaint due or closed in the period was received at most RECEIVED_BEFORE earlier."""
    c = Complaint.__table__
    in_scope = (c.c.village_code.in_(codes), scope_condition(c.c.village_code, scope),
                c.c.received_at >= t0 - RECEIVED_BEFORE, c.c.received_at < t1)
    received = (c.c.received_at >= t0) & (c.c.received_at < t1)
    closed = (c.c.closed_at >= t0) & (c.c.closed_at < t1)
    due = c.c.due_date.between(start, end)
    on_time = due & c.c.closed_at.is_not(None) & (func.date(c.c.closed_at) <= c.c.due_date)
    cols = {
        "received": _n(received), "accepted": _n(received & c.c.accepted_at.is_not(None)),
        "repeats": _n(received & c.c.repeat_of.is_not(None)),
        "closed": _n(closed), "replied": _n(closed & c.c.replied_at.is_not(None)),
        "rated": _n(closed & c.c.satisfaction.is_not(None)),
        "satisfied": _n(closed & c.c.satisfaction.in_(("very_satisfied", "satisfied"))),
        "due": _n(due), "due_on_time": _n(on_time),
    }
    stmt = (select(c.c.village_code, *[v.label(k) for k, v in cols.items()])
            .where(*in_scope, received | closed | due).group_by(c.c.village_code))
    return _frame(conn, stmt, ["code", *cols])


def _disclosure_measures(conn, scope, codes, start, end) -> pd.DataFrame:
    d = Disclosure.__table__
    stmt = (select(d.c.village_code, type_coerce(func.count(), Float),
                   _n(d.c.published_date.is_not(None) & (d.c.published_date <= d.c.due_date)))
            .where(d.c.village_code.in_(codes), scope_condition(d.c.village_code, scope),
                   d.c.due_date.between(start, end))
            .group_by(d.c.village_code))
    return _frame(conn, stmt, ["code", "disclosure_due", "disclosure_on_time"])


def _clue_measures(conn, scope, lo, hi, start, end) -> pd.DataFrame:
    k = Clue.__table__
    stmt = (select(k.c.region_code, type_coerce(func.count(), Float),
                   type_coerce(func.sum(k.c.amount), Float),
                   _n(k.c.verified_on.is_not(None)), _n(k.c.filed_on.is_not(None)))
            .where(k.c.region_code.between(lo, hi), scope_condition(k.c.region_code, scope),
                   k.c.flagged_on.between(start, end))
            .group_by(k.c.region_code))
    return _frame(conn, stmt, ["code", "new_clues", "new_clue_amount", "clues_verified", "clues_filed"])


def _reporting(conn, scope, codes, sunday) -> pd.DataFrame:
    """villages_reported: 1 for a village that booked an entry in the month whose ledger was
    last due by `sunday` (as rollup_reporting_tw counts them)."""
    v = VillageLedger.__table__
    month = reported_month(sunday)
    first = dt.date(month // 100, month % 100, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    stmt = (select(v.c.village_code, type_coerce(func.count(), Float))
            .where(v.c.village_code.in_(codes), scope_condition(v.c.village_code, scope),
                   v.c.entry_date.between(first, last))
            .group_by(v.c.village_code))
    frame = _frame(conn, stmt, ["code", "entries"])
    frame["villages_reported"] = (frame["entries"] > 0).astype(float)
    return frame.drop(columns="entries")


def rank_among(frame: pd.DataFrame, code: str, metric: str) -> tuple[int | None, int]:
    """(rank of `code` among the rows by `metric`, worst first; number ranked).

    Worst = highest for bad-high metrics, lowest for good-high ones; ties are ordered by
    code; rows with no value are not ranked.
    """
    if frame.empty or metric not in frame:
        return None, 0
    values = pd.to_numeric(frame[metric], errors="coerce").to_numpy(dtype=float)
    codes = frame["code"].to_numpy()
    ok = ~np.isnan(values)
    n = int(ok.sum())
    hit = np.flatnonzero((codes == code) & ok)
    if not len(hit):
        return None, n
    mine = values[hit[0]]
    worse = (values > mine) if not metric_info(metric).higher_is_better else (values < mine)
    ties = (values == mine) & (codes < code)
    return int((ok & (worse | ties)).sum()) + 1, n
