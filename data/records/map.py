"""Record sources behind the hotspot map and the region profile (明细).

Params (JSON from callbacks/map.py and callbacks/region.py):
- `region`: the region whose records are listed (scope-checked by data.records).
- `weeks`: ISO week keys of the period; records whose period date falls in
  [first Monday, last Sunday] are listed (complaints: received_at, or due_date with
  `only="overdue"`; clues: flagged_on; payments and disclosures: due_date).
- complaints: `only` = "overdue" (due in the period and closed late or not closed by the
  period's end), "repeat" (repeat_of set) or absent (all received).

Identity never leaves: complaints have no complainant columns, payments show the
pseudonymous beneficiary key only.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select

from data.access import VIEW_CLUES
from data.model.rollups import RollupComplaintTW, RollupDisclosureTW, RollupPaymentTW
from data.model.schema import Clue, Complaint, Disclosure, FundPayment, FundProgram, Region
from data.records import RECORD_SOURCES, paged_select, record_source, region_name, week_dates
from data.records import RecordColumn as C
from data.scope import scope_condition

_cp, _cl, _pay, _prog = (Complaint.__table__, Clue.__table__, FundPayment.__table__,
                         FundProgram.__table__)
_dis, _reg = Disclosure.__table__, Region.__table__
_cp_tw, _pay_tw, _dis_tw = RollupComplaintTW.__table__, RollupPaymentTW.__table__, RollupDisclosureTW.__table__

COMPLAINT_COLUMNS = (
    C("case_no", "records.col.case_no", "text"),
    C("village", "records.col.village", "text"),
    C("category", "records.col.category", "code", "complaint_category"),
    C("channel", "records.col.channel", "code", "channel"),
    C("received_at", "records.col.received_at", "datetime"),
    C("due_date", "records.col.due_date", "date"),
    C("closed_at", "records.col.closed_at", "datetime"),
    C("satisfaction", "records.col.satisfaction", "code", "satisfaction"),
    C("content", "records.col.content", "text"),
    C("village_code", "records.col.village_code", "text"),
)




IN_LIST_MAX = 5_000  # up to this many villages (a city has ~2,500; a province ~24,000) are bound as an `IN` list


def _villages(conn, scope, params, column, *, date_index: bool = False):
    """Scope condition on a village-code column, plus `IN (visible villages)`: the
    (village_code, date) indexes then seek straight to the period of each village instead
    of reading every row of the region. Up to IN_LIST_MAX villages the codes are bound as
    a list; above (a province root: ~24,000, ~10M payments) as `IN (SELECT code FROM
    region ...)`, which SQLite runs as the same per-village seeks (a list subquery) —
    or, with `date_index` (the source has an index led by its period date), no village
    list at all and the code range kept off the index (`code || ''`), so the period is
    read as one range of the date index."""
    from data.codes import code_range, normalize_code
    cond = [scope_condition(column, scope)]
    try:
        lo, hi = code_range(normalize_code(params.get("region")))
    except Exception:
        return cond
    cond.append(column.between(lo, hi))
    # `level || ''`: seek the code range of the primary key, not the (level) index
    visible = select(_reg.c.code).where(_reg.c.code.between(lo, hi), _reg.c.level.concat("") == "village",
                                        scope_condition(_reg.c.code, scope))
    codes = list(conn.execute(visible.limit(IN_LIST_MAX + 1)).scalars())
    if len(codes) <= IN_LIST_MAX:
        cond.append(column.in_(codes))
    elif date_index:
        off_index = column.concat("")
        cond = [scope_condition(off_index, scope), off_index.between(lo, hi)]
    else:
        cond.append(column.in_(visible))
    return cond


def _rollup_ok(scope) -> bool:
    """Township-keyed rollups can count for the (region-narrowed) scope: no code of it
    is a village."""
    from data.codes import level_of
    return bool(scope.codes) and all(level_of(c) != "village" for c in scope.codes)


def _rollup_total(conn, scope, params, table, count):
    """Sum of `count` over the period's weeks and the scope's townships in `table` (a
    (week_key, township_code) rollup): the exact number of rows a source lists without
    grid filters, read from a few hundred rollup rows instead of counting raw rows.
    None when the rollup cannot count it (a village scope, no weeks)."""
    from data.calendar import week_key
    from data.codes import code_range, normalize_code
    bounds = week_dates(params)
    if bounds is None or not _rollup_ok(scope):
        return None
    code = table.c.township_code
    stmt = select(func.coalesce(func.sum(count), 0)).where(
        table.c.week_key.between(week_key(bounds[0]), week_key(bounds[1])),
        code.between(*code_range(normalize_code(params.get("region")))),
        scope_condition(code, scope))
    return int(conn.execute(stmt).scalar() or 0)


def _no_rows(source):
    import pandas as pd
    return pd.DataFrame(columns=list(RECORD_SOURCES[source].fields)), 0


@record_source("complaints", "records.source.complaints", COMPLAINT_COLUMNS)
def complaints(conn, scope, params, *, sort, filters, offset, limit):
    bounds = week_dates(params)
    if bounds is None:
        return _no_rows("complaints")
    start, end = bounds
    exprs = {"case_no": _cp.c.case_no, "village": region_name(_cp.c.village_code),
             "category": _cp.c.category, "channel": _cp.c.channel,
             "received_at": _cp.c.received_at, "due_date": _cp.c.due_date,
             "closed_at": _cp.c.closed_at, "satisfaction": _cp.c.satisfaction,
             "content": _cp.c.content, "village_code": _cp.c.village_code}
    only = params.get("only")
    where = _villages(conn, scope, params, _cp.c.village_code, date_index=only != "overdue")
    counted = {"overdue": _cp_tw.c.due - _cp_tw.c.due_on_time,
               "repeat": _cp_tw.c.repeats}.get(only, _cp_tw.c.received)
    total = None if filters else _rollup_total(conn, scope, params, _cp_tw, counted)
    if only == "overdue":
        # not on time as the rollup counts it: not closed, or date(closed_at) > due_date;
        # the (village_code, due_date) index seeks the period's due dates per village
        where += [_cp.c.due_date.between(start, end),
                  or_(_cp.c.closed_at.is_(None), func.date(_cp.c.closed_at) > _cp.c.due_date)]
    else:
        where += [_cp.c.received_at >= dt.datetime.combine(start, dt.time()),
                  _cp.c.received_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time())]
        if only == "repeat":
            where.append(_cp.c.repeat_of.is_not(None))
    base = select(_cp.c.id).where(*where)
    # overdue: in index order (village, due date), so a province's page stops after 100 rows
    order = ((_cp.c.village_code, _cp.c.due_date, _cp.c.id) if only == "overdue"
             else (_cp.c.received_at.desc(), _cp.c.id))
    return paged_select(conn, RECORD_SOURCES["complaints"], exprs, base, sort=sort,
                        filters=filters, offset=offset, limit=limit, total=total, default_order=order)


CLUE_COLUMNS = (
    C("id", "records.col.clue_id", "number"),
    C("region", "records.col.region", "text"),
    C("rule", "records.col.rule", "code", "clue_rule"),
    C("subject_key", "records.col.subject_key", "text"),
    C("amount", "records.col.amount", "money"),
    C("score", "records.col.score", "number"),
    C("status", "records.col.status", "code", "clue_status"),
    C("flagged_on", "records.col.flagged_on", "date"),
    C("region_code", "records.col.village_code", "text"),
)


@record_source("clues", "records.source.clues", CLUE_COLUMNS, right=VIEW_CLUES)  # the commission's
def clues(conn, scope, params, *, sort, filters, offset, limit):
    bounds = week_dates(params)
    if bounds is None:
        return _no_rows("clues")
    exprs = {"id": _cl.c.id, "region": region_name(_cl.c.region_code), "rule": _cl.c.rule,
             "subject_key": _cl.c.subject_key, "amount": _cl.c.amount, "score": _cl.c.score,
             "status": _cl.c.status, "flagged_on": _cl.c.flagged_on, "region_code": _cl.c.region_code}
    base = select(_cl.c.id).where(scope_condition(_cl.c.region_code, scope),
                                  _cl.c.flagged_on.between(*bounds))
    return paged_select(conn, RECORD_SOURCES["clues"], exprs, base, sort=sort, filters=filters,
                        offset=offset, limit=limit, default_order=(_cl.c.flagged_on.desc(), _cl.c.id))


PAYMENT_COLUMNS = (
    C("program", "records.col.program", "code", "program"),
    C("village", "records.col.village", "text"),
    C("beneficiary_key", "records.col.beneficiary_key", "text"),
    C("amount", "records.col.amount", "money"),
    C("due_date", "records.col.due_date", "date"),
    C("paid_date", "records.col.paid_date", "date"),
    C("village_code", "records.col.village_code", "text"),
)


@record_source("payments_overdue", "records.source.payments_overdue", PAYMENT_COLUMNS)
def payments_overdue(conn, scope, params, *, sort, filters, offset, limit):
    """Payments due in the period and paid late or not paid (paid_late_count of the rollup)."""
    bounds = week_dates(params)
    if bounds is None:
        return _no_rows("payments_overdue")
    program = (select(_prog.c.code).where(_prog.c.id == _pay.c.program_id)
               .correlate_except(_prog).scalar_subquery())
    exprs = {"program": program, "village": region_name(_pay.c.village_code),
             "beneficiary_key": _pay.c.beneficiary_key, "amount": _pay.c.amount,
             "due_date": _pay.c.due_date, "paid_date": _pay.c.paid_date,
             "village_code": _pay.c.village_code}
    base = select(_pay.c.id).where(
        *_villages(conn, scope, params, _pay.c.village_code), _pay.c.due_date.between(*bounds),
        or_(_pay.c.paid_date.is_(None), _pay.c.paid_date > _pay.c.due_date))
    total = None if filters else _rollup_total(conn, scope, params, _pay_tw, _pay_tw.c.paid_late_count)
    return paged_select(conn, RECORD_SOURCES["payments_overdue"], exprs, base, sort=sort,
                        filters=filters, offset=offset, limit=limit, total=total,
                        default_order=(_pay.c.village_code, _pay.c.due_date, _pay.c.id))  # index order


DISCLOSURE_COLUMNS = (
    C("village", "records.col.village", "text"),
    C("kind", "records.col.disclosure_kind", "code", "disclosure_kind"),
    C("period", "records.col.disclosure_period", "text"),
    C("due_date", "records.col.due_date", "date"),
    C("published_date", "records.col.published_date", "date"),
    C("village_code", "records.col.village_code", "text"),
)


@record_source("disclosures_missed", "records.source.disclosures_missed", DISCLOSURE_COLUMNS)
def disclosures_missed(conn, scope, params, *, sort, filters, offset, limit):
    """Items due in the period and published late or not published (not on time)."""
    bounds = week_dates(params)
    if bounds is None:
        return _no_rows("disclosures_missed")
    exprs = {"village": region_name(_dis.c.village_code), "kind": _dis.c.kind,
             "period": _dis.c.period, "due_date": _dis.c.due_date,
             "published_date": _dis.c.published_date, "village_code": _dis.c.village_code}
    base = select(_dis.c.id).where(
        *_villages(conn, scope, params, _dis.c.village_code), _dis.c.due_date.between(*bounds),
        or_(_dis.c.published_date.is_(None), _dis.c.published_date > _dis.c.due_date))
    total = None if filters else _rollup_total(conn, scope, params, _dis_tw, _dis_tw.c.due - _dis_tw.c.on_time)
    return paged_select(conn, RECORD_SOURCES["disclosures_missed"], exprs, base, sort=sort,
                        filters=filters, offset=offset, limit=limit, total=total,
                        default_order=(_dis.c.due_date.desc(), _dis.c.id))
