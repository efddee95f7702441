"""Record source of the warnings section of /clues: the risk warnings, paged on the server.

`warning_list`: the warnings in the scope narrowed to `region`, newest first, with their
loop state (raised, tasked, feedback, closed) and whether their task is overdue on the
day the workflow judges (data.queries.clues.workflow_today). Needs VIEW_CLUES.
"""
from __future__ import annotations

from sqlalchemy import case, select

from data.access import VIEW_CLUES
from data.model.schema import Region, Warning
from data.queries.clues import workflow_today
from data.records import RECORD_SOURCES, paged_select, record_source, region_name
from data.records import RecordColumn as C
from data.rules.warnings import overdue_expr, state_expr
from data.scope import scope_condition

_w, _reg = Warning.__table__, Region.__table__

WARNING_COLUMNS = (
    C("id", "warnings.col.id", "number"),
    C("warning_no", "warnings.col.warning_no", "text"),
    C("raised_on", "warnings.col.raised_on", "date"),
    C("level", "warnings.col.level", "code", "warning_level"),
    C("source", "warnings.col.source", "code", "warnings.source"),
    C("title", "warnings.col.title", "text"),
    C("region", "records.col.region", "text"),
    C("unit", "warnings.col.unit", "text"),
    C("task_due_on", "warnings.col.task_due_on", "date"),
    C("state", "warnings.col.state", "code", "warnings.state"),
    C("overdue", "warnings.col.overdue", "code", "warnings.overdue"),
    C("region_code", "records.col.village_code", "text"),  # region cells link to its profile
)




@record_source("warning_list", "warnings.list.source", WARNING_COLUMNS, right=VIEW_CLUES)
def warning_list(conn, scope, params, *, sort, filters, offset, limit):
    today = workflow_today(conn)
    exprs = {"id": _w.c.id, "warning_no": _w.c.warning_no, "raised_on": _w.c.raised_on, "level": _w.c.level,
             "source": _w.c.source, "title": _w.c.title, "region": region_name(_w.c.region_code),
             "unit": region_name(_w.c.unit_code), "task_due_on": _w.c.task_due_on, "state": state_expr(),
             "overdue": case((overdue_expr(today), "yes"), else_="no"), "region_code": _w.c.region_code}
    conds = [scope_condition(_w.c.region_code, scope)]
    if params.get("only") == "overdue":
        conds.append(overdue_expr(today))
    elif params.get("only") == "open":
        conds.append(_w.c.closed_on.is_(None))
    base = select(_w.c.id).where(*conds)
    return paged_select(conn, RECORD_SOURCES["warning_list"], exprs, base, sort=sort, filters=filters,
                        offset=offset, limit=limit, default_order=(_w.c.raised_on.desc(), _w.c.id.desc()))
