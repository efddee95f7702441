"""Record sources of the complaints page (/complaints) for the shared records grid.

- `complaints_open`: complaints not closed (closed_at null), the oldest first, with their
  age in days at the dataset's as-of date and their stage (received, accepted, replied).
- `services_overdue`: 我要办 service requests not completed and past their due date at
  the as-of date, the most overdue first.

Params (from callbacks/complaints.py): `region` (scope-checked by data.records) and
`as_of` (ISO date). Both read raw rows through the indexes of revision 0003_complaints
(ix_complaint_open, ix_service_request_open); the complainant's name, phone and ID
number are never a column (privacy, DESIGN.md §6).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer as SAInteger
from sqlalchemy import case, cast, func, literal, select

from data.model.schema import Complaint, Region, ServiceRequest
from data.records import RECORD_SOURCES, paged_select, record_source, region_name
from data.records import RecordColumn as C
from data.scope import scope_condition

_cx, _sr, _reg = Complaint.__table__, ServiceRequest.__table__, Region.__table__

OPEN_COMPLAINT_COLUMNS = (
    C("case_no", "records.col.case_no", "text"),
    C("village", "records.col.village", "text"),
    C("category", "records.col.category", "code", "complaint_category"),
    C("channel", "records.col.channel", "code", "channel"),
    C("department", "complaints.col.department", "code", "complaints.department"),
    C("received_at", "records.col.received_at", "datetime"),
    C("age_days", "complaints.col.age_days", "number"),
    C("due_date", "records.col.due_date", "date"),
    C("stage", "complaints.col.stage", "code", "complaints.stage"),
    C("content", "records.col.content", "text"),
    C("village_code", "records.col.village_code", "text"),  # village cells link to its profile
)
OVERDUE_SERVICE_COLUMNS = (
    C("id", "complaints.col.request_id", "number"),
    C("village", "records.col.village", "text"),
    C("matter", "complaints.col.matter", "code", "complaints.matter"),
    C("submitted_at", "complaints.col.submitted_at", "datetime"),
    C("due_date", "records.col.due_date", "date"),
    C("days_overdue", "complaints.col.days_overdue", "number"),
    C("village_code", "records.col.village_code", "text"),  # village cells link to its profile
)




def as_of_date(params) -> dt.date:
    try:
        return dt.date.fromisoformat(str(params.get("as_of"))[:10])
    except (TypeError, ValueError):
        return dt.date.today()


def days_since(conn, column, as_of: dt.date):
    """Whole days from the date of `column` to `as_of`, in SQL of this dialect."""
    if conn.dialect.name == "postgresql":
        return literal(as_of) - func.date(column)
    return cast(func.julianday(literal(as_of.isoformat())) - func.julianday(func.date(column)), SAInteger)


@record_source("complaints_open", "complaints.open.source", OPEN_COMPLAINT_COLUMNS)
def open_complaints(conn, scope, params, *, sort, filters, offset, limit):
    as_of = as_of_date(params)
    exprs = {"case_no": _cx.c.case_no, "village": region_name(_cx.c.village_code),
             "category": _cx.c.category, "channel": _cx.c.channel, "department": _cx.c.department,
             "received_at": _cx.c.received_at, "age_days": days_since(conn, _cx.c.received_at, as_of),
             "due_date": _cx.c.due_date,
             "stage": case((_cx.c.replied_at.is_not(None), "replied"),
                           (_cx.c.accepted_at.is_not(None), "accepted"), else_="received"),
             "content": _cx.c.content, "village_code": _cx.c.village_code}
    base = select(_cx.c.id).where(_cx.c.closed_at.is_(None), scope_condition(_cx.c.village_code, scope))
    return paged_select(conn, RECORD_SOURCES["complaints_open"], exprs, base, sort=sort,
                        filters=filters, offset=offset, limit=limit,
                        default_order=(_cx.c.received_at, _cx.c.id))


@record_source("services_overdue", "complaints.services.overdue_source", OVERDUE_SERVICE_COLUMNS)
def overdue_services(conn, scope, params, *, sort, filters, offset, limit):
    as_of = as_of_date(params)
    exprs = {"id": _sr.c.id, "village": region_name(_sr.c.village_code), "matter": _sr.c.matter,
             "submitted_at": _sr.c.submitted_at, "due_date": _sr.c.due_date,
             "days_overdue": days_since(conn, _sr.c.due_date, as_of), "village_code": _sr.c.village_code}
    base = select(_sr.c.id).where(_sr.c.completed_at.is_(None), _sr.c.due_date < as_of,
                                  scope_condition(_sr.c.village_code, scope))
    return paged_select(conn, RECORD_SOURCES["services_overdue"], exprs, base, sort=sort,
                        filters=filters, offset=offset, limit=limit,
                        default_order=(_sr.c.due_date, _sr.c.id))
