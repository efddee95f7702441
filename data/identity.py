"""Identity by case (按件查看身份): the one way a complainant's identity leaves the database.

A discipline-commission user names one complaint (its case number) and states why; when
the complaint lies inside their jurisdiction, its complainant's name, phone and ID number
are returned for that case only and the opening is written to the audit log with the
reason, in the same transaction. Nothing here is cached; no other query selects these
columns (data/queries, data/records never do).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from data import audit
from data.model.schema import Complaint
from data.scope import Scope

MIN_REASON = 6
MAX_REASON = 200


class UnmaskRefused(ValueError):
    """Why an opening was refused (key of the message: reason | case)."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Complainant:
    case_no: str
    name: str
    phone: str
    id_number: str


def unmask_complainant(conn: Connection, scope: Scope, case_no: str, reason: str, *, user: str,
                       address: str | None = None) -> Complainant:
    """The complainant of one in-scope case, audited with the reason (UnmaskRefused else)."""
    reason, case_no = (reason or "").strip(), (case_no or "").strip()[:24]
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise UnmaskRefused("reason")
    c = Complaint.__table__
    row = conn.execute(select(c.c.case_no, c.c.village_code, c.c.complainant_name, c.c.complainant_phone,
                              c.c.complainant_id_number).where(c.c.case_no == case_no)).first()
    if row is None or not scope.allows(row.village_code):  # the same answer: no probing outside
        raise UnmaskRefused("case")
    audit.record(conn, user=user, action="unmask_identity", obj=f"complaint:{row.case_no}",
                 region_code=row.village_code, detail={"reason": reason}, address=address, scope=scope.codes)
    return Complainant(row.case_no, row.complainant_name or "", row.complainant_phone or "",
                       row.complainant_id_number or "")
