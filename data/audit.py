"""The audit log (审计日志): one chained row per login, sensitive view, export, unmasking,
import or account change, and the check that the chain is whole.

Rows are only ever appended. Each row's hash covers its fields and the previous row's
hash (data/model/audit_chain.py); writers are serialized so that the chain never forks:
PostgreSQL by a transaction-scoped advisory lock, SQLite by taking the write lock before
the last hash is read.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, insert, select, text, update

from data.model.audit_chain import GENESIS, HASHED, digest
from data.model.schema import AuditLog

_log = AuditLog.__table__
_PG_LOCK = 0x5A5A_A0D1  # advisory lock key of the audit chain


def record(conn: Connection, *, user: str, action: str, obj: str, region_code: str | None = None,
           detail: dict | None = None, address: str | None = None, scope=None) -> None:
    """Append one row inside the caller's transaction; values are cut to the columns'
    sizes and `detail` made JSON-safe (dates as text)."""
    _lock_chain(conn)
    row = {"at": dt.datetime.now(), "user": (user or "")[:32], "action": action[:32], "object": obj[:64],
           "region_code": region_code[:12] if region_code else None,
           "detail": json.loads(json.dumps(detail or {}, default=str, ensure_ascii=False)),
           "address": (address or None) and address[:45],
           "scope": sorted(scope) if scope is not None else None}
    prev = conn.execute(select(_log.c.row_hash).order_by(_log.c.id.desc()).limit(1)).scalar() or GENESIS
    new_id = conn.execute(insert(_log).values(**row, prev_hash=prev).returning(_log.c.id)).scalar_one()
    stored = conn.execute(select(*[_log.c[n] for n in HASHED]).where(_log.c.id == new_id)).mappings().one()
    conn.execute(update(_log).where(_log.c.id == new_id).values(row_hash=digest(prev, stored)))


def _lock_chain(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
    else:  # a write statement takes SQLite's single write lock for this transaction
        conn.execute(update(_log).where(_log.c.id == -1).values(user=_log.c.user))


@dataclass(frozen=True)
class ChainCheck:
    rows: int
    broken: list[dict]          # {"id", "reason"} of the first rows where the chain fails
    last_id: int | None
    last_hash: str | None

    @property
    def ok(self) -> bool:
        return not self.broken


def verify(conn: Connection, *, limit: int = 20) -> ChainCheck:
    """Walk the log in id order and recompute every hash (read in pages, whole log)."""
    broken: list[dict] = []
    prev, count, last_id = GENESIS, 0, None
    columns = [_log.c[n] for n in HASHED] + [_log.c.prev_hash, _log.c.row_hash]
    result = conn.execution_options(yield_per=5000).execute(select(*columns).order_by(_log.c.id))
    for row in result.mappings():
        count, last_id = count + 1, row["id"]
        if row["prev_hash"] != prev and len(broken) < limit:
            broken.append({"id": row["id"], "reason": "previous row missing or changed"})
        if digest(row["prev_hash"] or GENESIS, row) != row["row_hash"] and len(broken) < limit:
            broken.append({"id": row["id"], "reason": "row changed"})
        prev = row["row_hash"]
    return ChainCheck(count, broken, last_id, prev if count else None)


AUDIT_COLUMNS = ("id", "at", "user", "action", "object", "region_code", "address", "detail")


def fetch_log(conn: Connection, *, user: str | None = None, action: str | None = None,
              start: dt.date | None = None, end: dt.date | None = None, limit: int = 5000) -> pd.DataFrame:
    """Newest first, filtered by user, action and an inclusive date range."""
    query = select(*[_log.c[c] for c in AUDIT_COLUMNS]).order_by(_log.c.id.desc()).limit(limit)
    if user:
        query = query.where(_log.c.user == user)
    if action:
        query = query.where(_log.c.action == action)
    if start:
        query = query.where(_log.c.at >= dt.datetime.combine(start, dt.time.min))
    if end:
        query = query.where(_log.c.at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    return pd.DataFrame(conn.execute(query).all(), columns=list(AUDIT_COLUMNS))


def distinct_values(conn: Connection, column: str) -> list[str]:
    """The users or actions present in the log (the audit page's filter options)."""
    col = _log.c[column]
    return [v for (v,) in conn.execute(select(col).distinct().order_by(col))]
