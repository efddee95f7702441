"""Map geometry a user may see: one function for the /geo/ route and the chart export.

`scoped_layer(engine, scope, parent, level, ...)` is the child-level layer of `parent`
limited to the scope: None when `parent` is not a code, the level is not below it, or
the scope has no path through it (deny by default); under an ancestor of the scope only
the features on the path to it (the ancestor's outline, never its other children).

`with_places(frame, places)` adds where each region's name is drawn on the map and its
bounding box (geo/layers.py `cached_places`) to the frame a map figure is built from.
Plotly `geo` maps also read a base-map topojson; TOPOJSON_URL is where the app serves an
empty one (app.py), given to every graph (components/chart.py), so none is fetched
from plotly's CDN.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from data.codes import CHILD_LEVEL, InvalidRegionCode, normalize_code
from data.scope import Scope
from figures.geo import PLACE_COLUMNS
from geo.layers import Place, cached_layer_bytes, keep_features

TOPOJSON_URL = "/geo/topojson/"  # plotly appends "<scope>_<resolution>m.json"
GEO_PATH = re.compile(r"^/geo/(?P<parent>[^/?#]+)/(?P<level>[a-z]+)\.json(?:\?.*)?$")


def scoped_layer(engine, scope: Scope, parent: str, level: str, *, cache_dir: Path, version: str) -> bytes | None:
    """The layer's GeoJSON bytes for this scope, or None when it may not be had."""
    try:
        code = normalize_code(parent)
    except InvalidRegionCode:
        return None
    if level not in CHILD_LEVEL.values() or not scope.on_path(code):
        return None
    try:
        with engine.connect() as conn:
            body = cached_layer_bytes(conn, code, level, cache_dir, version)
    except ValueError:  # a level that is not below the parent's
        return None
    return body if scope.allows(code) else keep_features(body, scope.on_path)


def layer_of_url(url: str) -> tuple[str, str] | None:
    """(parent, level) of a '/geo/<parent>/<level>.json' URL the figures write, else None."""
    match = GEO_PATH.match(url or "")
    return (match["parent"], match["level"]) if match else None


def with_places(frame: pd.DataFrame, places: dict[str, Place]) -> pd.DataFrame:
    """The frame (a `code` column) with figures.geo.PLACE_COLUMNS: where each region's
    name is drawn and its bounding box (NaN for a region without a boundary)."""
    codes = frame["code"].astype(str)
    missing = (float("nan"),) * len(PLACE_COLUMNS)
    rows = [places.get(c, missing) for c in codes]
    return frame.assign(**{col: [row[i] for row in rows] for i, col in enumerate(PLACE_COLUMNS)})
