"""Queries of the fund-flows page (/funds): `fetch_*(conn, scope, *, ...) -> DataFrame`.

Read rollups only (data/model/rollups.py and data/rollups/funds.py) plus the region and
programme dimensions and the small livelihood_project table, with the user's scope
narrowed to the requested region and applied in SQL. Units under a province or city
are its counties (county-level rollups); under a county or township, its townships.
Year to date (YTD) = the calendar year of the week's Sunday, up to that Sunday.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Float, and_, case, func, or_, select, tuple_, type_coerce

from data.calendar import week_bounds
from data.codes import PREFIX_LEN, level_of
from data.model.rollups import (
    RollupAllocationTY,
    RollupDisclosureLateVW,
    RollupDisclosureTW,
    RollupFundsAllocCY,
    RollupFundsOverdueTW,
    RollupFundsPaidCW,
    RollupLedgerCM,
    RollupLedgerOutlierVY,
    RollupLedgerTM,
    RollupPaymentTW,
    RollupPaymentTWP,
)
from data.model.schema import FundProgram, LivelihoodProject, Region
from data.scope import Scope, narrow, scope_condition

SOURCE_LEVELS = ("central", "provincial", "municipal", "county")
_alloc_ty, _alloc_cy = RollupAllocationTY.__table__, RollupFundsAllocCY.__table__
_paid_twp, _paid_cw = RollupPaymentTWP.__table__, RollupFundsPaidCW.__table__
_pay_tw, _overdue = RollupPaymentTW.__table__, RollupFundsOverdueTW.__table__
_ledger_tm, _ledger_cm = RollupLedgerTM.__table__, RollupLedgerCM.__table__
_disc_tw, _disc_late = RollupDisclosureTW.__table__, RollupDisclosureLateVW.__table__
_outlier, _project = RollupLedgerOutlierVY.__table__, LivelihoodProject.__table__
_region, _program = Region.__table__, FundProgram.__table__


def _sum(expr, name):
    return type_coerce(func.sum(expr), Float).label(name)


def _frame(conn, stmt, columns) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=columns)


def unit_level(region_code: str) -> str:
    """The level of the units a region is broken into: city (province), county (city) or
    township (county, township)."""
    return {"province": "city", "city": "county"}.get(level_of(region_code), "township")


def _county_tables_ok(eff: Scope) -> bool:
    """County-level rollups may serve the scope when none of its codes is below a county."""
    return all(level_of(c) in ("province", "city", "county") for c in eff.codes)


def ytd_bounds(week_key: int) -> tuple[int, dt.date]:
    """(budget year, last day) of the year to date ending with the ISO week."""
    sunday = week_bounds(week_key)[1]
    return sunday.year, sunday


def fetch_programs(conn) -> pd.DataFrame:
    """Programme dimension: id, code, name, category (not regional, no scope needed)."""
    cols = ["id", "code", "name", "category"]
    return _frame(conn, select(*[_program.c[c] for c in cols]).order_by(_program.c.id), cols)


def _programs_in(conn, category: str | None) -> list[int] | None:
    if not category:
        return None
    return [int(i) for i in conn.execute(select(_program.c.id).where(_program.c.category == category))
            .scalars()]


def fetch_allocations(conn, scope: Scope, *, region_code: str, week_key: int,
                      source: str | None = None, category: str | None = None) -> pd.DataFrame:
    """Allocations YTD (budget year of the week, allocated on or before its Sunday) under
    the region: unit (county or township code), program_id, source_level, amount (yuan)."""
    cols = ["unit", "program_id", "source_level", "amount"]
    eff = narrow(scope, region_code)
    if not eff:
        return pd.DataFrame(columns=cols)
    year, _ = ytd_bounds(week_key)
    county = unit_level(region_code) in ("city", "county") and _county_tables_ok(eff)
    table, code = (_alloc_cy, _alloc_cy.c.county_code) if county else (_alloc_ty, _alloc_ty.c.township_code)
    n = PREFIX_LEN[unit_level(region_code)]
    unit = func.substr(code, 1, n).label("unit")
    conds = [table.c.year == year, table.c.week_key <= week_key, scope_condition(code, eff)]
    if source:
        conds.append(table.c.source_level == source)
    programs = _programs_in(conn, category)
    if programs is not None:
        conds.append(table.c.program_id.in_(programs))
    stmt = (select(unit, table.c.program_id, table.c.source_level, _sum(table.c.amount, "amount"))
            .where(*conds).group_by(unit, table.c.program_id, table.c.source_level))
    frame = _frame(conn, stmt, cols)
    frame["unit"] = frame["unit"].str.ljust(12, "0")
    return frame


def fetch_paid(conn, scope: Scope, *, region_code: str, week_key: int,
               category: str | None = None) -> pd.DataFrame:
    """Paid YTD (paid from 1 Jan to the week's Sunday) under the region: unit, program_id, paid."""
    cols = ["unit", "program_id", "paid"]
    eff = narrow(scope, region_code)
    if not eff:
        return pd.DataFrame(columns=cols)
    year, _ = ytd_bounds(week_key)
    county = unit_level(region_code) in ("city", "county") and _county_tables_ok(eff)
    table, code = (_paid_cw, _paid_cw.c.county_code) if county else (_paid_twp, _paid_twp.c.township_code)
    unit = func.substr(code, 1, PREFIX_LEN[unit_level(region_code)]).label("unit")
    conds = [table.c.year == year, table.c.week_key <= week_key, scope_condition(code, eff)]
    programs = _programs_in(conn, category)
    if programs is not None:
        conds.append(table.c.program_id.in_(programs))
    stmt = (select(unit, table.c.program_id, _sum(table.c.paid_amount, "paid"))
            .where(*conds).group_by(unit, table.c.program_id))
    frame = _frame(conn, stmt, cols)
    frame["unit"] = frame["unit"].str.ljust(12, "0")
    return frame


def fetch_progress(conn, scope: Scope, *, region_code: str, week_key: int,
                   source: str | None = None, category: str | None = None) -> pd.DataFrame:
    """Per unit under the region: code, name, allocated and paid YTD (yuan), rate = paid ÷
    allocated (None when nothing was allocated).

    Unfiltered, both come from rollup_payment_tw at the week (the overview's definition).
    With a programme category only its programmes count; with a source level, allocated
    is that level's money and paid is apportioned to it by its share of each unit's and
    programme's allocation (payments do not record the source of their money).
    """
    from data.indicators import disbursement_rate
    cols = ["code", "name", "allocated", "paid", "rate"]
    eff = narrow(scope, region_code)
    level = unit_level(region_code)
    units = _units(conn, eff, region_code, level)
    if units.empty:
        return pd.DataFrame(columns=cols)
    if not source and not category:
        totals = _progress_plain(conn, eff, week_key, PREFIX_LEN[level])
    else:
        totals = _progress_filtered(conn, scope, region_code, week_key, source, category)
    out = units.merge(totals, on="code", how="left").fillna({"allocated": 0.0, "paid": 0.0})
    out["rate"] = disbursement_rate(out["paid"], out["allocated"])
    return out[cols]


def _units(conn, eff: Scope, region_code: str, level: str) -> pd.DataFrame:
    from data.queries.regions import fetch_regions_at
    if not eff:
        return pd.DataFrame(columns=["code", "name"])
    return fetch_regions_at(conn, eff, region_code=region_code, level=level)[["code", "name"]]


def _progress_plain(conn, eff: Scope, week_key: int, n: int) -> pd.DataFrame:
    unit = func.substr(_pay_tw.c.township_code, 1, n).label("unit")
    stmt = (select(unit, _sum(_pay_tw.c.allocated_amount_ytd, "allocated"),
                   _sum(_pay_tw.c.paid_amount_ytd, "paid"))
            .where(_pay_tw.c.week_key == week_key, scope_condition(_pay_tw.c.township_code, eff))
            .group_by(unit))
    frame = _frame(conn, stmt, ["code", "allocated", "paid"])
    frame["code"] = frame["code"].str.ljust(12, "0")
    return frame


def _progress_filtered(conn, scope, region_code, week_key, source, category) -> pd.DataFrame:
    alloc = fetch_allocations(conn, scope, region_code=region_code, week_key=week_key,
                              category=category)
    paid = fetch_paid(conn, scope, region_code=region_code, week_key=week_key, category=category)
    by_prog = alloc.groupby(["unit", "program_id"])["amount"].sum().rename("all")
    chosen = alloc[alloc["source_level"] == source] if source else alloc
    mine = chosen.groupby(["unit", "program_id"])["amount"].sum().rename("allocated")
    frame = pd.concat([by_prog, mine, paid.set_index(["unit", "program_id"])["paid"]], axis=1)
    frame = frame.fillna(0.0)
    share = (frame["allocated"] / frame["all"]).where(frame["all"] > 0, 1.0 if not source else 0.0)
    frame["paid"] = frame["paid"] * share
    out = frame.groupby(level="unit")[["allocated", "paid"]].sum().reset_index()
    return out.rename(columns={"unit": "code"})


def funded_pairs(source: str, week_key: int, *, within: tuple[str, str] | None = None,
                 programs: list[int] | None = None):
    """SELECT of the (township_code, program_id) pairs that received money from the source
    level in the budget year of the week, up to its Sunday (the Sankey's allocations).
    `within` (a code range) and `programs` only narrow it to the pairs a caller can match
    anyway (the same pairs there; a county's few instead of a province's ~7,500 read).

    Payments do not record the source of their money: with a source filter, the payments
    shown are those of the programmes the source funds in each township (a payment of a
    programme funded jointly by several levels counts whole under each of them)."""
    year, _ = ytd_bounds(week_key)
    a = _alloc_ty
    # The budget year's weeks: its first Sunday may close the last ISO week (52 or 53) of
    # the year before, none earlier; the lower bound lets the primary key seek them.
    conds = [a.c.source_level == source, a.c.year == year,
             a.c.week_key.between((year - 1) * 100 + 52, week_key)]
    if within is not None:  # a province's range holds ~every row: read them by week_key instead
        codes = a.c.township_code.concat("") if level_of(within[0]) == "province" else a.c.township_code
        conds.append(codes.between(*within))
    if programs is not None:
        conds.append(a.c.program_id.in_(programs))
    return select(a.c.township_code, a.c.program_id).where(*conds).distinct()


def fetch_overdue(conn, scope: Scope, *, region_code: str, week_key: int,
                  category: str | None = None, source: str | None = None) -> pd.DataFrame:
    """Payments outstanding at the week's Sunday (due on or before it, not paid by it), by
    unit and age bucket (data.rollups.funds.AGE_BUCKETS): unit, age_bucket, payments, amount.
    With a source level, only the programmes it funds in each township (`funded_pairs`)."""
    cols = ["unit", "age_bucket", "payments", "amount"]
    eff = narrow(scope, region_code)
    if not eff:
        return pd.DataFrame(columns=cols)
    unit = func.substr(_overdue.c.township_code, 1, PREFIX_LEN[unit_level(region_code)]).label("unit")
    conds = [_overdue.c.week_key == week_key, scope_condition(_overdue.c.township_code, eff)]
    programs = _programs_in(conn, category)
    if programs is not None:
        conds.append(_overdue.c.program_id.in_(programs))
    if source:
        conds.append(tuple_(_overdue.c.township_code, _overdue.c.program_id).in_(
            funded_pairs(source, week_key)))
    stmt = (select(unit, _overdue.c.age_bucket, _sum(_overdue.c.payments, "payments"),
                   _sum(_overdue.c.amount, "amount"))
            .where(*conds).group_by(unit, _overdue.c.age_bucket))
    frame = _frame(conn, stmt, cols)
    frame["unit"] = frame["unit"].str.ljust(12, "0")
    return frame


def fetch_ledger_months(conn, scope: Scope, *, region_code: str, months: list[int]) -> pd.DataFrame:
    """Village finance under the region by month: month_key, direction, category, amount, entries."""
    cols = ["month_key", "direction", "category", "amount", "entries"]
    eff = narrow(scope, region_code)
    if not eff or not months:
        return pd.DataFrame(columns=cols)
    county = unit_level(region_code) in ("city", "county") and _county_tables_ok(eff)
    table, code = (_ledger_cm, _ledger_cm.c.county_code) if county else (_ledger_tm, _ledger_tm.c.township_code)
    stmt = (select(table.c.month_key, table.c.direction, table.c.category,
                   _sum(table.c.amount, "amount"), _sum(table.c.entries, "entries"))
            .where(table.c.month_key.between(min(months), max(months)), scope_condition(code, eff))
            .group_by(table.c.month_key, table.c.direction, table.c.category)
            .order_by(table.c.month_key))
    return _frame(conn, stmt, cols)


def fetch_outliers(conn, scope: Scope, *, region_code: str, year: int) -> pd.DataFrame:
    """Villages under the region whose per-capita spending in a category in `year` is above
    their county's IQR fence, with the figures; highest ratio to the fence first."""
    cols = ["village_code", "village_name", "category", "amount", "population", "per_capita",
            "median", "q3", "fence", "peers"]
    eff = narrow(scope, region_code)
    if not eff:
        return pd.DataFrame(columns=cols)
    o = _outlier
    stmt = (select(o.c.village_code, _region.c.name, o.c.category, type_coerce(o.c.amount, Float),
                   o.c.population, o.c.per_capita, o.c.median, o.c.q3, o.c.fence, o.c.peers)
            .join(_region, _region.c.code == o.c.village_code)
            .where(o.c.year == year, scope_condition(o.c.village_code, eff)))
    frame = _frame(conn, stmt, cols)
    order = (frame["per_capita"] / frame["fence"].where(frame["fence"] > 0)).fillna(float("inf"))
    return frame.assign(_o=order).sort_values(["_o", "village_code"], ascending=[False, True]) \
        .drop(columns="_o").reset_index(drop=True)


def fetch_disclosure(conn, scope: Scope, *, region_code: str, weeks: list[int]
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Disclosure items due in the weeks under the region, from one read of the rollup:
    (per unit: code, name, due, on_time, late, unpublished, rate;
     per kind: kind, due, on_time, late, unpublished)."""
    from data.indicators import disclosure_on_time_rate
    measures = ["due", "on_time", "late", "unpublished"]
    ucols, kcols = ["code", "name", *measures, "rate"], ["kind", *measures]
    eff = narrow(scope, region_code)
    level = unit_level(region_code)
    units = _units(conn, eff, region_code, level)
    if units.empty or not weeks:
        return pd.DataFrame(columns=ucols), pd.DataFrame(columns=kcols)
    d = _disc_tw
    unit = func.substr(d.c.township_code, 1, PREFIX_LEN[level]).label("unit")
    stmt = (select(unit, d.c.kind, _sum(d.c.due, "due"), _sum(d.c.on_time, "on_time"),
                   _sum(d.c.published_late, "late"), _sum(d.c.unpublished, "unpublished"))
            .where(d.c.week_key.between(min(weeks), max(weeks)), scope_condition(d.c.township_code, eff))
            .group_by(unit, d.c.kind))
    frame = _frame(conn, stmt, ["code", "kind", *measures])
    frame["code"] = frame["code"].str.ljust(12, "0")
    per_unit = frame.groupby("code")[measures].sum().reset_index()
    out = units.merge(per_unit, on="code", how="left").fillna(dict.fromkeys(measures, 0))
    out["rate"] = disclosure_on_time_rate(out["on_time"], out["due"])
    kinds = frame.groupby("kind")[measures].sum().reset_index()
    return out[ucols], kinds[kcols]


def fetch_disclosure_units(conn, scope: Scope, *, region_code: str, weeks: list[int]) -> pd.DataFrame:
    """Per unit: code, name, due, on_time, late, unpublished, rate (see fetch_disclosure)."""
    return fetch_disclosure(conn, scope, region_code=region_code, weeks=weeks)[0]


def fetch_disclosure_kinds(conn, scope: Scope, *, region_code: str, weeks: list[int]) -> pd.DataFrame:
    """Per kind: kind, due, on_time, late, unpublished (see fetch_disclosure)."""
    return fetch_disclosure(conn, scope, region_code=region_code, weeks=weeks)[1]


def fetch_late_villages(conn, scope: Scope, *, region_code: str, weeks: list[int],
                        limit: int = 100) -> pd.DataFrame:
    """Villages under the region with items due in the weeks and published late or not at
    all: village_code, village_name, late, unpublished, last_due_week; most unpublished first."""
    cols = ["village_code", "village_name", "late", "unpublished", "last_due_week"]
    eff = narrow(scope, region_code)
    if not eff or not weeks:
        return pd.DataFrame(columns=cols)
    d = _disc_late
    # A province covers the whole code index: read the (week_key, ...) key range instead
    # (`code || ''` keeps SQLite off the code index; measured 64 vs 96 ms at province scale).
    code = d.c.village_code.concat("") if level_of(region_code) == "province" else d.c.village_code
    sums = (select(d.c.village_code, _sum(d.c.published_late, "late"),
                   _sum(d.c.unpublished, "unpublished"), func.max(d.c.week_key).label("last"))
            .where(d.c.week_key.between(min(weeks), max(weeks)), scope_condition(code, eff))
            .group_by(d.c.village_code).subquery())
    stmt = (select(sums.c.village_code, _region.c.name, sums.c.late, sums.c.unpublished, sums.c.last)
            .join(_region, _region.c.code == sums.c.village_code)
            .order_by(sums.c.unpublished.desc(), sums.c.late.desc(), sums.c.village_code)
            .limit(limit))
    return _frame(conn, stmt, cols)


def is_delayed(as_of: dt.date | None):
    """SQL condition: a livelihood project is delayed on `as_of` when its status says so, or
    when its planned end is before `as_of` and it is not completed (no actual end, status
    not completed). Without a date, the status alone."""
    p = _project
    if as_of is None:
        return p.c.status == "delayed"
    return or_(p.c.status == "delayed",
               and_(p.c.planned_end < as_of, p.c.actual_end.is_(None), p.c.status != "completed"))


def fetch_projects(conn, scope: Scope, *, region_code: str, as_of: dt.date | None = None
                   ) -> pd.DataFrame:
    """Livelihood projects under the region by category and status: category, status,
    projects, budget, spent (yuan). With `as_of`, the status of a project delayed on that
    day (`is_delayed`) is "delayed"."""
    cols = ["category", "status", "projects", "budget", "spent"]
    eff = narrow(scope, region_code)
    if not eff:
        return pd.DataFrame(columns=cols)
    p = _project
    status = case((is_delayed(as_of), "delayed"), else_=p.c.status).label("status")
    stmt = (select(p.c.category, status, func.count().label("projects"),
                   _sum(p.c.budget, "budget"), _sum(p.c.spent, "spent"))
            .where(scope_condition(p.c.village_code, eff)).group_by(p.c.category, status))
    return _frame(conn, stmt, cols)


def fetch_delayed_projects(conn, scope: Scope, *, region_code: str, as_of: dt.date,
                           limit: int = 100) -> pd.DataFrame:
    """Projects under the region delayed on `as_of` (`is_delayed`: status delayed, or past
    the planned end and not completed): id, name, village_code, village_name, category,
    budget, spent, planned_start, planned_end, days_overdue (days from the planned end to
    `as_of`; 0 for a project marked delayed before its planned end); earliest end first."""
    cols = ["id", "name", "village_code", "village_name", "category", "budget", "spent",
            "planned_start", "planned_end"]
    eff = narrow(scope, region_code)
    if not eff:
        return pd.DataFrame(columns=[*cols, "days_overdue"])
    p = _project
    stmt = (select(p.c.id, p.c.name, p.c.village_code, _region.c.name, p.c.category,
                   type_coerce(p.c.budget, Float), type_coerce(p.c.spent, Float),
                   p.c.planned_start, p.c.planned_end)
            .join(_region, _region.c.code == p.c.village_code)
            .where(is_delayed(as_of), scope_condition(p.c.village_code, eff))
            .order_by(p.c.planned_end, p.c.id).limit(limit))
    frame = _frame(conn, stmt, cols)
    frame["days_overdue"] = [max(0, (as_of - pd.Timestamp(d).date()).days) for d in frame["planned_end"]]
    return frame
