"""Record sources behind the fund-flows page (/funds): payments, ledger entries, projects.

Params (JSON from callbacks/funds.py; `region` is scope-checked by data.records):
- funds_payments: `weeks` (the period; payments due in it), optional `category` (a
  programme category), optional `source` (a source level: payments of the programmes it
  funds in each township, data.queries.funds.funded_pairs), optional `program` (a
  programme id: a Sankey programme node), optional `only="outstanding"`
  (due by the period's last Sunday and not paid by it: what the overdue chart counts).
- funds_ledger: `months` ([yyyymm, ...]), optional `category` and `direction`.
- funds_projects: optional `category` (project category), optional `only="delayed"`
  (data.queries.funds.is_delayed on `as_of`, the data's date: 'YYYY-MM-DD').
- funds_disclosures: `weeks` (items due in them), optional `kind`, optional `status`:
  "missed" (the default: published late or not published), "on_time", "late" or
  "unpublished" — the segments of the disclosure charts.

Beneficiaries appear as their pseudonymous key only (no identity column exists here).

Speed (a city root holds ~1M payments): the rows are read in index order by default
((village_code, date, id), with `IN (visible villages)` as data.records.map does), so a
page stops after its rows; without a grid filter the total comes from the rollups the
page's charts read (due_count, overdue payments, ledger entries: exact, one small read),
with one the filtered rows are counted up to data.records.COUNT_CAP + 1.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, or_, select, tuple_

from data.calendar import week_key
from data.codes import level_of
from data.model.rollups import (
    RollupDisclosureTW,
    RollupFundsOverdueTW,
    RollupFundsPaidCW,
    RollupLedgerCM,
    RollupLedgerTM,
    RollupPaymentTWP,
)
from data.model.schema import (
    Disclosure,
    FundPayment,
    FundProgram,
    LivelihoodProject,
    Region,
    VillageLedger,
)
from data.queries.funds import SOURCE_LEVELS, funded_pairs, is_delayed
from data.records import COUNT_CAP, RECORD_SOURCES, paged_select, record_source, region_name, week_dates
from data.records import RecordColumn as C
from data.records.map import DISCLOSURE_COLUMNS as MAP_DISCLOSURE_COLUMNS
from data.records.map import _villages
from data.scope import scope_condition

_pay, _prog, _led = FundPayment.__table__, FundProgram.__table__, VillageLedger.__table__
_proj, _reg = LivelihoodProject.__table__, Region.__table__
_twp, _paid_cw, _overdue = RollupPaymentTWP.__table__, RollupFundsPaidCW.__table__, RollupFundsOverdueTW.__table__
_ledger_tm, _ledger_cm = RollupLedgerTM.__table__, RollupLedgerCM.__table__
_dis, _disc_tw = Disclosure.__table__, RollupDisclosureTW.__table__




def _none(name: str):
    return pd.DataFrame(columns=list(RECORD_SOURCES[name].fields)), 0


def _rollup_ok(scope) -> bool:
    """Township-keyed rollups can count for the scope (no code of it is a village)."""
    return bool(scope.codes) and all(level_of(c) != "village" for c in scope.codes)


def _county_ok(scope, params) -> bool:
    """County-keyed rollups can count: the region and every scope code are county or above."""
    levels = ("province", "city", "county")
    try:
        region_level = level_of(str(params.get("region")))
    except Exception:
        return False
    return region_level in levels and all(level_of(c) in levels for c in scope.codes)


def _rollup_total(conn, stmt) -> int:
    """The rollup's count, capped as data.records counts (above COUNT_CAP means "more")."""
    return min(int(conn.execute(stmt).scalar() or 0), COUNT_CAP + 1)


def _page(conn, name: str, exprs, base, *, sort, filters, offset, limit, default_order, total):
    """paged_select, but with the total already known (no grid filter): one page read."""
    if filters or total is None:
        return paged_select(conn, RECORD_SOURCES[name], exprs, base, sort=sort, filters=filters,
                            offset=offset, limit=limit, default_order=default_order)
    source = RECORD_SOURCES[name]
    order = [exprs[f].desc() if desc else exprs[f].asc() for f, desc in sort or () if f in exprs]
    stmt = base.with_only_columns(*[exprs[f].label(f) for f in source.fields]).order_by(
        *order, *default_order).offset(offset).limit(limit)
    rows = [tuple(r) for r in conn.execute(stmt)] if limit else []
    return pd.DataFrame.from_records(rows, columns=list(source.fields)), int(total)


