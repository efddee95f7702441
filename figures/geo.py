"""What every map shares: drawn as SVG on a plotly `geo` subplot, with region names on it.

No WebGL (MapLibre's `choroplethmap`/`scattermap` are slow in software WebGL and can draw
no text offline: it fetches glyphs from a font server). A `geo` subplot with its base
map hidden draws only our regions, fitted to them (`fitbounds`), in Mercator, like a
web map. It still reads a base-map topojson: the graph's `topojsonURL` config points at
the app's empty one (views/geometry.py), and image export gives kaleido a local one.

The geometry's outer rings must be clockwise (geo/layers.py rewinds them when the layer
is built). Region names are a text trace at each region's label point, in the theme's
local CJK fonts; a name is drawn as large as the label size when it fits in its region,
smaller when its region is small, and not at all (it is in the hover) when it would be
smaller than LABEL_MIN_SHARE of the size: a province's 122 counties include city
districts a few pixels wide. Points, room and boxes come from the frame's PLACE_COLUMNS
(geo/layers.py `places`); the labels trace keeps each name and room in its customdata,
so the big screen fits them again to its own size (`fit_label_trace`).

Fitting: `fitbounds` alone fits the regions inside the square a whole Mercator world
would take in the box (plotly's frame), which leaves a wide county at half the size the
box allows; giving the axes the regions' own ranges makes the frame their shape, so
the map fills its box in one direction, at any size (a 4K wall too).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from figures.theme import FONT_FAMILY

# one region's place on the map, in geo/layers.py `places` order
PLACE_COLUMNS = ("label_lon", "label_lat", "label_room", "min_lon", "min_lat", "max_lon", "max_lat")
BOX_COLUMNS = ("min_lon", "min_lat", "max_lon", "max_lat")
FRAME_PAD = 0.03  # share of the regions' extent added around them
LABEL_SIZE = 13  # px on a desktop map; the big screen sets its own (figures/screen.py)
LABEL_MIN_SHARE = 0.7  # a name that would be smaller than 70 % of the size is not drawn
LABEL_SPILL = 1.3  # a name may be 1.3 x as wide as the largest circle inside its region
MAP_WIDTH_PX = 760  # about the plot width of a desktop map (its height is the figure's)
LABEL_COLOR = "#1d2733"
# a white halo so a name reads on the palest and the deepest fill alike
LABEL_HALO = "0 0 3px #ffffff, 0 0 2px #ffffff, 0 0 1px #ffffff"
GEO_LAYOUT = {"fitbounds": "locations", "visible": False, "projection": {"type": "mercator"},
              "bgcolor": "rgba(0,0,0,0)", "domain": {"x": [0, 1], "y": [0, 1]}}


def label_trace(df: pd.DataFrame, *, size: int = LABEL_SIZE,
                box_px: tuple[float, float] = (MAP_WIDTH_PX, 500)) -> go.Scattergeo:
    """`label_trace_dict` as a plotly trace object."""
    return go.Scattergeo(label_trace_dict(df, size=size, box_px=box_px))


def label_trace_dict(df: pd.DataFrame, *, size: int = LABEL_SIZE,
                     box_px: tuple[float, float] = (MAP_WIDTH_PX, 500)) -> dict:
    """The names of the frame's regions at their label points (regions without one are
    left out), each fitted to its region on a map of about `box_px`; not hoverable, so
    the hover and a click go to the region beneath. customdata: [name, room] per point.
    A plain trace dict (no plotly validation)."""
    if not set(PLACE_COLUMNS) <= set(df.columns):
        df = df.assign(**{col: float("nan") for col in PLACE_COLUMNS})
    placed = df.dropna(subset=["label_lon", "label_lat"])
    names, rooms = placed["name"].astype(str).tolist(), placed["label_room"].fillna(0.0).astype(float).tolist()
    texts, sizes = fit_labels(names, rooms, frame_ranges(frame_bounds(df)), size, box_px)
    return {"type": "scattergeo", "lon": placed["label_lon"].astype(float).tolist(),
            "lat": placed["label_lat"].astype(float).tolist(), "text": texts, "mode": "text",
            "customdata": [[n, r] for n, r in zip(names, rooms)],
            "textfont": {"family": FONT_FAMILY, "size": sizes, "color": LABEL_COLOR, "shadow": LABEL_HALO},
            "hoverinfo": "skip", "showlegend": False, "name": "labels"}


def fit_labels(names: Sequence[str], rooms: Sequence[float], ranges, size: float,
               box_px: tuple[float, float]) -> tuple[list[str], list[float]]:
    """(text, font size) of each name on a map of `box_px` showing `ranges` ((lon0, lon1),
    (lat0, lat1)): as large as `size` where it fits in its region's room (a CJK character
    is about as wide as the font is high), smaller down to LABEL_MIN_SHARE, else ""."""
    if ranges is None:
        return list(names), [float(size)] * len(names)
    (lon0, lon1), (lat0, lat1) = ranges
    shrink = math.cos(math.radians((lat0 + lat1) / 2))
    px_per_degree = min(box_px[0] / max((lon1 - lon0) * shrink, 1e-9), box_px[1] / max(lat1 - lat0, 1e-9))
    texts, sizes = [], []
    for name, room in zip(names, rooms):
        room_px = room * px_per_degree
        fit = min(float(size), room_px, LABEL_SPILL * room_px / max(len(name), 1))
        shown = fit >= LABEL_MIN_SHARE * size
        texts.append(name if shown else "")
        sizes.append(round(fit if shown else size, 1))
    return texts, sizes


def fit_label_trace(trace: dict, geo: dict, size: float, box_px: tuple[float, float]) -> dict:
    """A labels trace dict (label_trace's) fitted again to another size and map box
    (the big screen's), from the names and rooms it keeps in its customdata."""
    custom = trace.get("customdata") or []
    names, rooms = [str(c[0]) for c in custom], [float(c[1]) for c in custom]
    lon, lat = (geo.get("lonaxis") or {}).get("range"), (geo.get("lataxis") or {}).get("range")
    texts, sizes = fit_labels(names, rooms, (lon, lat) if lon and lat else None, size, box_px)
    return {**trace, "text": texts, "textfont": {**(trace.get("textfont") or {}), "size": sizes}}


def place_bounds(place: Sequence[float]) -> tuple[float, float, float, float]:
    """The (min lon, min lat, max lon, max lat) of one place (PLACE_COLUMNS order)."""
    named = dict(zip(PLACE_COLUMNS, place))
    x0, y0, x1, y1 = (float(named[col]) for col in BOX_COLUMNS)
    return x0, y0, x1, y1


def frame_bounds(df: pd.DataFrame) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) around the frame's regions, None without."""
    if not set(BOX_COLUMNS) <= set(df.columns):
        return None
    boxes = df[list(BOX_COLUMNS)].astype(float).dropna()
    if boxes.empty:
        return None
    return (float(boxes["min_lon"].min()), float(boxes["min_lat"].min()),
            float(boxes["max_lon"].max()), float(boxes["max_lat"].max()))


def frame_ranges(bounds: tuple[float, float, float, float] | None):
    """((lon0, lon1), (lat0, lat1)) of the map's frame: `bounds` padded; None without."""
    if bounds is None:
        return None
    x0, y0, x1, y1 = bounds
    dx, dy = max(x1 - x0, 1e-4) * FRAME_PAD, max(y1 - y0, 1e-4) * FRAME_PAD
    return (x0 - dx, x1 + dx), (y0 - dy, y1 + dy)


def geo_map_layout(fig: go.Figure, bounds: tuple[float, float, float, float] | None) -> go.Figure:
    """The geo subplot every map uses: no base map, Mercator, fitted to the regions,
    its frame their `bounds` (padded) when known (see the module docstring)."""
    return fig.update_layout(geo=geo_layout(bounds), dragmode="pan")


def geo_layout(bounds: tuple[float, float, float, float] | None) -> dict:
    """`geo_map_layout`'s geo subplot as a plain layout dict."""
    geo = dict(GEO_LAYOUT)
    ranges = frame_ranges(bounds)
    if ranges is not None:
        geo.update(lonaxis={"range": list(ranges[0])}, lataxis={"range": list(ranges[1])})
    return geo
