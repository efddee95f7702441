"""Hotspot-map queries and callbacks on the county demo: numbers vs raw SQL and rollups,
planted anomalies found, drill/patch/scope behaviour of the callbacks."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import text

from data.scope import Scope
from tests.conftest import DEMO_COUNTY, DEMO_WEEK

SCOPE = Scope.of("430000")
SURGE_TOWN = "431023113000"  # demo_truth complaint_surge, 2026-10-26 .. 2026-11-15
SILENT_VILLAGE = "431023100202"  # demo_truth stopped_publishing since 2026-09-07
FOUR_WEEKS = (202643, 202644, 202645, 202646)


@pytest.fixture()
def server(demo_db_url, tmp_path):
    from app import create_app
    from settings import load_settings
    settings = load_settings(env={"DATABASE_URL": demo_db_url, "SUNSHINE_VAR_DIR": str(tmp_path),
                                  "SUNSHINE_SCOPE": "430000000000"})
    return create_app(settings).server


def _children(engine, region=DEMO_COUNTY, period="4w", scope=SCOPE):
    from data.queries.map import fetch_map_children
    with engine.connect() as conn:
        return fetch_map_children(conn, scope, region_code=region, week_key=DEMO_WEEK, period=period)


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
    rank, n = rank_among(villages, SILENT_VILLAGE, "reporting_completeness")
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
    from figures.map import metric_values, patch_ops
    from figures.theme import BAD_HIGH_SCALE, GOOD_HIGH_SCALE
    frame = pd.DataFrame({"code": ["a", "b"], "name": ["A", "B"], "satisfaction_rate": [0.8, None],
                          "overdue_rate": [0.1, 0.3], "attention_index": [10.0, 90.0]})
    good = metric_values(frame, "satisfaction_rate", "zh-CN")
    bad = metric_values(frame, "overdue_rate", "zh-CN")
    assert good["colorscale"] == GOOD_HIGH_SCALE and bad["colorscale"] == BAD_HIGH_SCALE
    assert good["z"] == [0.8, None] and good["customdata"][0][:2] == ["a", "80.0%"]
    assert "较好" in good["colorbar"]["ticktext"][-1] and "较差" in bad["colorbar"]["ticktext"][-1]
    ops = dict(patch_ops("county", good, frame))
    assert ops[("data", 1, "locations")] == ["b"]  # no value -> grey "no data" trace
    assert all(path[0] == "data" for path in ops) and not any("geojson" in p for p in map(str, ops))


# --- callbacks --------------------------------------------------------------------------

def _resolve(region=None, metric=None, period=None, week="2026-W46", lang="zh-CN"):
    from callbacks import map as cm
    return cm.resolve({"region": region, "week": week, "lang": lang, "metric": metric, "period": period})


def test_resolve_defaults_to_the_root_and_latest_week(server):
    with server.test_request_context("/"):
        view, options, week, metric, period, asof, chip = _resolve(week=None)
    assert view["region"] == DEMO_COUNTY and week == "2026-W46" and metric == "attention_index"
    assert period == "week" and "永兴县" in chip and options[0]["value"] == "2026-W46"
    assert view["href"].startswith("/map?region=431023")


def test_drill_county_to_township_to_village_profile(server):
    from callbacks import map as cm
    with server.test_request_context("/"):
        view = _resolve(metric="overdue_rate", period="4w")[0]
        fig, drawn = cm.render_map(view, None)
        assert fig["data"][0]["type"] == "choroplethmap" and fig["data"][0]["geojson"].startswith("/geo/")
        town = fig["data"][0]["locations"][0]
        href = cm.drill({"points": [{"location": town}]}, view)
        assert href.startswith("/map?") and f"region={town}" in href and "metric=overdue_rate" in href
        tview = _resolve(region=town, metric="overdue_rate", period="4w")[0]
        tfig, _ = cm.render_map(tview, None)
        assert [d["type"] for d in tfig["data"]] == ["choroplethmap", "scattermap", "scattermap"]
        assert tfig["data"][0]["locations"] == [town]
        points = tfig["data"][1]["customdata"] + tfig["data"][2]["customdata"]
        assert len(points) == len(_children(server.extensions["sunshine_engine"], region=town))
        village = points[0][0]
        assert cm.drill({"points": [{"customdata": [village, "", ""]}]}, tview).startswith(f"/region/{village}")
        crumbs = json.dumps([c.to_plotly_json() for c in cm.render_crumbs(tview)], default=str,
                            ensure_ascii=False)
        assert "永兴县" in crumbs and "/map?region=431023" in crumbs
        # clicks outside the scope or on the region itself do nothing
        assert cm.drill({"points": [{"location": "110101000000"}]}, view) is cm.no_update
        assert cm.drill({"points": [{"location": "garbage"}]}, view) is cm.no_update


def test_metric_change_patches_values_only(server):
    from callbacks import map as cm
    from dash import Patch
    with server.test_request_context("/"):
        view = _resolve()[0]
        fig, drawn = cm.render_map(view, None)
        new = cm.controls_to_view("satisfaction_rate", "quarter", "2026-W46", view)
        assert new["metric"] == "satisfaction_rate" and "period=quarter" in new["href"]
        patch, again = cm.render_map(new, drawn)
        assert cm.controls_to_view("satisfaction_rate", "quarter", "2026-W46", new) is cm.no_update
    assert isinstance(patch, Patch) and again is cm.no_update
    payload = json.dumps(patch.to_plotly_json(), ensure_ascii=False)
    assert "geojson" not in payload and len(payload) < len(json.dumps(fig, default=str)) * 2
    ops = {tuple(op["location"]): op["params"]["value"] for op in patch.to_plotly_json()["operations"]}
    z = ops[("data", 0, "z")]
    assert len(z) == len(fig["data"][0]["z"]) and ops[("data", 0, "colorscale")][-1][1] == "#1a9850"


def test_panel_ranks_and_reasons(server, demo_engine):
    from callbacks import map as cm
    from data.queries.map import rank_among
    with server.test_request_context("/"):
        view = _resolve(region=SURGE_TOWN, metric="complaints_received", period="week")[0]
        panel = [*cm.render_panel(view), *cm.render_worst(view)]
    blob = json.dumps([p.to_plotly_json() if hasattr(p, "to_plotly_json") else p for p in panel],
                      default=lambda o: o.to_plotly_json(), ensure_ascii=False)
    assert "第 1 / " in blob and "永兴县" in blob  # worst township on received, vs its county
    assert "万人投诉量" in blob


def test_out_of_scope_region_shows_nothing(server):
    from callbacks import map as cm
    with server.test_request_context("/"):
        view = _resolve(region="110101")[0]
        assert view["region"] is None
        fig, _ = cm.render_map(view, None)
        assert not any(d.get("locations") for d in fig.get("data", []))
        forged = {**_resolve()[0], "region": "110101000000", "ancestors": []}
        fig, _ = cm.render_map(forged, None)
        panel = json.dumps([cm.render_panel(forged), cm.render_worst(forged)],
                           default=lambda o: o.to_plotly_json(), ensure_ascii=False)
    assert not any(d.get("locations") for d in (fig.get("data") or []))
    assert "sun-map-worst" not in panel and "1,2" not in panel


def test_records_follow_metric_and_period(server):
    from callbacks import map as cm
    with server.test_request_context("/"):
        view = _resolve(metric="disclosure_on_time_rate", period="4w")[0]
        choice = cm.records_choice("disclosure_on_time_rate")
        q = cm.records_query(choice, view)
    assert choice == "disclosures_missed" and q["source"] == "disclosures_missed"
    assert q["params"]["weeks"] == list(FOUR_WEEKS) and q["params"]["region"] == DEMO_COUNTY
    assert cm.records_choice("overdue_rate") == "complaints_overdue"


def test_panel_at_the_root_has_attention_and_reasons_from_its_own_figures(server, demo_engine):
    """The map's root (the county, no visible peers): no rank, but an attention index (the
    mean of its townships') and reasons quoting the county's own figures."""
    from callbacks import map as cm
    from data.indicators import ATTENTION_WEIGHTS
    from data.queries.map import fetch_map_children, fetch_region_totals
    from i18n import t
    with server.test_request_context("/"):
        view = _resolve(period="4w")[0]
        assert view["region"] == DEMO_COUNTY and len(view.get("ancestors") or []) == 1
        panel = cm.render_panel(view)
    blob = json.dumps(panel, default=lambda o: o.to_plotly_json(), ensure_ascii=False)
    with demo_engine.connect() as conn:
        towns = fetch_map_children(conn, SCOPE, region_code=DEMO_COUNTY, week_key=DEMO_WEEK, period="4w")
        own = fetch_region_totals(conn, SCOPE, region_code=DEMO_COUNTY, week_key=DEMO_WEEK, period="4w")
    mean = towns["attention_index"].astype(float).mean()
    assert 0 < mean < 100
    assert t("map.panel.attention_children", "zh-CN", value=f"{mean:.0f}",
             level=t("level.township", "zh-CN")) in blob
    assert t("map.panel.rank_na", "zh-CN", metric=t("kpi.attention_index", "zh-CN")) in blob
    assert t("map.panel.reasons", "zh-CN") in blob and "sun-map-reasons" in blob
    # the top reason is the component with the largest mean contribution, quoted with the
    # county's own figure (its totals, not a township's)
    top = max(ATTENTION_WEIGHTS, key=lambda k: (towns[f"contrib_{k}"].astype(float).mean(),
                                                -list(ATTENTION_WEIGHTS).index(k)))
    from views.map import own_attention
    _, keys, row = own_attention(own, towns)
    assert keys[0] == top and 1 <= len(keys) <= 3
    from i18n.numbers import reason_text
    assert reason_text(top, row, "zh-CN") in blob
    if top == "complaints_per_10k":
        assert row["complaints_per_10k"] == pytest.approx(own["received"] / own["population"] * 1e4)


def test_own_attention_without_children_is_empty():
    from views.map import own_attention
    assert own_attention({"on_time_completion_rate": 0.8}, None)[:2] == (None, [])
    att, keys, row = own_attention({"on_time_completion_rate": 0.8}, pd.DataFrame(
        {"attention_index": [10.0, 30.0], "contrib_overdue_rate": [5.0, 15.0]}))
    assert att == 20.0 and keys == ["overdue_rate"] and row["overdue_rate"] == pytest.approx(0.2)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_worst_reasons_are_joined_with_the_catalog_separator(server, lang):
    from callbacks import map as cm
    from i18n import t
    with server.test_request_context("/"):
        view = _resolve(period="4w", lang=lang)[0]
        worst = cm.render_worst(view)
    notes = [li.children[2].children for li in worst[1].children]
    joined = [n for n in notes if n and t("map.reasons_sep", lang) in n]
    assert joined, notes  # some township has two reasons, joined by the catalog's separator
    if lang == "en":
        assert not any("；" in n for n in notes)
