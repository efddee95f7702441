"""What every map shares: drawn as SVG on a plotly `geo` subplot, with region names on it.

No WebGL (MapLibre's `choroplethmap`/`scattermap` are slow in software WebGL and can draw
no text offline: it fetches glyphs from a font server). A `geo` subplot with its base
map hidden draws only our regions, fitted to them (`fitbounds`), in Mercator, like a
web map. It still reads a base-map topojson: the graph's `topojsonURL` config points at
the app's empty one (views/geometry.py), and image export gives kaleido a local one.

The geometry's outer rings must be clockwise (geo/layers.py rewinds them when the layer
is built). Region names are a text trace at each region's label point (the frame's
`label_lon`/`label_lat`, geo/layers.py `label_points`), in the theme's local CJK fonts.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from figures.theme import FONT_FAMILY

MAP_TRACE_TYPES = ("choropleth", "scattergeo")
LABEL_SIZE = 13  # px on a desktop map; the big screen sets its own (figures/screen.py)
LABEL_COLOR = "#1d2733"
# a white halo so a name reads on the palest and the deepest fill alike
LABEL_HALO = "0 0 3px #ffffff, 0 0 2px #ffffff, 0 0 1px #ffffff"
GEO_LAYOUT = {"fitbounds": "locations", "visible": False, "projection": {"type": "mercator"},
              "bgcolor": "rgba(0,0,0,0)", "domain": {"x": [0, 1], "y": [0, 1]}}


def label_trace(df: pd.DataFrame, *, size: int = LABEL_SIZE) -> go.Scattergeo:
    """The names of the frame's regions at their label points (regions without one are
    left out); not hoverable, so the hover and a click go to the region beneath."""
    if not {"label_lon", "label_lat"} <= set(df.columns):
        df = df.assign(label_lon=float("nan"), label_lat=float("nan"))
    placed = df.dropna(subset=["label_lon", "label_lat"])
    return go.Scattergeo(
        lon=placed["label_lon"].tolist(), lat=placed["label_lat"].tolist(),
        text=placed["name"].tolist(), mode="text",
        textfont=dict(family=FONT_FAMILY, size=size, color=LABEL_COLOR, shadow=LABEL_HALO),
        hoverinfo="skip", showlegend=False, name="labels")


def geo_map_layout(fig: go.Figure) -> go.Figure:
    """The geo subplot every map uses (no base map, fitted to the regions, Mercator)."""
    return fig.update_layout(geo=GEO_LAYOUT, dragmode="pan")