def _as_of(params) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(params.get("as_of"))[:10])
    except ValueError:
        return None


def _program_ids(conn, category) -> list[int] | None:
    if not isinstance(category, str):
        return None
    return [int(i) for i in conn.execute(select(_prog.c.id).where(_prog.c.category == category)).scalars()]


PAYMENT_COLUMNS = (
    C("program", "records.col.program", "code", "funds.program"),
    C("village", "records.col.village", "text"),
    C("beneficiary_key", "records.col.beneficiary_key", "text"),
    C("amount", "records.col.amount", "money"),
    C("due_date", "funds.records.col.due_date", "date"),
    C("paid_date", "records.col.paid_date", "date"),
)


@record_source("funds_payments", "funds.records.source.funds_payments", PAYMENT_COLUMNS)
def funds_payments(conn, scope, params, *, sort, filters, offset, limit):
    """Payments due in the period (or outstanding at its end) under the region."""
    bounds = week_dates(params)
    if bounds is None:
        return _none("funds_payments")
    start, end = bounds
    program = (select(_prog.c.code).where(_prog.c.id == _pay.c.program_id)
               .correlate_except(_prog).scalar_subquery())
    exprs = {"program": program, "village": region_name(_pay.c.village_code),
             "beneficiary_key": _pay.c.beneficiary_key, "amount": _pay.c.amount,
             "due_date": _pay.c.due_date, "paid_date": _pay.c.paid_date}
    where = _villages(conn, scope, params, _pay.c.village_code)
    programs = _program_ids(conn, params.get("category"))
    program = params.get("program")
    if isinstance(program, int) and not isinstance(program, bool):  # a Sankey programme node
        programs = [p for p in programs if p == program] if programs is not None else [program]
    if programs is not None:
        where.append(_pay.c.program_id.in_(programs))
    source = params.get("source") if params.get("source") in SOURCE_LEVELS else None
    if source:
        township = func.substr(_pay.c.village_code, 1, 9).concat("000")
        where.append(tuple_(township, _pay.c.program_id).in_(
            funded_pairs(source, week_key(end), within=_region_prefix(params), programs=programs)))
    outstanding = params.get("only") == "outstanding"
    if outstanding:
        where += [_pay.c.due_date <= end, or_(_pay.c.paid_date.is_(None), _pay.c.paid_date > end)]
    else:
        where.append(_pay.c.due_date.between(start, end))
    total = None
    if not filters and _rollup_ok(scope):
        total = _payments_total(conn, scope, params, start, end, programs, outstanding, source)
    base = select(_pay.c.id).where(*where)
    return _page(conn, "funds_payments", exprs, base, sort=sort, filters=filters, offset=offset,
                 limit=limit, total=total,
                 default_order=(_pay.c.village_code, _pay.c.due_date, _pay.c.id))  # index order


def _payments_total(conn, scope, params, start, end, programs, outstanding, source) -> int:
    """Rollup count of the payments listed: due in the weeks (rollup_payment_twp, or the
    county rollup), or outstanding at the last Sunday (rollup_funds_overdue_tw); capped.

    The rollups' primary keys lead with (week_key, code): the weeks are bound as a list,
    so each week seeks the region's code range (a range on week_key would read every
    code of the weeks). With a source, the (code, programme) pairs are a membership test
    (`code || ''` keeps SQLite from driving the read by ~7,500 pairs at a province)."""
    last = week_key(end)
    if outstanding:
        table, code, count = _overdue, _overdue.c.township_code, _overdue.c.payments
        conds = [table.c.week_key == last]
    else:
        if _county_ok(scope, params) and not source:
            table, code, count = _paid_cw, _paid_cw.c.county_code, _paid_cw.c.due_count
        else:
            table, code, count = _twp, _twp.c.township_code, _twp.c.due_count
        conds = [table.c.week_key.in_(_week_keys(start, end))]
    region = _region_prefix(params)
    conds += [scope_condition(code, scope), code.between(*region)]
    if programs is not None:
        conds.append(table.c.program_id.in_(programs))
    if source:
        conds.append(tuple_(code.concat(""), table.c.program_id).in_(
            funded_pairs(source, last, within=region, programs=programs)))
    return _capped_sum(conn, count, conds)


