"""The hotspot map on the county demo, shared by the map query and map callback tests."""
from __future__ import annotations

from data.scope import Scope
from tests.support.demo import DEMO_COUNTY, DEMO_WEEK

SCOPE = Scope.of("430000")
SURGE_TOWN = "431023113000"  # demo_truth complaint_surge, 2026-10-26 .. 2026-11-15


def map_children(engine, region=DEMO_COUNTY, period="4w", scope=SCOPE):
    """`fetch_map_children` of `region` at DEMO_WEEK (the regions the map draws)."""
    from data.queries.map import fetch_map_children
    with engine.connect() as conn:
        return fetch_map_children(conn, scope, region_code=region, week_key=DEMO_WEEK, period=period)
