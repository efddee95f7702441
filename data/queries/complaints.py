"""Queries of the complaints page (/complaints): trends, spikes, handling, units, 我要办.

Aggregates read rollups only: `rollup_complaint_rwd` / `rollup_service_rwm`
(data/rollups/complaints.py; one row set per region of any level, so a province reads
as few rows as a township), `rollup_complaint_twcc` (a township's categories and
channels) and `rollup_complaint_tw` (every township under a region, for the league
table and the spike scan). Record lists (open complaints, overdue service requests)
read raw rows through the indexes of revision 0003_complaints, 50 at a time, and
select listed columns only: complainant identity is never selected here.

The user's scope is applied in SQL: `narrow(scope, region)` is the part of the scope
inside the requested region (empty = nothing), and every statement filters on it.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Float, and_, case, func, literal, or_, select, type_coerce

from data import indicators as ind
from data.codes import CHILD_LEVEL, InvalidRegionCode, code_range, level_of, normalize_code
from data.model.rollups import (
    RollupComplaintRWD,
    RollupComplaintTW,
    RollupComplaintTWCC,
    RollupServiceRWM,
)
from data.model.schema import Complaint, Region, ServiceRequest
from data.rollups.complaints import COMPLAINT_MEASURES, SERVICE_MEASURES
from data.scope import Scope, narrow, scope_condition

_rwd, _svc = RollupComplaintRWD.__table__, RollupServiceRWM.__table__
_tw, _twcc = RollupComplaintTW.__table__, RollupComplaintTWCC.__table__
_cx, _sr, _region = Complaint.__table__, ServiceRequest.__table__, Region.__table__
ROLLUP_LEVELS = ("province", "city", "county", "township")
BREAKDOWNS = ("region", "category", "channel")
AGE_BANDS = ((0, 7, "d0_7"), (8, 15, "d8_15"), (16, 30, "d16_30"), (31, 90, "d31_90"),
             (91, None, "d91p"))
# record-list columns (never complainant_name / _phone / _id_number)
OPEN_COLUMNS = ("case_no", "received_at", "village_code", "category", "channel", "department",
                "accepted_at", "replied_at", "due_date", "content")
SERVICE_COLUMNS = ("id", "matter", "village_code", "submitted_at", "due_date")


def effective(scope: Scope, region_code: str) -> Scope:
    """The scope narrowed to the region, limited to levels that have rollup rows."""
    eff = narrow(scope, region_code)
    return Scope(frozenset(c for c in eff.codes if level_of(c) in ROLLUP_LEVELS))


def _own_rows(table, eff: Scope):
    """Rows of exactly the scope's regions (each at its own level)."""
    return or_(*(and_(table.c.level == level_of(c), table.c.region_code == c) for c in sorted(eff.codes)))


def _frame(conn, stmt, columns) -> pd.DataFrame:
    return pd.DataFrame.from_records([tuple(r) for r in conn.execute(stmt)], columns=columns)


def _sum(col, name=None):
    return type_coerce(func.sum(col), Float).label(name or col.name)


def child_level(region_code: str) -> str | None:
    """The level below the region's among the rollup levels (None under a township)."""
    child = CHILD_LEVEL.get(level_of(region_code))
    return child if child in ROLLUP_LEVELS else None


# --- trends -------------------------------------------------------------------------------

def fetch_weekly(conn, scope: Scope, *, region_code: str, weeks: list[int], by: str) -> pd.DataFrame:
    """Complaints received per week and breakdown key: columns week_key, key, received.

    by = `region`: the region's child regions (key = child code; a township falls back to
    `category`); `category` or `channel`: the region's values. Empty outside the scope.
    """
    cols = ["week_key", "key", "received"]
    eff = effective(scope, region_code)
    if not eff or not weeks:
        return pd.DataFrame(columns=cols)
    if by == "region":
        level = child_level(region_code)
        if level is None:
            return fetch_weekly(conn, scope, region_code=region_code, weeks=weeks, by="category")
        stmt = (select(_rwd.c.week_key, _rwd.c.region_code, _sum(_rwd.c.received))
                .where(_rwd.c.level == level, _rwd.c.dim == "all",
                       _rwd.c.region_code.between(*code_range(region_code)),
                       scope_condition(_rwd.c.region_code, eff), _rwd.c.week_key.in_(weeks))
                .group_by(_rwd.c.week_key, _rwd.c.region_code))
        return _frame(conn, stmt, cols)
    if by not in ("category", "channel"):
        raise ValueError(f"unknown breakdown {by!r}")
    if all(level_of(c) == "township" for c in eff.codes):  # townships: no rwd rows by value
        stmt = (select(_twcc.c.week_key, _twcc.c[by], _sum(_twcc.c.received))
                .where(_twcc.c.township_code.in_(sorted(eff.codes)), _twcc.c.week_key.in_(weeks))
                .group_by(_twcc.c.week_key, _twcc.c[by]))
        return _frame(conn, stmt, cols)
    stmt = (select(_rwd.c.week_key, _rwd.c.value, _sum(_rwd.c.received))
            .where(_own_rows(_rwd, eff), _rwd.c.dim == by, _rwd.c.week_key.in_(weeks))
            .group_by(_rwd.c.week_key, _rwd.c.value))
    return _frame(conn, stmt, cols)


