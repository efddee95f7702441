"""Region profile (村级画像 / 乡镇画像): one region's indicators over a period, compared
with the previous period, its parent and its peers (siblings), and its weekly trend.

Township and above read the rollups (data.queries.metrics / data.queries.map); a village
reads its own raw rows (data.queries.map.fetch_village_metrics, index reads on one
township). Scope is applied in SQL by those functions; out of scope -> None / empty.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select

from data.calendar import week_key as week_of
from data.calendar import weeks_back
from data.codes import PARENT_LEVEL, ancestor_at, code_range, level_of
from data.model.schema import Clue, Complaint
from data.periods import period_weeks
from data.queries.map import (
    RECEIVED_BEFORE,
    fetch_map_children,
    fetch_region_totals,
    rank_among,
    totals_of_children,
)
from data.queries.metrics import add_rates, fetch_trend
from data.scope import Scope, narrow, scope_condition

PROFILE_KPIS = ("complaints_received", "complaints_per_10k", "on_time_completion_rate",
                "satisfaction_rate", "repeat_complaint_rate", "new_clues", "new_clue_amount",
                "disbursement_rate_ytd", "disclosure_on_time_rate", "reporting_completeness")


def parent_of(code: str) -> str | None:
    level = level_of(code)
    return ancestor_at(code, PARENT_LEVEL[level]) if level in PARENT_LEVEL else None


def previous_end(period: str, week_key: int) -> int:
    """The last week of the period just before (same kind, same length)."""
    weeks = period_weeks(period, week_key)
    return weeks_back(weeks[0], 2)[0]


def fetch_profile(conn, scope: Scope, *, region_code: str, week_key: int,
                  period: str = "week", with_children: bool = True) -> dict | None:
    """The profile's numbers; None when the region is not visible.

    own / previous / parent: measure+rate dicts; peers: the parent's children (metrics,
    attention index, reasons) with `own_row` the region's row among them; ranks:
    {kpi: (rank worst-first, n)}; children: the region's children (none for a village).
    """
    if not narrow(scope, region_code):
        return None
    parent = parent_of(region_code)
    visible_parent = parent if parent and narrow(scope, parent) and scope.allows(parent) else None
    peers = (fetch_map_children(conn, scope, region_code=visible_parent, week_key=week_key, period=period)
             if visible_parent else pd.DataFrame())
    in_peers = not peers.empty and region_code in set(peers["code"])
    own_row = peers[peers["code"] == region_code].iloc[0].to_dict() if in_peers else {}
    own = own_row or fetch_region_totals(conn, scope, region_code=region_code, week_key=week_key,
                                         period=period)
    if not own:
        return None
    prev_week = previous_end(period, week_key)
    length = len(period_weeks(period, week_key))
    previous = _totals_window(conn, scope, region_code, prev_week, length, period)
    if not in_peers or visible_parent is None:  # peers are only read for a visible parent
        parent_totals = None
    elif level_of(region_code) == "village":  # allocations and stocks: the township's rollups
        parent_totals = fetch_region_totals(conn, scope, region_code=visible_parent, week_key=week_key,
                                            period=period)
    else:
        parent_totals = totals_of_children(peers)
    ranks = {k: rank_among(peers, region_code, k) for k in (*PROFILE_KPIS, "attention_index")}
    children = (fetch_map_children(conn, scope, region_code=region_code, week_key=week_key,
                                   period=period)
                if with_children and level_of(region_code) != "village" else pd.DataFrame())
    return {"own": own, "previous": previous, "parent": parent_totals, "parent_code": parent,
            "peers": peers, "own_row": own_row, "ranks": ranks, "children": children}


def _totals_window(conn, scope, region_code, end_week, length, period) -> dict | None:
    """Totals over `length` weeks ending at `end_week` (the previous period)."""
    kind = "week" if length == 1 else f"{length}w"
    return fetch_region_totals(conn, scope, region_code=region_code, week_key=end_week, period=kind)


def fetch_region_trend(conn, scope: Scope, *, region_code: str, week_key: int,
                       weeks: int = 12) -> pd.DataFrame:
    """Weekly complaints received, on-time and satisfaction rates, new clues (oldest first).

    Townships and above: the rollups (data.queries.metrics.fetch_trend). A village: its
    complaint rows of those weeks binned by ISO week in pandas (same definitions).
    """
    if level_of(region_code) != "village":
        return fetch_trend(conn, scope, region_code=region_code, week_key=week_key, weeks=weeks)
    eff = narrow(scope, region_code)
    keys = weeks_back(week_key, weeks)
    if not eff:
        return pd.DataFrame(columns=["week_key"])
    from data.calendar import week_bounds
    start, end = week_bounds(keys[0])[0], week_bounds(keys[-1])[1]
    c = Complaint.__table__
    lo, hi = code_range(region_code)
    t0 = dt.datetime.combine(start, dt.time())
    stmt = select(c.c.received_at, c.c.closed_at, c.c.due_date, c.c.satisfaction, c.c.repeat_of).where(
        c.c.village_code == region_code, scope_condition(c.c.village_code, eff),
        c.c.received_at >= t0 - RECEIVED_BEFORE,  # index (village_code, received_at)
        (c.c.received_at >= t0) | (c.c.due_date >= start) | (c.c.closed_at >= t0))
    rows = pd.DataFrame([tuple(r) for r in conn.execute(stmt)],
                        columns=["received_at", "closed_at", "due_date", "satisfaction", "repeat_of"])
    frame = pd.DataFrame({"week_key": keys})
    for name in ("received", "accepted", "repeats", "closed", "replied", "rated", "satisfied", "due",
                 "due_on_time", "paid_amount_ytd", "allocated_amount_ytd", "disclosure_on_time",
                 "disclosure_due", "villages_reported", "villages", "new_clues", "clues_verified",
                 "clues_filed", "warnings_closed", "warnings_raised"):
        frame[name] = 0.0
    if not rows.empty:
        def wk(values):
            return pd.Series([week_of(pd.Timestamp(v).date()) if pd.notna(v) else -1 for v in values])
        rw, cw, dw = wk(rows.received_at), wk(rows.closed_at), wk(rows.due_date)
        closed_day = pd.to_datetime(rows.closed_at).dt.normalize()
        on_time = closed_day.notna() & (closed_day <= pd.to_datetime(rows.due_date))
        sat = rows.satisfaction.isin(["very_satisfied", "satisfied"])
        rated = rows.satisfaction.notna()
        repeat = rows.repeat_of.notna()

        def count(weeks: pd.Series, mask=None) -> list[float]:
            picked = weeks[mask.to_numpy()] if mask is not None else weeks
            counts = picked.value_counts()
            return [float(counts.get(k, 0)) for k in keys]
        frame["received"] = count(rw)
        frame["repeats"] = count(rw, repeat)
        frame["closed"] = count(cw)
        frame["rated"] = count(cw, rated)
        frame["satisfied"] = count(cw, sat)
        frame["due"] = count(dw)
        frame["due_on_time"] = count(dw, on_time)
    k = Clue.__table__
    flagged = [week_of(d) for (d,) in conn.execute(select(k.c.flagged_on).where(
        k.c.region_code.between(lo, hi), scope_condition(k.c.region_code, eff),
        k.c.flagged_on.between(start, end)))]
    frame["new_clues"] = [float(flagged.count(w)) for w in frame["week_key"]]
    return add_rates(frame)


TIMELINE_SERIES = ("complaints_received", "service_requests", "new_clues", "warnings_raised",
                   "funds_paid", "finance_expense")


def fetch_region_timeline(conn, scope: Scope, *, region_code: str, week_key: int,
                          weeks: int = 26) -> pd.DataFrame:
    """One region's activity on one time axis: columns series, period_start (date), value.

    Weekly (ISO weeks ending with `week_key`): complaints received, new clues, warnings
    raised and funds paid (rollups of its townships, or a village's raw rows), 我要办
    service requests (raw rows, index on (village_code, submitted_at)). Monthly: village
    finance expenses (rollup_ledger_vm / _tm) for the months the weeks touch.
    Empty outside the scope.
    """
    eff = narrow(scope, region_code)
    if not eff:
        return pd.DataFrame(columns=["series", "period_start", "value"])
    from data.calendar import week_bounds
    from data.queries.metrics import collect_measures
    keys = weeks_back(week_key, weeks)
    start, end = week_bounds(keys[0])[0], week_bounds(keys[-1])[1]
    mondays = {k: week_bounds(k)[0] for k in keys}
    rows = []
    if level_of(region_code) == "village":
        trend = fetch_region_trend(conn, scope, region_code=region_code, week_key=week_key, weeks=weeks)
        weekly = {"complaints_received": dict(zip(trend["week_key"], trend["received"])),
                  "new_clues": dict(zip(trend["week_key"], trend["new_clues"])),
                  "warnings_raised": _village_warnings(conn, eff, region_code, start, end),
                  "funds_paid": _village_paid(conn, eff, region_code, start, end)}
    else:
        frame = collect_measures(conn, eff, keys).set_index("week_key")
        weekly = {name: {int(k): float(v) for k, v in frame[col].items()} for name, col in (
            ("complaints_received", "received"), ("new_clues", "new_clues"),
            ("warnings_raised", "warnings_raised"), ("funds_paid", "paid_amount"))}
    weekly["service_requests"] = _service_requests(conn, eff, region_code, start, end)
    for name, values in weekly.items():
        rows += [(name, mondays[k], float(values.get(k, 0.0))) for k in keys]
    rows += [("finance_expense", month_start, amount)
             for month_start, amount in _finance_expense(conn, eff, region_code, start, end)]
    return pd.DataFrame(rows, columns=["series", "period_start", "value"])


def _village_codes(conn, scope, region_code) -> list[str]:
    from data.model.schema import Region
    r = Region.__table__
    lo, hi = code_range(region_code)
    return list(conn.execute(select(r.c.code).where(
        r.c.code.between(lo, hi), r.c.level == "village", scope_condition(r.c.code, scope))).scalars())


def _by_week(dates) -> dict[int, float]:
    out: dict[int, float] = {}
    for d in dates:
        if d is None:
            continue
        k = week_of(pd.Timestamp(d).date())
        out[k] = out.get(k, 0.0) + 1.0
    return out


def _service_requests(conn, scope, region_code, start, end) -> dict[int, float]:
    from data.model.schema import ServiceRequest
    s = ServiceRequest.__table__
    codes = _village_codes(conn, scope, region_code)
    if not codes:
        return {}
    t0 = dt.datetime.combine(start, dt.time())
    t1 = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    stmt = select(s.c.submitted_at).where(s.c.village_code.in_(codes), scope_condition(s.c.village_code, scope),
                                          s.c.submitted_at >= t0, s.c.submitted_at < t1)
    return _by_week(conn.execute(stmt).scalars())


def _village_warnings(conn, scope, region_code, start, end) -> dict[int, float]:
    from data.model.schema import Warning
    w = Warning.__table__
    lo, hi = code_range(region_code)
    stmt = select(w.c.raised_on).where(w.c.region_code.between(lo, hi), scope_condition(w.c.region_code, scope),
                                       w.c.raised_on.between(start, end))
    return _by_week(conn.execute(stmt).scalars())


def _village_paid(conn, scope, region_code, start, end) -> dict[int, float]:
    """Amount paid by week of paid_date (read through the (village_code, due_date) index:
    payments are due at most a year before they are paid)."""
    from data.model.schema import FundPayment
    p = FundPayment.__table__
    stmt = select(p.c.paid_date, p.c.amount).where(
        p.c.village_code == region_code, scope_condition(p.c.village_code, scope),
        p.c.due_date.between(start - dt.timedelta(days=366), end), p.c.paid_date.between(start, end))
    out: dict[int, float] = {}
    for paid, amount in conn.execute(stmt):
        k = week_of(pd.Timestamp(paid).date())
        out[k] = out.get(k, 0.0) + float(amount)
    return out


def _finance_expense(conn, scope, region_code, start, end) -> list[tuple[dt.date, float]]:
    """Village finance expenses per month (rollup_ledger_vm for a village, _tm above)."""
    from sqlalchemy import func as f

    from data.model.rollups import RollupLedgerTM, RollupLedgerVM
    village = level_of(region_code) == "village"
    table = (RollupLedgerVM if village else RollupLedgerTM).__table__
    code_col = table.c.village_code if village else table.c.township_code
    lo, hi = code_range(region_code)
    first, last = start.year * 100 + start.month, end.year * 100 + end.month
    in_region = code_col == region_code if village else code_col.between(lo, hi)
    stmt = (select(table.c.month_key, f.sum(table.c.amount))
            .where(in_region, scope_condition(code_col, scope),
                   table.c.month_key.between(first, last), table.c.direction == "expense")
            .group_by(table.c.month_key).order_by(table.c.month_key))
    return [(dt.date(m // 100, m % 100, 1), float(v or 0)) for m, v in conn.execute(stmt)]