def _week_keys(start: dt.date, end: dt.date) -> list[int]:
    """The ISO week keys from the week of `start` to the week of `end`."""
    keys, day = [], start - dt.timedelta(days=start.weekday())
    while day <= end:
        keys.append(week_key(day))
        day += dt.timedelta(days=7)
    return keys


PROBE_ROWS = 10_000  # rollup rows summed first: a province's capped total is known from them


def _capped_sum(conn, count, conds) -> int:
    """sum(count) over the rollup rows matching conds, capped as data.records counts
    (above COUNT_CAP means "more"). The first PROBE_ROWS rows are summed first: fewer
    rows means the sum is complete; a sum above the cap already decides it (counts are
    never negative); otherwise all rows are summed."""
    probe = select(count.label("n")).where(*conds).limit(PROBE_ROWS).subquery()
    partial, rows = conn.execute(select(func.coalesce(func.sum(probe.c.n), 0), func.count())
                                 .select_from(probe)).one()
    if rows < PROBE_ROWS or int(partial) > COUNT_CAP:
        return min(int(partial), COUNT_CAP + 1)
    return _rollup_total(conn, select(func.coalesce(func.sum(count), 0)).where(*conds))


def _region_prefix(params) -> tuple[str, str]:
    from data.codes import code_range, normalize_code
    return code_range(normalize_code(params.get("region")))


LEDGER_COLUMNS = (
    C("village", "records.col.village", "text"),
    C("entry_date", "funds.records.col.entry_date", "date"),
    C("direction", "funds.records.col.direction", "code", "ledger"),
    C("category", "funds.records.col.ledger_category", "code", "ledger_category"),
    C("amount", "records.col.amount", "money"),
    C("counterparty", "funds.records.col.counterparty", "text"),
    C("voucher_no", "funds.records.col.voucher_no", "text"),
)


