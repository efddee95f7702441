"""Region and dataset queries: dataset facts, weeks with data, regions and pickers.

Every function that returns regions takes the user's scope and applies it in SQL
(data.scope.scope_condition on region.code); a region outside scope is None/no rows.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import exists, func, or_, select

from data.calendar import week_key
from data.codes import InvalidRegionCode, code_range, normalize_code
from data.model.rollups import RollupComplaintTW, RollupReportingTW
from data.model.schema import CalendarDay, DatasetInfo, Region
from data.scope import Scope, scope_condition

REGION_COLUMNS = ("code", "name", "level", "parent_code", "lon", "lat", "population")
_region = Region.__table__


def fetch_dataset_info(conn) -> dict[str, str]:
    """Key/value facts of the loaded dataset (as_of, scale, seed, root region ...)."""
    table = DatasetInfo.__table__
    return dict(conn.execute(select(table.c.key, table.c.value)).all())


def fetch_weeks(conn) -> list[int]:
    """ISO week keys with data (complaints received or villages reporting) up to the
    dataset's as-of week, newest first.

    Candidate weeks come from calendar_day between the rollup's first and last week;
    each is kept if an index seek finds a row with data (fast on 200k-row rollups).
    """
    cal, comp, rep = CalendarDay.__table__, RollupComplaintTW.__table__, RollupReportingTW.__table__
    weeks = (select(cal.c.week_key).distinct()
             .where(cal.c.week_key.between(select(func.min(comp.c.week_key)).scalar_subquery(),
                                           select(func.max(comp.c.week_key)).scalar_subquery()))
             .subquery())
    has_data = or_(exists().where(comp.c.week_key == weeks.c.week_key, comp.c.received > 0),
                   exists().where(rep.c.week_key == weeks.c.week_key, rep.c.villages_reported > 0))
    stmt = select(weeks.c.week_key).where(has_data).order_by(weeks.c.week_key.desc())
    as_of = fetch_dataset_info(conn).get("as_of")
    if as_of:  # a month's reporting counts on in the weeks after it; nothing happened after as_of
        stmt = stmt.where(weeks.c.week_key <= week_key(dt.date.fromisoformat(as_of[:10])))
    return list(conn.execute(stmt).scalars())


def fetch_region(conn, scope: Scope, code: str) -> dict | None:
    """One region as a dict (REGION_COLUMNS), or None if unknown, malformed or out of scope."""
    try:
        code = normalize_code(code)
    except InvalidRegionCode:
        return None
    cols = [_region.c[c] for c in REGION_COLUMNS]
    row = conn.execute(select(*cols).where(
        _region.c.code == code, scope_condition(_region.c.code, scope))).mappings().first()
    return dict(row) if row else None


def fetch_children(conn, scope: Scope, *, parent_code: str) -> pd.DataFrame:
    """The visible direct children of a region: code, name, level, population."""
    cols = ["code", "name", "level", "population"]
    try:
        parent = normalize_code(parent_code)
    except InvalidRegionCode:
        return pd.DataFrame(columns=cols)
    stmt = (select(*[_region.c[c] for c in cols])
            .where(_region.c.parent_code == parent, scope_condition(_region.c.code, scope))
            .order_by(_region.c.code))
    return pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=cols)


def fetch_region_options(conn, scope: Scope, *, root_code: str) -> pd.DataFrame:
    """Picker options: the root region and its cities and counties that are visible.

    Columns code, name, level, parent_code; ordered by code (root first).
    """
    cols = ["code", "name", "level", "parent_code"]
    try:
        low, high = code_range(root_code)
        root = normalize_code(root_code)
    except InvalidRegionCode:
        return pd.DataFrame(columns=cols)
    stmt = (select(*[_region.c[c] for c in cols])
            .where(or_(_region.c.code == root,
                       _region.c.code.between(low, high) & _region.c.level.in_(("city", "county"))),
                   scope_condition(_region.c.code, scope))
            .order_by(_region.c.code))
    return pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=cols)


def fetch_regions_at(conn, scope: Scope, *, region_code: str, level: str) -> pd.DataFrame:
    """Visible regions of `level` under `region_code` (code, name, population)."""
    cols = ["code", "name", "population"]
    try:
        low, high = code_range(region_code)
    except InvalidRegionCode:
        return pd.DataFrame(columns=cols)
    stmt = (select(*[_region.c[c] for c in cols])
            .where(_region.c.level == level, _region.c.code.between(low, high),
                   scope_condition(_region.c.code, scope))
            .order_by(_region.c.code))
    return pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=cols)


def fetch_county_names(conn, scope: Scope, *, region_code: str) -> dict[str, str]:
    """County code -> name, for the visible counties of `region_code`'s province."""
    counties = fetch_regions_at(conn, scope, region_code=region_code[:2].ljust(12, "0"),
                                level="county")
    return dict(zip(counties["code"], counties["name"], strict=True))


def with_county_names(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """`frame` (a `code` column of townships or villages) plus `county_name` (the name of
    the county each code lies in; '' when that county is not visible)."""
    out = frame.copy()
    out["county_name"] = [names.get(code[:6].ljust(12, "0"), "") for code in out["code"]]
    return out
