"""Hotspot-map callbacks on the county demo: drill/patch/scope behaviour (the map's queries:
tests/data/queries/test_map.py)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.support.demo import DEMO_COUNTY, DEMO_WEEK
from tests.support.map import SCOPE, SURGE_TOWN
from tests.support.map import map_children as _children
from tests.support.session import signed_in

FOUR_WEEKS = (202643, 202644, 202645, 202646)


# --- callbacks --------------------------------------------------------------------------

def _resolve(region=None, metric=None, period=None, week="2026-W46", lang="zh-CN"):
    from callbacks import map as cm
    return cm.resolve({"region": region, "week": week, "lang": lang, "metric": metric, "period": period})


def test_resolve_defaults_to_the_root_and_latest_week(server):
    with signed_in(server):
        view, options, week, metric, period, _asof, chip = _resolve(week=None)
    assert view["region"] == DEMO_COUNTY and week == "2026-W46" and metric == "attention_index"
    assert period == "week" and "永兴县" in chip and options[0]["value"] == "2026-W46"
    assert view["href"].startswith("/map?region=431023")


def test_drill_county_to_township_to_village_profile(server):
    from callbacks import map as cm
    with signed_in(server):
        view = _resolve(metric="overdue_rate", period="4w")[0]
        fig, _drawn = cm.render_map(view, None)
        assert fig["data"][0]["type"] == "choropleth" and fig["data"][0]["geojson"].startswith("/geo/")
        town = fig["data"][0]["locations"][0]
        href = cm.drill({"points": [{"location": town}]}, view)
        assert href.startswith("/map?") and f"region={town}" in href and "metric=overdue_rate" in href
        tview = _resolve(region=town, metric="overdue_rate", period="4w")[0]
        tfig, _ = cm.render_map(tview, None)
        assert [d["type"] for d in tfig["data"]] == ["choropleth", "scattergeo", "scattergeo"]
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
    from dash import Patch

    from callbacks import map as cm
    with signed_in(server):
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
    # satisfaction is judged: regions are drawn at their verdict's band, good (green) first
    assert len(z) == len(fig["data"][0]["z"]) and ops[("data", 0, "colorscale")][0][1] == "#1a9850"
    # the traces patched are the choropleths the figure has there; the names (data[2]) stay
    assert {path[1] for path in ops if path[0] == "data"} == {0, 1}
    assert [fig["data"][i]["name"] for i in (0, 1, 2)] == ["metric", "nodata", "labels"]
    missing = ops[("data", 1, "locations")]
    assert len(missing) + sum(v is not None for v in z) == len(fig["data"][0]["locations"])


def test_panel_ranks_and_reasons(server, demo_engine):
    from callbacks import map as cm
    with signed_in(server):
        view = _resolve(region=SURGE_TOWN, metric="complaints_received", period="week")[0]
        panel = [*cm.render_panel(view), *cm.render_worst(view)]
    blob = json.dumps([p.to_plotly_json() if hasattr(p, "to_plotly_json") else p for p in panel],
                      default=lambda o: o.to_plotly_json(), ensure_ascii=False)
    assert "第 1 / " in blob and "永兴县" in blob  # worst township on received, vs its county
    assert "万人投诉量" in blob


def test_out_of_scope_region_shows_nothing(server):
    from callbacks import map as cm
    with signed_in(server):
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
    with signed_in(server):
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
    from data.queries.map import fetch_map_children, fetch_region_totals
    from i18n import t
    with signed_in(server):
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
    # the reasons: the components with the largest mean contribution that the county's own
    # figures (its totals, not a township's) are judged watch or problem on, in words
    from data.judgement import PROBLEM, WATCH, Context, reason_sentences
    from views.map import own_attention
    _, verdicts, _ = own_attention(own, towns, Context(week_key=DEMO_WEEK, peers=towns))
    assert len(verdicts) <= 3 and all(v.level in (PROBLEM, WATCH) for v in verdicts)
    for sentence in reason_sentences(verdicts, "zh-CN"):
        assert sentence in blob
    if not verdicts:
        assert t("map.panel.reasons", "zh-CN") not in blob


def test_own_attention_without_children_is_empty():
    from data.judgement import Context
    from views.map import own_attention
    assert own_attention({"on_time_completion_rate": 0.8}, None, Context())[:2] == (None, [])
    children = pd.DataFrame({"attention_index": [10.0, 30.0], "contrib_overdue_rate": [5.0, 15.0]})
    own = {"on_time_completion_rate": 0.8, "due": 20, "due_on_time": 16}
    att, verdicts, row = own_attention(own, children, Context())
    assert att == 20.0 and [v.key for v in verdicts] == ["on_time_completion_rate"]
    assert row["overdue_rate"] == pytest.approx(0.2)
    # the same rate on 4 cases is not judged, so it is no reason
    few = own_attention({"on_time_completion_rate": 0.75, "due": 4, "due_on_time": 3}, children, Context())
    assert few[1] == []


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_worst_reasons_are_joined_with_the_catalog_separator(server, lang):
    from callbacks import map as cm
    from i18n import t
    with signed_in(server):
        view = _resolve(period="4w", lang=lang)[0]
        worst = cm.render_worst(view)
    notes = [li.children[2].children for li in worst[1].children]
    joined = [n for n in notes if n and t("map.reasons_sep", lang) in n]
    assert joined, notes  # some township has two reasons, joined by the catalog's separator
    if lang == "en":
        assert not any("；" in n for n in notes)


WEBGL_TRACES = {"choroplethmap", "scattermap", "densitymap",
                "choroplethmapbox", "scattermapbox", "densitymapbox", "scattergl"}


def test_every_map_level_is_drawn_as_svg_with_the_children_named(server, demo_engine):
    """No MapLibre/WebGL trace at any level; the names trace holds every child's name,
    each at a point inside its region's outline as served."""
    import shapely
    from shapely.geometry import Point, shape

    from callbacks import map as cm
    from runtime import data_version, get_settings
    from views.geometry import scoped_layer
    with signed_in(server):
        county = _resolve(period="4w")[0]
        fig, _ = cm.render_map(county, None)
        town = fig["data"][0]["locations"][0]
        tfig, _ = cm.render_map(_resolve(region=town, period="4w")[0], None)
        layer = json.loads(scoped_layer(demo_engine, SCOPE, DEMO_COUNTY, "township",
                                        cache_dir=Path(get_settings().cache_dir), version=data_version()))
    for figure, shown in ((fig, list(layer["features"])),
                          (tfig, [f for f in layer["features"] if f["id"] == town])):
        assert not {d["type"] for d in figure["data"]} & WEBGL_TRACES
        geo = figure["layout"]["geo"]
        assert "map" not in figure["layout"] and geo["visible"] is False and geo["fitbounds"] == "locations"
        x0, y0, x1, y1 = shapely.total_bounds([shape(f["geometry"]) for f in shown])  # fitted to them
        assert geo["lonaxis"]["range"][0] < x0 < x1 < geo["lonaxis"]["range"][1]
        assert geo["lataxis"]["range"][0] < y0 < y1 < geo["lataxis"]["range"][1]
        assert geo["lonaxis"]["range"][1] - geo["lonaxis"]["range"][0] < 1.1 * (x1 - x0)
    labels = fig["data"][2]
    assert (labels["type"], labels["mode"], labels["hoverinfo"]) == ("scattergeo", "text", "skip")
    towns = _children(demo_engine, period="4w")
    assert sorted(labels["text"]) == sorted(towns["name"]) and len(labels["text"]) > 10
    outlines = {f["id"]: shape(f["geometry"]) for f in layer["features"]}
    by_name = dict(zip(towns["name"], towns["code"]))
    for name, lon, lat in zip(labels["text"], labels["lon"], labels["lat"]):
        assert outlines[by_name[name]].contains(Point(lon, lat)), name