def _month_bounds(months) -> tuple[dt.date, dt.date] | None:
    keys = sorted(int(m) for m in (months or []) if str(m).isdigit() and len(str(m)) == 6)
    if not keys:
        return None
    last = keys[-1]
    nxt = dt.date(last // 100 + (last % 100 == 12), last % 100 % 12 + 1, 1)
    return dt.date(keys[0] // 100, keys[0] % 100, 1), nxt - dt.timedelta(days=1)


@record_source("funds_ledger", "funds.records.source.funds_ledger", LEDGER_COLUMNS)
def funds_ledger(conn, scope, params, *, sort, filters, offset, limit):
    """Village finance entries of the months under the region."""
    try:
        bounds = _month_bounds(params.get("months"))
    except (TypeError, ValueError):
        bounds = None
    if bounds is None:
        return _none("funds_ledger")
    exprs = {"village": region_name(_led.c.village_code), "entry_date": _led.c.entry_date,
             "direction": _led.c.direction, "category": _led.c.category, "amount": _led.c.amount,
             "counterparty": _led.c.counterparty, "voucher_no": _led.c.voucher_no}
    where = [*_villages(conn, scope, params, _led.c.village_code), _led.c.entry_date.between(*bounds)]
    for key in ("category", "direction"):
        if isinstance(params.get(key), str):
            where.append(_led.c[key] == params[key])
    total = None
    if not filters and _rollup_ok(scope):
        total = _rollup_total(conn, _ledger_total(scope, params, bounds))
    base = select(_led.c.id).where(*where)
    return _page(conn, "funds_ledger", exprs, base, sort=sort, filters=filters, offset=offset,
                 limit=limit, total=total,
                 default_order=(_led.c.village_code, _led.c.entry_date, _led.c.id))  # index order


def _ledger_total(scope, params, bounds):
    """Rollup count of the ledger entries listed (whole months: rollup_ledger_tm or _cm)."""
    table, code = ((_ledger_cm, _ledger_cm.c.county_code) if _county_ok(scope, params)
                   else (_ledger_tm, _ledger_tm.c.township_code))
    first, last = (int(d.strftime("%Y%m")) for d in bounds)
    conds = [table.c.month_key.between(first, last), scope_condition(code, scope),
             code.between(*_region_prefix(params))]
    for key in ("category", "direction"):
        if isinstance(params.get(key), str):
            conds.append(table.c[key] == params[key])
    return select(func.coalesce(func.sum(table.c.entries), 0)).where(*conds)


PROJECT_COLUMNS = (
    C("name", "funds.records.col.project", "text"),
    C("village", "records.col.village", "text"),
    C("category", "funds.records.col.project_category", "code", "funds.project_category"),
    C("status", "records.col.status", "code", "funds.project_status"),
    C("budget", "funds.records.col.budget", "money"),
    C("spent", "funds.records.col.spent", "money"),
    C("planned_start", "funds.records.col.planned_start", "date"),
    C("planned_end", "funds.records.col.planned_end", "date"),
    C("actual_end", "funds.records.col.actual_end", "date"),
)


@record_source("funds_projects", "funds.records.source.funds_projects", PROJECT_COLUMNS)
def funds_projects(conn, scope, params, *, sort, filters, offset, limit):
    """Livelihood projects under the region (all, or the delayed ones)."""
    exprs = {"name": _proj.c.name, "village": region_name(_proj.c.village_code),
             "category": _proj.c.category, "status": _proj.c.status, "budget": _proj.c.budget,
             "spent": _proj.c.spent, "planned_start": _proj.c.planned_start,
             "planned_end": _proj.c.planned_end, "actual_end": _proj.c.actual_end}
    where = [scope_condition(_proj.c.village_code, scope)]
    if params.get("only") == "delayed":  # as the page's list: delayed on the data's date
        where.append(is_delayed(_as_of(params)))
    if isinstance(params.get("category"), str):
        where.append(_proj.c.category == params["category"])
    base = select(_proj.c.id).where(*where)
    return paged_select(conn, RECORD_SOURCES["funds_projects"], exprs, base, sort=sort,
                        filters=filters, offset=offset, limit=limit,
                        default_order=(_proj.c.planned_end, _proj.c.id))


# the map's disclosure columns, without the region-code column (this source has no link)
DISCLOSURE_COLUMNS = tuple(c for c in MAP_DISCLOSURE_COLUMNS if c.field != "village_code")
DISCLOSURE_STATUSES = ("missed", "on_time", "late", "unpublished")


@record_source("funds_disclosures", "funds.records.source.funds_disclosures", DISCLOSURE_COLUMNS)
def funds_disclosures(conn, scope, params, *, sort, filters, offset, limit):
    """Disclosure items due in the period under the region (by default the ones not
    published on time), optionally of one kind and one status."""
    bounds = week_dates(params)
    if bounds is None:
        return _none("funds_disclosures")
    status = params.get("status") if params.get("status") in DISCLOSURE_STATUSES else "missed"
    kind = params.get("kind") if isinstance(params.get("kind"), str) else None
    exprs = {"village": region_name(_dis.c.village_code), "kind": _dis.c.kind, "period": _dis.c.period,
             "due_date": _dis.c.due_date, "published_date": _dis.c.published_date}
    published, due = _dis.c.published_date, _dis.c.due_date
    where = [*_villages(conn, scope, params, _dis.c.village_code), due.between(*bounds),
             {"missed": or_(published.is_(None), published > due), "on_time": published <= due,
              "late": published > due, "unpublished": published.is_(None)}[status]]
    if kind:
        where.append(_dis.c.kind == kind)
    total = None
    if not filters and _rollup_ok(scope):
        d = _disc_tw
        counts = {"missed": d.c.published_late + d.c.unpublished, "on_time": d.c.on_time,
                  "late": d.c.published_late, "unpublished": d.c.unpublished}[status]
        conds = [d.c.week_key.between(week_key(bounds[0]), week_key(bounds[1])),
                 scope_condition(d.c.township_code, scope),
                 d.c.township_code.between(*_region_prefix(params))]
        if kind:
            conds.append(d.c.kind == kind)
        total = _rollup_total(conn, select(func.coalesce(func.sum(counts), 0)).where(*conds))
    base = select(_dis.c.id).where(*where)
    return _page(conn, "funds_disclosures", exprs, base, sort=sort, filters=filters, offset=offset,
                 limit=limit, total=total,
                 default_order=(_dis.c.village_code, _dis.c.due_date, _dis.c.id))  # index order
