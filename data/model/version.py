"""The dataset's generation stamp: part of every cache key, so a new load is never stale."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

_VERSION_SQL = text(
    "SELECT key, value FROM dataset_info WHERE key IN ('generated_at', 'as_of', 'boundaries_at')")


def data_version(engine: Engine) -> str:
    """`dataset_info`'s generation stamp, plus the last boundary import; 'none' before any
    load. An imported boundary file changes the maps without a new data load."""
    try:
        with engine.connect() as conn:
            rows = {str(key): str(value) for key, value in conn.execute(_VERSION_SQL)}
    except SQLAlchemyError:
        return "none"
    version = rows.get("generated_at") or rows.get("as_of") or "none"
    return f"{version}+{rows['boundaries_at']}" if rows.get("boundaries_at") else version
