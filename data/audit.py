"""The audit log (审计日志): one row per sensitive view, export, import or account change."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, insert

from data.model.schema import AuditLog


def record(conn: Connection, *, user: str, action: str, obj: str, region_code: str | None = None,
           detail: dict | None = None) -> None:
    """Append one row (who, what, where, details) inside the caller's transaction; values
    are cut to the columns' sizes and `detail` made JSON-safe (dates as text)."""
    conn.execute(insert(AuditLog.__table__).values(
        at=dt.datetime.now(), user=user[:32], action=action[:32], object=obj[:64],
        region_code=region_code[:12] if region_code else None,
        detail=json.loads(json.dumps(detail or {}, default=str))))
