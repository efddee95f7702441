"""Shared fixtures: a generated county-scale demo database (once per test session).

The demo is deterministic (seed 7, as-of 2026-11-15, the end of ISO week 2026-W46), so
tests can compare against fixed weeks. Browser tests serve this same database.
"""
from __future__ import annotations

import datetime as dt

import pytest

DEMO_AS_OF = dt.date(2026, 11, 15)
DEMO_SEED = 7
DEMO_WEEK = 202646
DEMO_COUNTY = "431023000000"


@pytest.fixture(scope="session")
def demo_db_url(tmp_path_factory) -> str:
    """URL of a SQLite file holding the county-scale demo (永兴县 431023)."""
    from data.model.db import make_engine
    from demo import generate
    from data.model.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    generate(engine, scale="county", seed=DEMO_SEED, as_of=DEMO_AS_OF, progress=False)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def demo_engine(demo_db_url):
    from data.model.db import make_engine
    engine = make_engine(demo_db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def browser_db_url(demo_db_url) -> str:
    """The database the browser tests' app subprocess serves."""
    return demo_db_url
