"""Engine creation and bulk loading for SQLite (default) and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, Table, create_engine, event


def make_engine(url: str, **engine_options) -> Engine:
    """Create the engine; SQLite files get WAL mode and their folder is created."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True, **engine_options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets the app read while a load writes; NORMAL sync is safe with WAL.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute("PRAGMA cache_size=-200000")
    cur.close()


def bulk_insert(conn, table: Table, df: pd.DataFrame) -> int:
    """Insert a DataFrame into `table` inside the caller's transaction; returns rows.

    PostgreSQL uses COPY; SQLite uses the DB-API executemany, which is several times
    faster than ORM or Core inserts of dicts for millions of rows.
    """
    if df.empty:
        return 0
    cols = [c.name for c in table.columns if c.name in df.columns]
    frame = df[cols]
    if conn.dialect.name == "postgresql":
        return _copy_postgres(conn, table, frame)
    placeholders = ",".join("?" for _ in cols)
    sql = f'INSERT INTO {table.name} ({",".join(cols)}) VALUES ({placeholders})'
    raw = conn.connection.driver_connection
    raw.executemany(sql, _python_rows(frame))
    return len(frame)


def _python_rows(frame: pd.DataFrame):
    """Rows as tuples of plain Python values (None for missing), for the DB-API."""
    obj = frame.astype(object).where(frame.notna(), None)
    for row in obj.itertuples(index=False, name=None):
        yield tuple(_plain(v) for v in row)


def _plain(value):
    """Plain Python value in the text formats SQLAlchemy itself uses on SQLite."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def _copy_postgres(conn, table: Table, frame: pd.DataFrame) -> int:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, header=False, na_rep="\\N")
    buf.seek(0)
    cur = conn.connection.driver_connection.cursor()
    cols = ",".join(f'"{c}"' for c in frame.columns)
    cur.copy_expert(f"COPY {table.name} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buf)
    return len(frame)
