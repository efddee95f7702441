"""What every map shares: drawn as SVG on a plotly `geo` subplot, with region names on it.

No WebGL (MapLibre's `choroplethmap`/`scattermap` are slow in software WebGL and can draw
no text offline: it fetches glyphs from a font server). A `geo` subplot with its base
map hidden draws only our regions, fitted to them (`fitbounds`), in Mercator, like a
web map. It still reads a base-map topojson: the graph's `topojsonURL` config points at
the app's empty one (views/geometry.py), and image export gives kaleido a local one.

The geometry's outer rings must be clockwise (geo/layers.py rewinds them when the layer
is built). Region names are a text trace at each region's label point, in the theme's
local CJK fonts. Both come from the frame's PLACE_COLUMNS (geo/layers.py `places`).

Fitting: `fitbounds` alone fits the regions inside the square a whole Mercator world
would take in the box (plotly's frame), which leaves a wide county at half the size the
box allows; giving the axes the regions' own ranges makes the frame their shape, so
the map fills its box in one direction, at any size (a 4K wall too).
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from figures.theme import FONT_FAMILY

PLACE_COLUMNS = ("label_lon", "label_lat", "min_lon", "min_lat", "max_lon", "max_lat")
FRAME_PAD = 0.03  # share of the regions' extent added around them
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


def frame_bounds(df: pd.DataFrame) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) around the frame's regions, None without."""
    if not {"min_lon", "min_lat", "max_lon", "max_lat"} <= set(df.columns):
        return None
    boxes = df[["min_lon", "min_lat", "max_lon", "max_lat"]].astype(float).dropna()
    if boxes.empty:
        return None
    return (float(boxes["min_lon"].min()), float(boxes["min_lat"].min()),
            float(boxes["max_lon"].max()), float(boxes["max_lat"].max()))


def geo_map_layout(fig: go.Figure, bounds: tuple[float, float, float, float] | None) -> go.Figure:
    """The geo subplot every map uses: no base map, Mercator, fitted to the regions,
    its frame their `bounds` (padded) when known (see the module docstring)."""
    geo = dict(GEO_LAYOUT)
    if bounds is not None:
        x0, y0, x1, y1 = bounds
        dx, dy = max(x1 - x0, 1e-4) * FRAME_PAD, max(y1 - y0, 1e-4) * FRAME_PAD
        geo.update(lonaxis={"range": [x0 - dx, x1 + dx]}, lataxis={"range": [y0 - dy, y1 + dy]})
    return fig.update_layout(geo=geo, dragmode="pan")
