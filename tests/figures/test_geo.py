"""figures/geo.py: every map the app draws is SVG on plotly `geo`, never WebGL/MapLibre."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from figures.geo import GEO_LAYOUT, frame_bounds, geo_map_layout, label_trace

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
                          "label_lon": [113.0, None, 113.2], "label_lat": [26.0, 26.1, 26.2]})
    trace = label_trace(frame, size=20)
    assert (trace.type, trace.mode, trace.hoverinfo) == ("scattergeo", "text", "skip")
    assert list(trace.text) == ["甲镇", "丙镇"] and list(trace.lon) == [113.0, 113.2]
    assert trace.textfont.size == 20 and "CJK" in trace.textfont.family
    assert list(label_trace(frame.drop(columns=["label_lon", "label_lat"])).text) == []


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