def fetch_totals(conn, scope: Scope, *, region_code: str, weeks: list[int]) -> pd.DataFrame:
    """Every complaint measure of the region per week (dense over `weeks`, zeros filled)."""
    eff = effective(scope, region_code)
    cols = ["week_key", *COMPLAINT_MEASURES]
    if not eff or not weeks:
        return pd.DataFrame(columns=cols)
    stmt = (select(_rwd.c.week_key, *[_sum(_rwd.c[m]) for m in COMPLAINT_MEASURES])
            .where(_own_rows(_rwd, eff), _rwd.c.dim == "all", _rwd.c.week_key.in_(weeks))
            .group_by(_rwd.c.week_key))
    frame = _frame(conn, stmt, cols).set_index("week_key").reindex(weeks, fill_value=0.0)
    return frame.rename_axis("week_key").reset_index()


# --- handling -----------------------------------------------------------------------------

def handling_summary(totals: pd.DataFrame) -> dict:
    """Funnel, on-time, reply and handling-time figures from summed measures (one dict).

    Funnel (cohort of complaints received in the period, status as loaded): received,
    accepted, replied (c_replied), closed (c_closed). Rates from data.indicators;
    avg_days_to_reply = reply_days ÷ reply_n (replies in the period), avg_days_to_close =
    close_days ÷ closed (closures in the period); None on 0 ÷ 0.
    """
    s = {m: float(totals[m].sum()) if m in totals else 0.0 for m in COMPLAINT_MEASURES}
    return {
        **s,
        "funnel": [("received", s["received"]), ("accepted", s["accepted"]),
                   ("replied", s["c_replied"]), ("closed", s["c_closed"])],
        "acceptance_rate": ind.acceptance_rate(s["accepted"], s["received"]),
        "on_time_completion_rate": ind.on_time_completion_rate(s["due_on_time"], s["due"]),
        "reply_rate": ind.reply_rate(s["replied"], s["closed"]),
        "satisfaction_rate": ind.satisfaction_rate(s["satisfied"], s["rated"]),
        "repeat_complaint_rate": ind.repeat_complaint_rate(s["repeats"], s["received"]),
        "avg_days_to_reply": ind.ratio(s["reply_days"], s["reply_n"]),
        "avg_days_to_close": ind.ratio(s["close_days"], s["closed"]),
    }


def _open_filter(eff: Scope, region_code: str):
    return and_(_cx.c.closed_at.is_(None), _cx.c.village_code.between(*code_range(region_code)),
                scope_condition(_cx.c.village_code, eff))


def fetch_open_ages(conn, scope: Scope, *, region_code: str, as_of: dt.date) -> pd.DataFrame:
    """Open complaints (closed_at null) by age band in days at `as_of`: band, open, overdue."""
    eff = narrow(scope, region_code)
    cols = ["band", "open", "overdue"]
    if not eff:
        return pd.DataFrame(columns=cols)
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    band = case(*[(_cx.c.received_at >= end - dt.timedelta(days=high + 1), literal(name))
                  for _low, high, name in AGE_BANDS if high is not None],
                else_=literal(AGE_BANDS[-1][2]))
    stmt = (select(band.label("band"), func.count().label("open"),
                   func.sum(case((_cx.c.due_date < as_of, 1), else_=0)).label("overdue"))
            .where(_open_filter(eff, region_code)).group_by(band))
    found = _frame(conn, stmt, cols).set_index("band")
    names = [name for *_x, name in AGE_BANDS]
    return found.reindex(names, fill_value=0).rename_axis("band").reset_index()


