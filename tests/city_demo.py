"""A small city-level demo (郴州市 431000 with its 11 counties), once per test session.

`data.demo.generate(scale="city")` builds 163 townships and 2,400 villages (about a
minute); the map tests only need the city's counties and a few townships each, so this
fixture registers a reduced variant of the city scale — same official city and counties,
same seed and as-of as the county demo, 40 townships and 400 villages — and generates that.

Use it from a test module with `from tests.city_demo import city_demo_db_url  # noqa: F401`
(session-scoped: the database is built once however many modules import it).
"""
from __future__ import annotations

import pytest

from tests.conftest import DEMO_AS_OF, DEMO_SEED

CITY = "431000000000"
CITY_SMALL_SCALE = "city_small"
CITY_SMALL = dict(load="431000", keep="4310", townships=40, villages=400, focus="4310")


@pytest.fixture(scope="session")
def city_demo_db_url(tmp_path_factory) -> str:
    """URL of a SQLite file holding the reduced city-level demo (郴州市)."""
    from data.model.db import make_engine
    from demo import context, generate
    from data.model.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('city-demo') / 'city.db'}"
    engine = make_engine(url)
    upgrade(engine)
    context.SCALES.setdefault(CITY_SMALL_SCALE, CITY_SMALL)
    try:
        generate(engine, scale=CITY_SMALL_SCALE, seed=DEMO_SEED, as_of=DEMO_AS_OF, progress=False)
    finally:
        context.SCALES.pop(CITY_SMALL_SCALE, None)
        engine.dispose()
    return url
