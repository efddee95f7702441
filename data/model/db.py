"""Engine creation and bulk loading for SQLite (default) and PostgreSQL."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import sqlite3
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Date, DateTime, Engine, Table, create_engine, event


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


@contextlib.contextmanager
def bulk_load_journal(conn):
    """For one big write transaction on SQLite: the rollback journal instead of WAL.

    In WAL mode every page of a new dataset is written twice (to the WAL, then copied
    into the file by the checkpoint); a rollback journal keeps only the pages that held
    data before, so loading into an empty file writes each page once and stays atomic.
    Switching needs the file to itself: when another connection has it open (the app
    reading while `cli.py demo` runs), WAL stays and the load is just slower. `conn`
    must be outside a transaction; WAL is restored afterwards.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    driver = conn.connection.driver_connection
    mode = _try_journal_mode(driver, "DELETE")
    driver.execute("PRAGMA cache_size=-1000000")  # dirty pages stay in memory until commit
    try:
        yield
    finally:
        driver.execute("PRAGMA cache_size=-200000")
        if mode != "wal":
            _try_journal_mode(driver, "WAL")  # else the next connection's own pragma sets it


def _try_journal_mode(driver, mode: str) -> str:
    """Set the journal mode if the file is not open elsewhere (no waiting); the mode now."""
    timeout = driver.execute("PRAGMA busy_timeout").fetchone()[0]
    driver.execute("PRAGMA busy_timeout=0")
    try:
        return driver.execute(f"PRAGMA journal_mode={mode}").fetchone()[0]
    except sqlite3.OperationalError:  # "database is locked": another connection has it open
        return driver.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        driver.execute(f"PRAGMA busy_timeout={int(timeout)}")


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


def insert_plain(conn, table: Table, frame: pd.DataFrame) -> int:
    """Insert a frame of plain values (numbers, text, dates already as text); returns rows.

    SQLite: rows built column-wise (`tolist`) for executemany, without `bulk_insert`'s
    per-value conversion; PostgreSQL: `bulk_insert` (COPY).
    """
    if conn.dialect.name != "sqlite" or frame.empty:
        return bulk_insert(conn, table, frame)
    cols = list(frame.columns)
    sql = f'INSERT INTO {table.name} ({",".join(cols)}) VALUES ({",".join("?" * len(cols))})'
    columns = [_plain_list(frame[c]) for c in cols]
    conn.connection.driver_connection.executemany(sql, zip(*columns))
    return len(frame)


def _plain_list(values: pd.Series) -> list:
    """Column values as Python objects with None for missing (NaN, NA, NaT)."""
    if pd.api.types.is_bool_dtype(values.dtype) and not values.hasnans:
        return values.astype(int).tolist()
    if pd.api.types.is_float_dtype(values.dtype) and values.hasnans:
        return values.astype(object).where(values.notna(), None).tolist()
    if isinstance(values.dtype, np.dtype) and values.dtype != object:
        return values.tolist()
    missing = values.isna().to_numpy()
    items = values.astype(object).tolist()
    if missing.any():
        items = [None if m else v for v, m in zip(items, missing)]
    return items


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


def storage_text(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Only the table's columns, datetime64 columns as text in the storage format (DATE
    'YYYY-MM-DD', DATETIME SQLAlchemy's SQLite format, which PostgreSQL's COPY reads too),
    so `insert_plain` does no per-value parsing."""
    out = {}
    for column in table.columns:
        if column.name not in frame:
            continue
        values = frame[column.name]
        if isinstance(column.type, (Date, DateTime)) and pd.api.types.is_datetime64_any_dtype(values.dtype):
            fmt = datetime_str if isinstance(column.type, DateTime) else date_str
            values = pd.Series(fmt(values.to_numpy()), index=frame.index, dtype=object)
        out[column.name] = values
    return pd.DataFrame(out, index=frame.index)


def date_str(days: np.ndarray) -> np.ndarray:
    """datetime64 dates -> 'YYYY-MM-DD' strings (NaT -> None), the storage format."""
    out = np.datetime_as_string(days.astype("datetime64[D]"), unit="D").astype(object)
    out[np.isnat(days)] = None
    return out


def datetime_str(moments: np.ndarray) -> np.ndarray:
    """datetime64 moments -> 'YYYY-MM-DD HH:MM:SS.000000' (SQLAlchemy's SQLite format)."""
    text = np.datetime_as_string(moments.astype("datetime64[s]"), unit="s")
    out = np.char.add(np.char.replace(text, "T", " "), ".000000").astype(object)
    out[np.isnat(moments)] = None
    return out