def fetch_open_complaints(conn, scope: Scope, *, region_code: str, limit: int = 50,
                          offset: int = 0) -> tuple[pd.DataFrame, int]:
    """(the open complaints, oldest first, `limit` from `offset`; the total open).

    Columns OPEN_COLUMNS plus village_name; never the complainant's identity.
    """
    eff = narrow(scope, region_code)
    if not eff:
        return pd.DataFrame(columns=[*OPEN_COLUMNS, "village_name"]), 0
    where = _open_filter(eff, region_code)
    total = conn.execute(select(func.count()).select_from(_cx).where(where)).scalar_one()
    page = (select(*[_cx.c[c] for c in OPEN_COLUMNS]).where(where)
            .order_by(_cx.c.received_at, _cx.c.id).limit(limit).offset(offset).subquery())
    stmt = (select(*[page.c[c] for c in OPEN_COLUMNS], _region.c.name)
            .select_from(page.outerjoin(_region, _region.c.code == page.c.village_code))
            .order_by(page.c.received_at))
    return _frame(conn, stmt, [*OPEN_COLUMNS, "village_name"]), int(total)


# --- units --------------------------------------------------------------------------------

UNIT_MEASURES = ("received", "repeats", "closed", "replied", "rated", "satisfied", "due",
                 "due_on_time")


def fetch_township_units(conn, scope: Scope, *, region_code: str, weeks: list[int]) -> pd.DataFrame:
    """Per visible township under the region, UNIT_MEASURES summed over `weeks`, with its
    name, county name and the rates (reply, satisfaction, repeat, on-time)."""
    eff = narrow(scope, region_code)
    cols = ["code", "name", "county_name", *UNIT_MEASURES]
    if not eff or not weeks:
        return _with_unit_rates(pd.DataFrame(columns=cols))
    stmt = (select(_tw.c.township_code, *[_sum(_tw.c[m]) for m in UNIT_MEASURES])
            .where(_tw.c.week_key.in_(weeks), _tw.c.township_code.between(*code_range(region_code)),
                   scope_condition(_tw.c.township_code, eff))
            .group_by(_tw.c.township_code))
    sums = _frame(conn, stmt, ["code", *UNIT_MEASURES])
    names = region_names(conn, eff, sums["code"])
    counties = sorted({c[:6] + "000000" for c in sums["code"]})
    # the county of a visible township is named even for a township-only user (an ancestor)
    names.update(region_names(conn, Scope.of(*counties), counties) if counties else {})
    sums["name"] = sums["code"].map(names).fillna(sums["code"])
    sums["county_name"] = sums["code"].map(lambda c: names.get(c[:6] + "000000", ""))
    return _with_unit_rates(sums[cols])


def fetch_county_units(conn, scope: Scope, *, region_code: str, weeks: list[int]) -> pd.DataFrame:
    """Per visible county under the region (a province: 1,900 townships are too many for a
    league table), UNIT_MEASURES summed over `weeks`, with name, city name and the rates."""
    eff = effective(scope, region_code)
    cols = ["code", "name", "county_name", *UNIT_MEASURES]
    if not eff or not weeks:
        return _with_unit_rates(pd.DataFrame(columns=cols))
    stmt = (select(_rwd.c.region_code, *[_sum(_rwd.c[m]) for m in UNIT_MEASURES])
            .where(_rwd.c.dim == "all", _rwd.c.level == "county", _rwd.c.week_key.in_(weeks),
                   _rwd.c.region_code.between(*code_range(region_code)),
                   scope_condition(_rwd.c.region_code, eff))
            .group_by(_rwd.c.region_code))
    sums = _frame(conn, stmt, ["code", *UNIT_MEASURES])
    names = region_names(conn, scope, list(sums["code"]) + [c[:4] + "00000000" for c in sums["code"]])
    sums["name"] = sums["code"].map(names).fillna(sums["code"])
    sums["county_name"] = sums["code"].map(lambda c: names.get(c[:4] + "00000000", ""))
    return _with_unit_rates(sums[cols])


def fetch_department_units(conn, scope: Scope, *, region_code: str, weeks: list[int]) -> pd.DataFrame:
    """Per department of the region, UNIT_MEASURES summed over `weeks`, with the rates."""
    eff = effective(scope, region_code)
    cols = ["code", *UNIT_MEASURES]
    if not eff or not weeks:
        return _with_unit_rates(pd.DataFrame(columns=cols))
    stmt = (select(_rwd.c.value, *[_sum(_rwd.c[m]) for m in UNIT_MEASURES])
            .where(_own_rows(_rwd, eff), _rwd.c.dim == "department", _rwd.c.week_key.in_(weeks))
            .group_by(_rwd.c.value))
    return _with_unit_rates(_frame(conn, stmt, cols))


