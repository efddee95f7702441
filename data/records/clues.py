"""Record source of the clues page (/clues): the clue list, paged on the server.

`clue_list`: every clue in the scope narrowed to the page's filters (params: `region`, `rule`,
`status`, `deadline` near | overdue, `handler` a region code or "none", `min_score`,
`near_days`), newest first. The deadline state is judged on data.queries.clues.workflow_today
in SQL, so the grid's own filters and sorts run on it too. A clue's subject is its
pseudonymous key; the source needs VIEW_CLUES besides VIEW_RECORDS.
"""
from __future__ import annotations

from sqlalchemy import func, select

from data.access import VIEW_CLUES
from data.model.schema import Clue, Region
from data.queries.clues import ClueFilter, deadline_expr, workflow_today
from data.records import RecordColumn as C
from data.records import paged_select, record_source, region_name

_clue, _reg = Clue.__table__, Region.__table__

CLUE_COLUMNS = (
    C("id", "clues.col.id", "number"),
    C("flagged_on", "clues.col.flagged_on", "date"),
    C("rule", "clues.col.rule", "code", "clue_rule"),
    C("village", "records.col.village", "text"),
    C("subject_key", "clues.col.subject", "text"),
    C("amount", "clues.col.amount", "money"),
    C("score", "clues.col.score", "number"),
    C("status", "clues.col.status", "code", "clue_status"),
    C("handler", "clues.col.handler", "text"),
    C("due_on", "clues.col.due_on", "date"),
    C("deadline", "clues.col.deadline", "code", "clues.deadline"),
    C("village_code", "records.col.village_code", "text"),  # village cells link to its profile
)




def _int(value, low: int, high: int, default: int) -> int:
    try:
        return max(low, min(high, int(value)))
    except (TypeError, ValueError):
        return default


def clue_filter(params) -> ClueFilter:
    """The page's filters from the grid's params (anything malformed is dropped)."""
    def text(key):
        value = params.get(key)
        return value if isinstance(value, str) and value and len(value) <= 40 else None
    try:
        score = float(params["min_score"]) if params.get("min_score") not in (None, "") else None
    except (TypeError, ValueError):
        score = None
    return ClueFilter(rule=text("rule"), status=text("status"), deadline=text("deadline"),
                      handler=text("handler"), min_score=score)


@record_source("clue_list", "clues.list.source", CLUE_COLUMNS, right=VIEW_CLUES)
def clue_list(conn, scope, params, *, sort, filters, offset, limit):
    today, near = workflow_today(conn), _int(params.get("near_days"), 0, 30, 3)
    exprs = {"id": _clue.c.id, "flagged_on": _clue.c.flagged_on, "rule": _clue.c.rule,
             "village": region_name(_clue.c.region_code), "subject_key": _clue.c.subject_key,
             "amount": _clue.c.amount, "score": func.round(_clue.c.score), "status": _clue.c.status,
             "handler": region_name(_clue.c.handler_code), "due_on": _clue.c.due_on,
             "deadline": deadline_expr(today, near), "village_code": _clue.c.region_code}
    base = select(_clue.c.id).where(*clue_filter(params).where(scope, today, near))
    return paged_select(conn, _source(), exprs, base, sort=sort, filters=filters, offset=offset, limit=limit,
                        default_order=(_clue.c.flagged_on.desc(), _clue.c.id.desc()))


def _source():
    from data.records import RECORD_SOURCES
    return RECORD_SOURCES["clue_list"]
