"""figures/map.py on a small frame: the traces, their names, and recolouring by patch_ops."""
from __future__ import annotations

import copy

import pandas as pd
import plotly.graph_objects as go

from figures.map import metric_trace_index, metric_values, patch_ops, region_map, village_map

TOWNS = pd.DataFrame({
    "code": ["431023100000", "431023101000", "431023102000"], "name": ["甲镇", "乙镇", "丙镇"],
    "label_lon": [113.1, 113.2, 113.3], "label_lat": [26.1, 26.2, 26.3], "label_room": [0.15, 0.15, 0.15],
    "min_lon": [113.0, 113.1, 113.2], "min_lat": [26.0, 26.1, 26.2],
    "max_lon": [113.2, 113.3, 113.4], "max_lat": [26.2, 26.3, 26.4],
    "overdue_rate": [0.1, None, 0.3], "satisfaction_rate": [0.9, 0.8, None],
    "satisfied": [45, 40, 0], "rated": [50, 50, 0],  # enough cases to be judged
    "attention_index": [10.0, 50.0, 90.0]})


def _apply(fig: dict, ops) -> dict:
    """What dash.Patch does in the browser: assign each path."""
    out = copy.deepcopy(fig)
    for path, value in ops:
        target = out
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return out


def test_region_map_is_choropleths_and_the_names_of_every_region():
    fig = region_map(TOWNS, "overdue_rate", geojson_url="/geo/431023/township.json", lang="zh-CN",
                     label_size=17)
    assert [(d.type, d.name) for d in fig.data] == [("choropleth", "metric"), ("choropleth", "nodata"),
                                                    ("scattergeo", "labels")]
    assert list(fig.data[1].locations) == ["431023101000"]  # no value for the metric
    assert list(fig.data[2].text) == ["甲镇", "乙镇", "丙镇"] and set(fig.data[2].textfont.size) == {17}
    assert fig.layout.geo.visible is False and fig.layout.clickmode == "event"
    lon, lat = fig.layout.geo.lonaxis.range, fig.layout.geo.lataxis.range  # the towns' box
    assert lon[0] < 113.0 < 113.4 < lon[1] and lat[0] < 26.0 < 26.4 < lat[1]


def test_patch_ops_recolour_the_region_map():
    fig = region_map(TOWNS, "overdue_rate", geojson_url="/geo/431023/township.json",
                     lang="zh-CN").to_plotly_json()
    values = metric_values(TOWNS, "satisfaction_rate", "zh-CN")
    patched = _apply(fig, patch_ops("township", values, TOWNS))
    metric = patched["data"][metric_trace_index("township")]
    # drawn at the verdict's band: 90 % good (0), 80 % five points under the 85 % floor (problem, 2)
    assert list(metric["z"]) == [0.0, 2.0, None] and metric["colorscale"][0][1] == "#1a9850"
    assert list(patched["data"][1]["locations"]) == ["431023102000"]
    assert patched["data"][2] == fig["data"][2]  # the names stay
    go.Figure(patched)  # still a valid figure


def test_patch_ops_recolour_the_village_map():
    villages = TOWNS.assign(code=["431023100201", "431023100202", "431023100203"],
                            name=["甲村", "乙村", "丙村"], lon=[113.1, 113.2, 113.3], lat=[26.1, 26.2, 26.3])
    fig = village_map(villages, "overdue_rate", township_code="431023100000", bounds=(113.0, 26.0, 113.4, 26.4),
                      geojson_url="/geo/431023/township.json", lang="zh-CN").to_plotly_json()
    assert fig["layout"]["geo"]["lonaxis"]["range"][0] < 113.0
    assert [d["type"] for d in fig["data"]] == ["choropleth", "scattergeo", "scattergeo"]
    values = metric_values(villages, "satisfaction_rate", "zh-CN")
    patched = _apply(fig, patch_ops("village", values, villages))
    points = patched["data"][metric_trace_index("village")]
    assert list(points["text"]) == ["甲村", "乙村"] and list(points["marker"]["color"]) == [0.0, 2.0]
    assert list(patched["data"][2]["text"]) == ["丙村"] and patched["data"][0] == fig["data"][0]
    go.Figure(patched)
