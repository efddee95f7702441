"""Fixtures used across the test folders; pytest finds them here, tests never import them.

- `demo_db_url` / `demo_engine`: the county-scale demo (永兴县 431023, tests/support/demo.py),
  generated once per test session, and only when a test asks for it.
- `city_demo_db_url`: the reduced city-level demo (郴州市 431000), likewise once and lazily.
- `browser_db_url`: the database the browser tests' app subprocess serves.
- `server`: the Flask server of the app on the county demo (one per test), for callbacks
  called as functions inside `server.test_request_context(...)`.

Constants and builders (DEMO_COUNTY, DEMO_WEEK, CITY, build_small ...) live in tests/support.
"""
from __future__ import annotations

import pytest

from tests.support.demo import DEMO_AS_OF, DEMO_SEED, build_city_small


@pytest.fixture(scope="session")
def demo_db_url(tmp_path_factory) -> str:
    """URL of a SQLite file holding the county-scale demo (永兴县 431023)."""
    from data.model.db import make_engine
    from data.model.migrate import upgrade
    from demo import generate

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


@pytest.fixture(scope="session")
def city_demo_db_url(tmp_path_factory) -> str:
    """URL of a SQLite file holding the reduced city-level demo (郴州市)."""
    from data.model.db import make_engine

    url = f"sqlite:///{tmp_path_factory.mktemp('city-demo') / 'city.db'}"
    engine = make_engine(url)
    try:
        build_city_small(engine)
    finally:
        engine.dispose()
    return url


@pytest.fixture()
def server(demo_db_url, tmp_path):
    """The app's Flask server on the county demo, province scope (a fresh var dir per test)."""
    from app import create_app
    from settings import load_settings
    settings = load_settings(env={"DATABASE_URL": demo_db_url, "SUNSHINE_VAR_DIR": str(tmp_path),
                                  "SUNSHINE_SCOPE": "430000000000"})
    return create_app(settings).server
