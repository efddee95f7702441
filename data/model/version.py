"""The dataset's generation stamp: part of every cache key, so a new load is never stale."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

_VERSION_SQL = text(
    "SELECT key, value FROM dataset_info WHERE key IN ('generated_at', 'as_of', 'boundaries_at', 'imported_at', "
    "'workflow_at')")


def data_version(engine: Engine) -> str:
    """`dataset_info`'s generation stamp, plus the last file import, the last boundary
    import and the last clue or warning move; 'none' before any load. Each changes what the
    pages show without a new demo."""
    try:
        with engine.connect() as conn:
            rows = {str(key): str(value) for key, value in conn.execute(_VERSION_SQL)}
    except SQLAlchemyError:
        return "none"
    version = rows.get("generated_at") or rows.get("as_of") or "none"
    for later in ("imported_at", "boundaries_at", "workflow_at"):  # an import, boundary file or move since
        if rows.get(later):
            version += f"+{rows[later]}"
    return version
