"""The complaints rollups are the same on PostgreSQL as on SQLite (portable SQL, days between
timestamps per dialect), on the small hand-made dataset of tests/support/small.py."""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from data.model.db import make_engine
from tests.support.small import build_small

PG_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
SCHEMA = "complaints_rollup_test"


@pytest.fixture()
def pg_url():
    engine = make_engine(PG_URL)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}")
    yield PG_URL
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()


def _table(engine, name: str, order: str) -> pd.DataFrame:
    with engine.connect() as conn:
        frame = pd.read_sql_query(text(f"SELECT * FROM {name} ORDER BY {order}"), conn)
    for col in ("reply_days", "close_days"):
        if col in frame:
            frame[col] = frame[col].astype(float).round(6)
    return frame.astype({c: "int64" for c in frame.columns if frame[c].dtype.kind in "iuf"
                         and c not in ("reply_days", "close_days")})


def test_rollups_match_between_sqlite_and_postgresql(tmp_path, pg_url):
    lite = build_small(f"sqlite:///{tmp_path / 'small.db'}")
    pg = make_engine(pg_url, connect_args={"options": f"-csearch_path={SCHEMA}"})
    from data.model import metadata
    from tests.support.small import load_small
    metadata.create_all(pg)
    with pg.begin() as conn:
        load_small(conn)
    for name, order in (("rollup_complaint_rwd", "dim, level, week_key, region_code, value"),
                        ("rollup_service_rwm", "level, region_code, matter, week_key")):
        a, b = _table(lite, name, order), _table(pg, name, order)
        if name == "rollup_complaint_rwd":
            assert len(a) > 20 and a["received"].sum() > 0 and a["close_days"].sum() > 0
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    lite.dispose()
    pg.dispose()
