"""Loading demo frames: clearing the old dataset, type conversion, chunked bulk inserts.

Frames are built with numpy datetime64 columns; `data.model.db.storage_text` turns them into the text
formats the storage layer uses (DATE 'YYYY-MM-DD', DATETIME SQLAlchemy's SQLite format,
accepted by PostgreSQL COPY too), so `data.model.db.insert_plain` does no per-value parsing.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json

import numpy as np
import pandas as pd
from sqlalchemy import Integer, Table, inspect, text

from data.model.db import insert_plain, storage_text
from data.model.schema import Base

KEEP = ("audit_log",)  # history of who saw what survives a demo reload
CHUNK = 500_000


def clear_all(conn) -> list[str]:
    """Delete the rows of every table (children first) except the audit log."""
    present = set(inspect(conn).get_table_names())
    tables = [t for t in reversed(Base.metadata.sorted_tables)
              if t.name in present and t.name not in KEEP]
    if conn.dialect.name == "postgresql":
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(t.name for t in tables)))
    else:
        for table in tables:
            conn.execute(text(f"DELETE FROM {table.name}"))
    return [t.name for t in tables]


@contextlib.contextmanager
def deferred_indexes(conn, tables: list[Table]):
    """Drop the tables' secondary indexes for a bulk load and build them again after.

    Building an index once from the loaded rows (one sort) is cheaper than updating it
    row by row in insertion order; both statements run in the caller's transaction,
    so a failed load leaves the indexes as they were.
    """
    indexes = [index for table in tables for index in sorted(table.indexes, key=lambda i: i.name or "")]
    for index in indexes:
        index.drop(conn, checkfirst=True)
    yield
    for index in indexes:
        index.create(conn)


def load(conn, table: Table, frame: pd.DataFrame, advance=None) -> int:
    """Bulk-insert `frame` in chunks (bounded memory); `advance(n)` reports progress.

    The prepared frame holds only plain values, so `data.model.db.insert_plain` can skip
    `bulk_insert`'s per-value conversion (~3x the insert itself on SQLite).
    """
    total = 0
    for start in range(0, len(frame), CHUNK):
        part = storage_text(table, frame.iloc[start:start + CHUNK])
        total += insert_plain(conn, table, part)
        if advance:
            advance(len(part))
    return total


def reset_sequences(conn, tables: list[Table]) -> None:
    """PostgreSQL: move id sequences past the explicit ids loaded by COPY."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].name == "id" and isinstance(pk[0].type, Integer):
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))


def dataset_info_frame(ctx, generated_with: str) -> pd.DataFrame:
    """Rows of dataset_info describing this demo dataset."""
    items = {"as_of": ctx.as_of.isoformat(), "scale": ctx.scale, "seed": str(ctx.seed),
             "root_code": ctx.root_code, "generated_with": generated_with,
             "first_day": ctx.start.isoformat()}
    return pd.DataFrame({"key": list(items), "value": list(items.values())})


def import_batch_frame(ctx, started: dt.datetime, counts: dict[str, int]) -> pd.DataFrame:
    """The import_batch row of this run (kind 'demo'); times are the real load times."""
    rows = int(sum(counts.values()))
    params = {"scale": ctx.scale, "seed": ctx.seed, "as_of": ctx.as_of.isoformat(), "rows": counts}
    return pd.DataFrame([{
        "id": ctx.batch_id, "kind": "demo", "user": "system", "status": "loaded",
        "source": f"data.demo scale={ctx.scale} seed={ctx.seed} as_of={ctx.as_of.isoformat()}",
        "started_at": np.datetime64(started.replace(microsecond=0), "s"),
        "finished_at": np.datetime64(dt.datetime.now().replace(microsecond=0), "s"),
        "rows_total": rows, "rows_loaded": rows, "rows_rejected": 0,
        "params": json.dumps(params, ensure_ascii=False, sort_keys=True)}])
