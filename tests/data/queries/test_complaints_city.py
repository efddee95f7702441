"""Complaints page above the county: the city's county league and weekly counts by county
equal an independent SQL on the raw `complaint` table (reduced city demo, 郴州市 431000).

At city and province level the league table lists counties (fetch_county_units, read
from the region/week/dimension rollup) and the trend breaks down by county: a wrong
rollup level or a wrong code range shows here and not in the county-demo tests.
"""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from data.calendar import weeks_back
from data.queries import complaints as qc
from data.scope import Scope
from tests.support.complaints import assert_units_equal_raw, raw_unit_counts
from tests.support.demo import CITY, DEMO_WEEK

WEEKS = weeks_back(DEMO_WEEK, 4)
START, END = "2026-10-19", "2026-11-16"  # [Monday of W43, Monday after W46)
SCOPE = Scope.of("430000")


@pytest.fixture(scope="module")
def conn(city_demo_db_url):
    from data.model.db import make_engine
    engine = make_engine(city_demo_db_url)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def test_county_league_of_the_city_equals_raw_sql(conn):
    units = qc.fetch_county_units(conn, SCOPE, region_code=CITY, weeks=WEEKS).set_index("code")
    raw = raw_unit_counts(conn, "substr(village_code, 1, 6) || '000000'", "village_code LIKE '4310%'", START, END)
    raw = raw[raw["received"] + raw["closed"] > 0]
    assert len(raw) == 11, "the reduced city demo has complaints in all 11 counties"
    assert set(raw.index) == set(units.index)
    assert_units_equal_raw(units, raw)
    assert set(units["county_name"]) == {"郴州市"} and units["name"].str.endswith(("县", "区", "市")).all()
    # a county user of the city sees only its own county's row
    mine = qc.fetch_county_units(conn, Scope.of("431023"), region_code=CITY, weeks=WEEKS)
    assert mine["code"].tolist() == ["431023000000"]


def test_weekly_counts_by_county_equal_raw_sql(conn):
    weekly = qc.fetch_weekly(conn, SCOPE, region_code=CITY, weeks=WEEKS, by="region")
    got = weekly.groupby("key")["received"].sum()
    raw = pd.read_sql_query(text("""
        SELECT substr(village_code, 1, 6) || '000000' AS code, COUNT(*) AS n FROM complaint
        WHERE village_code LIKE '4310%' AND received_at >= :a AND received_at < :b GROUP BY 1"""),
        conn, params={"a": START, "b": END}).set_index("code")["n"]
    assert got.sort_index().to_dict() == raw.sort_index().to_dict() and len(raw) == 11
