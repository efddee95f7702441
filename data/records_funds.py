"""Record sources behind the fund-flows page (/funds): payments, ledger entries, projects.

Params (JSON from callbacks/funds.py; `region` is scope-checked by data.records):
- funds_payments: `weeks` (the period; payments due in it), optional `category` (a
  programme category), optional `only="outstanding"` (due by the period's last Sunday
  and not paid by it: what the overdue chart counts).
- funds_ledger: `months` ([yyyymm, ...]), optional `category` and `direction`.
- funds_projects: optional `category` (project category), optional `only="delayed"`.

Beneficiaries appear as their pseudonymous key only (no identity column exists here).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import or_, select

from data.records import RECORD_SOURCES, RecordColumn as C, paged_select, record_source, week_dates
from data.schema import FundPayment, FundProgram, LivelihoodProject, Region, VillageLedger
from data.scope import scope_condition

_pay, _prog, _led = FundPayment.__table__, FundProgram.__table__, VillageLedger.__table__
_proj, _reg = LivelihoodProject.__table__, Region.__table__


def _village(code_column):
    return (select(_reg.c.name).where(_reg.c.code == code_column)
            .correlate_except(_reg).scalar_subquery())


def _none(name: str):
    return pd.DataFrame(columns=list(RECORD_SOURCES[name].fields)), 0


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
    exprs = {"program": program, "village": _village(_pay.c.village_code),
             "beneficiary_key": _pay.c.beneficiary_key, "amount": _pay.c.amount,
             "due_date": _pay.c.due_date, "paid_date": _pay.c.paid_date}
    where = [scope_condition(_pay.c.village_code, scope)]
    if params.get("only") == "outstanding":
        where += [_pay.c.due_date <= end, or_(_pay.c.paid_date.is_(None), _pay.c.paid_date > end)]
    else:
        where.append(_pay.c.due_date.between(start, end))
    if isinstance(params.get("category"), str):
        where.append(_pay.c.program_id.in_(select(_prog.c.id).where(_prog.c.category == params["category"])))
    base = select(_pay.c.id).where(*where)
    return paged_select(conn, RECORD_SOURCES["funds_payments"], exprs, base, sort=sort,
                        filters=filters, offset=offset, limit=limit,
                        default_order=(_pay.c.due_date.desc(), _pay.c.id))


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
    exprs = {"village": _village(_led.c.village_code), "entry_date": _led.c.entry_date,
             "direction": _led.c.direction, "category": _led.c.category, "amount": _led.c.amount,
             "counterparty": _led.c.counterparty, "voucher_no": _led.c.voucher_no}
    where = [scope_condition(_led.c.village_code, scope), _led.c.entry_date.between(*bounds)]
    for key in ("category", "direction"):
        if isinstance(params.get(key), str):
            where.append(_led.c[key] == params[key])
    base = select(_led.c.id).where(*where)
    return paged_select(conn, RECORD_SOURCES["funds_ledger"], exprs, base, sort=sort,
                        filters=filters, offset=offset, limit=limit,
                        default_order=(_led.c.entry_date.desc(), _led.c.id))


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
    exprs = {"name": _proj.c.name, "village": _village(_proj.c.village_code),
             "category": _proj.c.category, "status": _proj.c.status, "budget": _proj.c.budget,
             "spent": _proj.c.spent, "planned_start": _proj.c.planned_start,
             "planned_end": _proj.c.planned_end, "actual_end": _proj.c.actual_end}
    where = [scope_condition(_proj.c.village_code, scope)]
    if params.get("only") == "delayed":
        where.append(_proj.c.status == "delayed")
    if isinstance(params.get("category"), str):
        where.append(_proj.c.category == params["category"])
    base = select(_proj.c.id).where(*where)
    return paged_select(conn, RECORD_SOURCES["funds_projects"], exprs, base, sort=sort,
                        filters=filters, offset=offset, limit=limit,
                        default_order=(_proj.c.planned_end, _proj.c.id))
