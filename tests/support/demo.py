"""The generated demo databases the tests share (built by fixtures of tests/conftest.py).

County demo (`demo_db_url`, `demo_engine`): deterministic, seed 7, as-of 2026-11-15 (the end
of ISO week 2026-W46), 永兴县 431023, so tests can compare against fixed weeks. Browser
tests serve this same database.

City demo (`city_demo_db_url`): `demo.generate(scale="city")` builds 163 townships and
2,400 villages (about a minute); the map tests only need the city's counties and a few
townships each, so the fixture registers a reduced variant of the city scale — same
official city (郴州市 431000) and counties, same seed and as-of as the county demo, 40
townships and 400 villages — and generates that.
"""
from __future__ import annotations

import datetime as dt

DEMO_AS_OF = dt.date(2026, 11, 15)
DEMO_SEED = 7
DEMO_WEEK = 202646
DEMO_COUNTY = "431023000000"

CITY = "431000000000"
CITY_SMALL_SCALE = "city_small"
CITY_SMALL = dict(load="431000", keep="4310", townships=40, villages=400, focus="4310")


def build_city_small(engine) -> None:
    """The reduced city-level demo (郴州市, CITY_SMALL) into `engine`'s upgraded schema."""
    from data.model.migrate import upgrade
    from demo import context, generate
    upgrade(engine)
    context.SCALES.setdefault(CITY_SMALL_SCALE, CITY_SMALL)
    try:
        generate(engine, scale=CITY_SMALL_SCALE, seed=DEMO_SEED, as_of=DEMO_AS_OF, progress=False)
    finally:
        context.SCALES.pop(CITY_SMALL_SCALE, None)
