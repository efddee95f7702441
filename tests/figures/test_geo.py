"""figures/geo.py: every map the app draws is SVG on plotly `geo`, never WebGL/MapLibre."""
from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from figures.geo import GEO_LAYOUT, fit_label_trace, fit_labels, frame_bounds, geo_map_layout, label_trace

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "tests", "var", "node_modules", "__pycache__", "test-artifacts"}
# MapLibre / mapbox traces (WebGL; their text needs glyphs from a font server) and scattergl,
# as a graph_objects class or as a figure dict's quoted "type"
WEBGL = re.compile(r"\b(Choroplethmap|Scattermap|Densitymap|Scattergl)(box)?\b"
                   r"|[\"'](choroplethmap|scattermap|densitymap|scattergl)(box)?[\"']")


def test_no_module_of_the_app_builds_a_webgl_trace():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if SKIP & set(path.relative_to(ROOT).parts):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if WEBGL.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_the_pattern_finds_what_it_must():
    assert WEBGL.search("go.Choroplethmap(geojson=url)") and WEBGL.search("{'type': 'scattermap'}")
    assert WEBGL.search('trace.get("type") == "densitymapbox"')
    assert not WEBGL.search("go.Choropleth(geojson=url)") and not WEBGL.search("go.Scattergeo()")
    assert not WEBGL.search("No WebGL (MapLibre's `choroplethmap` ...)")  # prose about it


def test_label_trace_names_the_regions_that_have_a_label_point():
    frame = pd.DataFrame({"code": ["a", "b", "c"], "name": ["甲镇", "乙镇", "丙镇"],
                          "label_lon": [113.0, None, 113.2], "label_lat": [26.0, 26.1, 26.2],
                          "label_room": [0.1, 0.1, 0.1], "min_lon": [112.95, 113.05, 113.15],
                          "min_lat": [25.95, 26.05, 26.15], "max_lon": [113.05, 113.15, 113.25],
                          "max_lat": [26.05, 26.15, 26.25]})
    trace = label_trace(frame, size=20)
    assert (trace.type, trace.mode, trace.hoverinfo) == ("scattergeo", "text", "skip")
    assert list(trace.text) == ["甲镇", "丙镇"] and list(trace.lon) == [113.0, 113.2]
    assert list(trace.textfont.size) == [20, 20] and "CJK" in trace.textfont.family
    assert [list(c) for c in trace.customdata] == [["甲镇", 0.1], ["丙镇", 0.1]]
    assert list(label_trace(frame.drop(columns=["label_lon", "label_lat"])).text) == []


def test_a_name_is_fitted_to_its_region_or_left_to_the_hover():
    """On a 700 x 500 px map of 1° x 1° (500 px a degree): a region with room for a circle
    0.2° across (100 px) takes a 4-character name at full size, one 0.08° across (40 px)
    a 3-character one a little smaller, one 0.01° across (5 px) none."""
    ranges = ((113.0, 113.0 + 1 / math.cos(math.radians(26.5))), (26.0, 27.0))
    texts, sizes = fit_labels(["永兴县城", "北湖区", "小区", "很小的区"], [0.2, 0.08, 0.1, 0.01],
                              ranges, 20, (700, 500))
    assert texts == ["永兴县城", "北湖区", "小区", ""]
    assert sizes[0] == 20 and 14 <= sizes[1] < 20 and sizes[2] == 20
    # the big screen fits them again at its size from the names and rooms the trace keeps
    trace = {"customdata": [["永兴县城", 0.2], ["很小的区", 0.01]], "text": ["永兴县城", ""],
             "textfont": {"size": [20, 20], "color": "#000"}}
    geo = {"lonaxis": {"range": list(ranges[0])}, "lataxis": {"range": list(ranges[1])}}
    wall = fit_label_trace(trace, geo, 40, (2800, 2000))
    assert wall["text"] == ["永兴县城", ""] and wall["textfont"] == {"size": [40, 40], "color": "#000"}


def test_the_geo_subplot_draws_no_base_map_and_its_frame_is_the_regions_box():
    """fitbounds alone would fit the regions in the square of a whole Mercator world (half
    the box for a wide county); the axes' ranges make the frame the regions' shape."""
    assert GEO_LAYOUT["visible"] is False and GEO_LAYOUT["fitbounds"] == "locations"
    assert GEO_LAYOUT["projection"] == {"type": "mercator"}
    frame = pd.DataFrame({"min_lon": [112.7, 113.0, None], "min_lat": [26.0, 25.9, None],
                          "max_lon": [113.2, 113.6, None], "max_lat": [26.5, 26.3, None]})
    assert frame_bounds(frame) == (112.7, 25.9, 113.6, 26.5)
    assert frame_bounds(frame.iloc[2:]) is None and frame_bounds(pd.DataFrame({"code": []})) is None
    geo = geo_map_layout(go.Figure(), frame_bounds(frame)).layout.geo
    assert geo.lonaxis.range[0] < 112.7 and geo.lonaxis.range[1] > 113.6
    assert geo.lataxis.range[0] < 25.9 and geo.lataxis.range[1] > 26.5 and geo.fitbounds == "locations"
    assert geo_map_layout(go.Figure(), None).layout.geo.lonaxis.range is None
