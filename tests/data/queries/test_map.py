"""Hotspot-map queries on the county demo: numbers vs raw SQL and rollups, planted anomalies
found (the map's callbacks: tests/callbacks/test_map.py)."""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from data.scope import Scope
from tests.support.demo import DEMO_COUNTY, DEMO_WEEK
from tests.support.map import SCOPE, SURGE_TOWN
from tests.support.map import map_children as _children

SILENT_VILLAGE = "431023100202"  # demo_truth stopped_publishing since 2026-09-07


# --- queries ----------------------------------------------------------------------------

def test_townships_of_the_county_match_the_rollups(demo_engine):
    towns = _children(demo_engine)
    with demo_engine.connect() as conn:
        n = conn.execute(text("select count(*) from region where level='township' and parent_code=:c"),
                         {"c": DEMO_COUNTY}).scalar()
        raw = dict(conn.execute(text(
            "select substr(village_code, 1, 9) || '000', count(*) from complaint "
            "where received_at >= '2026-10-19' and received_at < '2026-11-16' group by 1")).all())
    assert len(towns) == n and towns["code"].is_monotonic_increasing
    got = dict(zip(towns["code"], towns["received"]))
    assert {k: v for k, v in got.items() if v} == {k: float(v) for k, v in raw.items()}


def test_village_measures_add_up_to_their_township(demo_engine):
    """Villages are counted from raw rows; their sums must equal the township rollups."""
    from data.queries.map import fetch_region_totals
    towns = _children(demo_engine)
    checked = 0
    for town in towns["code"][:6]:
        villages = _children(demo_engine, region=town)
        with demo_engine.connect() as conn:
            total = fetch_region_totals(conn, SCOPE, region_code=town, week_key=DEMO_WEEK, period="4w")
        for m in ("received", "repeats", "closed", "rated", "satisfied", "due", "due_on_time",
                  "disclosure_due", "disclosure_on_time", "new_clues"):
            assert villages[m].sum() == pytest.approx(total[m]), (town, m)
        assert villages["villages_reported"].sum() == pytest.approx(total["villages_reported"])
        checked += 1
    assert checked == 6


def test_village_received_matches_raw_sql(demo_engine):
    town = DEMO_COUNTY[:6] + "100000"
    villages = _children(demo_engine, region=town, period="quarter")
    with demo_engine.connect() as conn:
        raw = dict(conn.execute(text(
            "select village_code, count(*) from complaint where village_code like :p "
            "and received_at >= '2026-09-28' and received_at < '2026-11-16' group by 1"),
            {"p": town[:9] + "%"}).all())
    got = {c: v for c, v in zip(villages["code"], villages["received"]) if v}
    assert got == {k: float(v) for k, v in raw.items()} and got
    assert villages[["lon", "lat"]].notna().all().all()
    assert villages["disbursement_rate_ytd"].isna().all()  # allocations are per township


def test_planted_complaint_surge_is_the_worst_township(demo_engine):
    from data.queries.map import rank_among
    towns = _children(demo_engine, period="week")
    assert rank_among(towns, SURGE_TOWN, "complaints_received")[0] == 1
    assert rank_among(towns, SURGE_TOWN, "complaints_per_10k")[0] <= 3


def test_planted_silent_village_reports_nothing(demo_engine):
    from data.queries.map import rank_among
    villages = _children(demo_engine, region=SILENT_VILLAGE[:9] + "000", period="week")
    row = villages.set_index("code").loc[SILENT_VILLAGE]
    assert row["villages_reported"] == 0 and row["reporting_completeness"] == 0
    rank, _n = rank_among(villages, SILENT_VILLAGE, "reporting_completeness")
    worst = villages["reporting_completeness"].astype(float).min()
    assert worst == 0 and rank <= (villages["reporting_completeness"].astype(float) == 0).sum()


def test_rank_among_by_hand():
    from data.queries.map import rank_among
    frame = pd.DataFrame({"code": ["a", "b", "c", "d"], "satisfaction_rate": [0.9, 0.5, None, 0.7],
                          "complaints_received": [3, 9, 1, 9]})
    assert rank_among(frame, "b", "satisfaction_rate") == (1, 3)  # lowest is worst
    assert rank_among(frame, "a", "satisfaction_rate") == (3, 3)
    assert rank_among(frame, "c", "satisfaction_rate") == (None, 3)  # no value, not ranked
    assert rank_among(frame, "b", "complaints_received") == (1, 4)  # highest is worst, ties by code
    assert rank_among(frame, "d", "complaints_received") == (2, 4)


def test_out_of_scope_is_empty(demo_engine):
    from data.queries.map import fetch_region_totals
    assert _children(demo_engine, region="110101000000").empty
    assert _children(demo_engine, scope=Scope.of("431021")).empty
    assert _children(demo_engine, scope=Scope()).empty
    with demo_engine.connect() as conn:
        assert fetch_region_totals(conn, Scope.of("431021"), region_code=DEMO_COUNTY,
                                   week_key=DEMO_WEEK) is None


def test_patch_values_follow_the_metric_direction():
    from data.judgement import LEVEL_COLOURS
    from figures.map import metric_values, patch_ops
    from figures.theme import BAD_HIGH_SCALE, GOOD_HIGH_SCALE
    frame = pd.DataFrame({"code": ["a", "b", "c"], "name": ["A", "B", "C"], "satisfaction_rate": [0.8, None, 0.95],
                          "satisfied": [40, 0, 19], "rated": [50, 0, 20],
                          "overdue_rate": [0.1, 0.3, 0.2], "attention_index": [10.0, 90.0, 50.0]})
    good = metric_values(frame, "satisfaction_rate", "zh-CN")
    bad = metric_values(frame, "overdue_rate", "zh-CN")
    # a judged rate: drawn at its verdict's band, good .. watch .. problem (80 % is 5 points
    # below the 85 % floor: a problem, red; 95 % good, green)
    assert good["colorscale"][0][1] == LEVEL_COLOURS["good"] and good["colorscale"][-1][1] == LEVEL_COLOURS["problem"]
    assert bad["colorscale"] == BAD_HIGH_SCALE  # not judged: a plain heat scale, "higher is worse"
    assert good["z"] == [2.0, None, 0.0] and good["customdata"][0][:2] == ["a", "80.0%"]
    assert "较差" in bad["colorbar"]["ticktext"][-1]
    ops = dict(patch_ops("county", good, frame))
    assert ops[("data", 1, "locations")] == ["b"]  # no value -> grey "no data" trace
    few = metric_values(frame.assign(rated=[4, 0, 20]), "satisfaction_rate", "zh-CN")
    assert few["z"][0] is None and few["customdata"][0][1] == "40/4件"  # too few cases: grey, with its counts
    assert GOOD_HIGH_SCALE
    assert all(path[0] == "data" for path in ops) and not any("geojson" in p for p in map(str, ops))