def test_village_names_are_drawn_when_few_and_always_in_the_hover(server):
    """A township's villages (the demo's: ~15) are named beside their points; a township
    with more than VILLAGE_NAMES_MAX would show them in the hover only."""
    from callbacks import map as cm
    from figures.map import VILLAGE_NAMES_MAX, village_map
    with signed_in(server):
        view = _resolve(metric="overdue_rate", period="4w")[0]
        town = cm.render_map(view, None)[0]["data"][0]["locations"][0]
        fig, _ = cm.render_map(_resolve(region=town, metric="overdue_rate", period="4w")[0], None)
    points = [d for d in fig["data"] if d["type"] == "scattergeo"]
    assert points and all(d["mode"] == "markers+text" for d in points)
    assert sum(len(d["text"]) for d in points) <= VILLAGE_NAMES_MAX
    assert all("%{text}" in d["hovertemplate"] and len(d["text"]) == len(d["lon"]) for d in points)
    many = pd.DataFrame({"code": [f"4310231130{i:02d}" for i in range(VILLAGE_NAMES_MAX + 1)],
                         "name": [f"村{i}" for i in range(VILLAGE_NAMES_MAX + 1)],
                         "lon": 113.1, "lat": 26.1, "overdue_rate": 0.1})
    crowded = village_map(many, "overdue_rate", township_code=town, geojson_url="/geo/x.json", lang="zh-CN")
    assert [d.mode for d in crowded.data[1:]] == ["markers", "markers"]
