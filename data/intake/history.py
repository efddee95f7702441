"""What the /data page reads: the import history and the rejected rows of batches."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from data.model.schema import ImportBatch, RejectedRow

HISTORY_COLUMNS = ("batch", "file", "dataset", "sha256", "user", "started_at", "rows", "loaded", "updated",
                   "unchanged", "rejected", "seconds", "status")
REJECTED_COLUMNS = ("batch", "file", "line", "column", "value", "reason", "reason_en")


def import_history(conn, limit: int = 500) -> pd.DataFrame:
    """The newest batches first: file loads and demo loads, with rows per outcome."""
    b = ImportBatch.__table__
    rows = conn.execute(select(b.c.id, b.c.source, b.c.dataset, b.c.sha256, b.c.user, b.c.started_at,
                               b.c.rows_total, b.c.rows_loaded, b.c.rows_updated, b.c.rows_unchanged,
                               b.c.rows_rejected, b.c.seconds, b.c.status, b.c.undone_at, b.c.kind)
                        .order_by(b.c.id.desc()).limit(limit)).all()
    frame = pd.DataFrame(rows, columns=[*HISTORY_COLUMNS[:-1], "state", "undone_at", "kind"])
    frame["status"] = [("undone" if undone is not None else state) for state, undone in
                       zip(frame["state"], frame["undone_at"])]
    frame["dataset"] = [kind if pd.isna(d) or not d else d for d, kind in zip(frame["dataset"], frame["kind"])]
    frame["sha256"] = frame["sha256"].fillna("").str[:12]
    frame["started_at"] = frame["started_at"].astype(str).str[:19]
    return frame[list(HISTORY_COLUMNS)]


def rejected_rows(conn, batches: list[int]) -> pd.DataFrame:
    """Every rejected row's problem of these batches, by batch and line; with the row as sent."""
    r, b = RejectedRow.__table__, ImportBatch.__table__
    if not batches:
        return pd.DataFrame(columns=[*REJECTED_COLUMNS, "dataset", "raw"])
    rows = conn.execute(select(r.c.batch_id, b.c.source, r.c.row_number, r.c.column, r.c.value, r.c.message,
                               r.c.message_en, b.c.dataset, r.c.raw)
                        .join(b, b.c.id == r.c.batch_id).where(r.c.batch_id.in_(batches))
                        .order_by(r.c.batch_id, r.c.row_number, r.c.id)).all()
    return pd.DataFrame(rows, columns=[*REJECTED_COLUMNS, "dataset", "raw"])