def _with_unit_rates(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["reply_rate"] = ind.reply_rate(frame["replied"], frame["closed"])
    frame["satisfaction_rate"] = ind.satisfaction_rate(frame["satisfied"], frame["rated"])
    frame["repeat_complaint_rate"] = ind.repeat_complaint_rate(frame["repeats"], frame["received"])
    frame["on_time_completion_rate"] = ind.on_time_completion_rate(frame["due_on_time"], frame["due"])
    return frame


def region_names(conn, scope: Scope, codes) -> dict[str, str]:
    """Names of the given region codes that the scope may see."""
    codes = sorted(set(codes))
    if not codes:
        return {}
    stmt = select(_region.c.code, _region.c.name).where(_region.c.code.in_(codes),
                                                        scope_condition(_region.c.code, scope))
    return dict(conn.execute(stmt).all())


# --- spikes -------------------------------------------------------------------------------

def township_spikes(conn, scope: Scope, *, region_code: str, week_key: int, rule) -> pd.DataFrame:
    """The spike rule on every visible township under the region, over the same weeks
    whoever asks (data.rules.spikes.history), so /complaints and the briefing quote one
    baseline and one limit per township and week: code, week_key, count, baseline,
    limit, spike."""
    from data.rules.spikes import detect_frame, history
    span = history(week_key, rule)
    towns = fetch_township_weekly(conn, scope, region_code=region_code, weeks=span)
    return detect_frame(towns, unit="code", weeks=span, rule=rule)


def fetch_township_weekly(conn, scope: Scope, *, region_code: str, weeks: list[int]) -> pd.DataFrame:
    """Complaints received per visible township under the region and week: code, week_key, received."""
    eff = narrow(scope, region_code)
    cols = ["code", "week_key", "received"]
    if not eff or not weeks:
        return pd.DataFrame(columns=cols)
    # one rollup row per (week, township): no GROUP BY needed
    stmt = (select(_tw.c.township_code, _tw.c.week_key, _tw.c.received)
            .where(_tw.c.week_key.in_(weeks), _tw.c.township_code.between(*code_range(region_code)),
                   scope_condition(_tw.c.township_code, eff), _tw.c.received > 0))
    return _frame(conn, stmt, cols)


# --- 我要办 service requests ----------------------------------------------------------------

def fetch_services(conn, scope: Scope, *, region_code: str, weeks: list[int]) -> pd.DataFrame:
    """Per matter, SERVICE_MEASURES summed over `weeks`, with on_time_rate and avg_rating."""
    eff = effective(scope, region_code)
    cols = ["matter", *SERVICE_MEASURES]
    if not eff or not weeks:
        frame = pd.DataFrame(columns=cols)
    else:
        stmt = (select(_svc.c.matter, *[_sum(_svc.c[m]) for m in SERVICE_MEASURES])
                .where(_own_rows(_svc, eff), _svc.c.week_key.in_(weeks)).group_by(_svc.c.matter))
        frame = _frame(conn, stmt, cols)
    frame["on_time_rate"] = ind.on_time_completion_rate(frame["due_on_time"], frame["due"])
    frame["avg_rating"] = ind.ratio(frame["rating_sum"], frame["rated"])
    return frame.sort_values("submitted", ascending=False, ignore_index=True)


def service_summary(frame: pd.DataFrame) -> dict:
    """Totals over matters: submitted, on-time rate, average rating, stars distribution."""
    s = {m: float(frame[m].sum()) if len(frame) else 0.0 for m in SERVICE_MEASURES}
    return {**s, "on_time_rate": ind.on_time_completion_rate(s["due_on_time"], s["due"]),
            "avg_rating": ind.ratio(s["rating_sum"], s["rated"])}


def _overdue_filter(eff: Scope, region_code: str, as_of: dt.date):
    return and_(_sr.c.completed_at.is_(None), _sr.c.due_date < as_of,
                _sr.c.village_code.between(*code_range(region_code)),
                scope_condition(_sr.c.village_code, eff))


def fetch_overdue_services(conn, scope: Scope, *, region_code: str, as_of: dt.date,
                           limit: int = 50, offset: int = 0) -> tuple[pd.DataFrame, int]:
    """(open service requests past their due date at `as_of`, most overdue first; total)."""
    eff = narrow(scope, region_code)
    cols = [*SERVICE_COLUMNS, "village_name"]
    if not eff:
        return pd.DataFrame(columns=cols), 0
    where = _overdue_filter(eff, region_code, as_of)
    total = conn.execute(select(func.count()).select_from(_sr).where(where)).scalar_one()
    page = (select(*[_sr.c[c] for c in SERVICE_COLUMNS]).where(where)
            .order_by(_sr.c.due_date, _sr.c.id).limit(limit).offset(offset).subquery())
    stmt = (select(*[page.c[c] for c in SERVICE_COLUMNS], _region.c.name)
            .select_from(page.outerjoin(_region, _region.c.code == page.c.village_code))
            .order_by(page.c.due_date, page.c.id))
    return _frame(conn, stmt, cols), int(total)


def valid_code(code: str | None) -> str | None:
    try:
        return normalize_code(code) if code else None
    except InvalidRegionCode:
        return None
