"""A throw-away PostgreSQL schema for a test (the machine's server, trust auth), or a skip
with the reason when no server answers."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, text

from data.model.db import make_engine

PG_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


def pg_schema_url(schema: str) -> str:
    """The URL of PG_URL whose search_path is `schema` (for code that makes its own engine)."""
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@contextmanager
def pg_schema(schema: str) -> Iterator[Engine]:
    """An engine whose search_path is a fresh schema, dropped afterwards."""
    base = make_engine(PG_URL)
    try:
        with base.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any connection failure means "no server here"
        base.dispose()
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}")
    with base.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    scoped = make_engine(pg_schema_url(schema))
    try:
        yield scoped
    finally:
        scoped.dispose()
        with base.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        base.dispose()
