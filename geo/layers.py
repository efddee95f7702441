"""Map layers for the browser: one parent's children as a small GeoJSON FeatureCollection.

Geometry goes to the browser once, as a cacheable URL (`/geo/<parent>/<level>.json`),
not inside every figure (DESIGN.md §4). To meet the budgets (§7: county layer ≤ 300 KB,
one county's townships ≤ 200 KB) the set is simplified with topojson so neighbours keep
one shared border (per-polygon simplify opens gaps), and coordinates are rounded.

The maps are drawn by plotly `geo` (d3-geo, SVG), which reads a polygon's outer ring
clockwise (holes counter-clockwise), the opposite of RFC 7946: a counter-clockwise
ring is the whole globe minus the region. So rings are rewound here, once, when the
layer is built, and every reader (the /geo/ route, the image export) gets them so.
Where each region's name is drawn (a point well inside it) and its bounding box (what
a map is fitted to) are computed at the same time and kept beside the layer
(`cached_places`).
These functions do not check the user's scope: the route serving them must.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import cast

import geopandas as gpd
import shapely
import topojson
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.polygon import orient
from sqlalchemy import select
from sqlalchemy.engine import Connection

from data.codes import LEVELS, code_range, level_of, normalize_code
from data.model.schema import Region, RegionBoundary
from geo.boundaries import parse_geometry

# A layer is drawn about 1,000-1,500 px wide; one pixel of its extent is detail enough.
EXTENT_PIXELS = 1400
PREQUANTIZE = 1e5  # topology grid: extent / 1e5, ~50 m on a province
# What a cached layer file holds; a new format gets new cache files and new URLs (a
# browser keeps a layer for a day). 2: rings wound clockwise for d3, places beside.
LAYER_FORMAT = "2"
_VERSION_RE = re.compile(r"[^A-Za-z0-9._-]")


def layer_url(parent_code: str, child_level: str, version: str) -> str:
    """The URL of a layer, with the data version in the query: the browser caches the
    layer for a day, and a new load or boundary import gives a new URL (never stale)."""
    tag = hashlib.sha1(f"{LAYER_FORMAT}|{version}".encode(), usedforsecurity=False).hexdigest()[:12]
    return f"/geo/{parent_code}/{child_level}.json?v={tag}"


def build_layer(conn: Connection, parent_code: str, child_level: str,
                tolerance: float | None = None) -> dict:
    """GeoJSON FeatureCollection of `parent_code`'s children at `child_level`.

    Each feature: top-level "id" = 12-digit code, properties {code, name, source};
    outer rings clockwise, holes counter-clockwise (d3-geo's winding, see above).
    `tolerance` (degrees) defaults to the layer's extent / EXTENT_PIXELS, so a
    province's counties and a county's townships look equally detailed on screen.
    """
    frame = _read_children(conn, parent_code, child_level)
    if frame.empty:
        return {"type": "FeatureCollection", "features": []}
    if tolerance is None:
        tolerance = _auto_tolerance(frame.total_bounds)
    topo = topojson.Topology(frame, toposimplify=tolerance, prequantize=PREQUANTIZE)
    # without `fp` to_geojson returns the text (its `str | None` covers writing to a file)
    simplified = json.loads(cast(str, topo.to_geojson(decimals=_decimals_for(tolerance))))
    features = []
    for feature in simplified["features"]:
        props = feature["properties"]
        features.append({
            "type": "Feature",
            "id": props["code"],
            "properties": {"code": props["code"], "name": props["name"], "source": props["source"]},
            "geometry": clockwise(feature["geometry"]),
        })
    return {"type": "FeatureCollection", "features": features}


def clockwise(geometry: dict | None) -> dict | None:
    """A GeoJSON (multi)polygon with clockwise outer rings and counter-clockwise holes,
    as d3-geo (plotly `geo`) reads them; other geometries unchanged."""
    if not geometry:
        return geometry
    geom = shape(geometry)
    if isinstance(geom, Polygon):
        geom = orient(geom, sign=-1.0)
    elif isinstance(geom, MultiPolygon):
        geom = MultiPolygon([orient(part, sign=-1.0) for part in geom.geoms])
    else:
        return geometry
    return cast(dict, mapping(geom))


# label lon, lat, room (diameter of the largest circle inside, in degrees of latitude);
# min lon, min lat, max lon, max lat
Place = tuple[float, float, float, float, float, float, float]


def places(layer: dict) -> dict[str, Place]:
    """code -> (label lon, label lat, room, min lon, min lat, max lon, max lat) per feature.

    The label point is where the region's name is drawn: the centre of the largest circle
    inside it (its "pole of inaccessibility", in its largest part), so the name sits in
    the middle of a C- or L-shaped region, not outside it as a centroid may; `room` is
    that circle's diameter, what decides whether and how large the name fits. Measured
    with longitudes shrunk by cos(latitude), so both hold on the Mercator map.
    The bounding box is what a map of some of the features is fitted to.
    """
    features = [f for f in layer.get("features", []) if f.get("geometry")]
    if not features:
        return {}
    geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    _, miny, _, maxy = shapely.total_bounds(geoms)
    shrink = max(math.cos(math.radians((miny + maxy) / 2)), 0.1)
    scaled = shapely.transform(geoms, lambda xy: xy * [shrink, 1.0])
    out: dict[str, Place] = {}
    for feature, geom, box in zip(features, scaled, shapely.bounds(geoms)):
        try:
            radius = shapely.maximum_inscribed_circle(shapely.make_valid(geom))
            point, room = shapely.get_point(radius, 0), 2 * radius.length
        except shapely.errors.GEOSException:  # an odd ring left by simplification
            point, room = geom.representative_point(), math.sqrt(geom.area) / 2
        x0, y0, x1, y1 = (round(float(v), 5) for v in box)
        out[str(feature["id"])] = (round(point.x / shrink, 5), round(point.y, 5), round(room, 5),
                                   x0, y0, x1, y1)
    return out


def _read_children(conn: Connection, parent_code: str, child_level: str) -> gpd.GeoDataFrame:
    """Children with boundaries, ordered by code, as a GeoDataFrame (EPSG:4326)."""
    _check_levels(parent_code, child_level)
    low, high = code_range(parent_code)
    query = (
        select(Region.code, Region.name, RegionBoundary.source, RegionBoundary.geometry)
        .join(RegionBoundary, RegionBoundary.code == Region.code)
        .where(Region.code.between(low, high), Region.level == child_level)
        .order_by(Region.code)
    )
    rows = conn.execute(query).all()
    return gpd.GeoDataFrame(
        {"code": [r.code for r in rows], "name": [r.name for r in rows],
         "source": [r.source for r in rows]},
        geometry=[parse_geometry(r.geometry) for r in rows], crs="EPSG:4326",
    )


def _check_levels(parent_code: str, child_level: str) -> None:
    """Reject a level that is unknown or not below the parent (URLs carry both)."""
    if child_level not in LEVELS:
        raise ValueError(f"未知层级 / unknown level: {child_level!r}")
    if LEVELS.index(child_level) <= LEVELS.index(level_of(parent_code)):
        raise ValueError(f"层级须低于上级区划 / level must be below the parent: {child_level!r}")


def _auto_tolerance(bounds) -> float:
    minx, miny, maxx, maxy = bounds
    return max(maxx - minx, maxy - miny, 1e-6) / EXTENT_PIXELS


def _decimals_for(tolerance: float) -> int:
    """Keep rounding error about a tenth of the simplification tolerance (4..6 digits)."""
    return min(6, max(4, math.ceil(-math.log10(tolerance)) + 1))


def layer_bytes(conn: Connection, parent_code: str, child_level: str,
                tolerance: float | None = None) -> bytes:
    """The layer as compact UTF-8 JSON, ready to send with Content-Type application/json."""
    return _dumps(build_layer(conn, parent_code, child_level, tolerance))


def _dumps(layer: dict) -> bytes:
    return json.dumps(layer, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def keep_features(body: bytes, keep: Callable[[str], bool]) -> bytes:
    """A layer (layer_bytes) with only the features whose code `keep` accepts."""
    layer = json.loads(body)
    layer["features"] = [f for f in layer["features"] if keep(str(f.get("id", "")))]
    return _dumps(layer)


def layer_sources(conn: Connection, parent_code: str, child_level: str) -> set[str]:
    """Distinct boundary sources ('official' / 'synthetic') of the layer, so the UI can
    say "synthetic boundaries (demo)"."""
    _check_levels(parent_code, child_level)
    low, high = code_range(parent_code)
    query = (
        select(RegionBoundary.source).distinct()
        .join(Region, RegionBoundary.code == Region.code)
        .where(Region.code.between(low, high), Region.level == child_level)
    )
    return set(conn.execute(query).scalars())


def cached_layer_path(cache_dir: Path, parent_code: str, child_level: str, version: str) -> Path:
    """Where the layer of this data version (and LAYER_FORMAT) is cached (inputs are
    validated, so a URL cannot point outside cache_dir)."""
    _check_levels(parent_code, child_level)
    safe_version = _VERSION_RE.sub("_", version) or "0"
    folder = Path(cache_dir) / "geo" / f"f{LAYER_FORMAT}-{safe_version}"
    return folder / f"{normalize_code(parent_code)}-{child_level}.json"


def _places_path(layer_path: Path) -> Path:
    return layer_path.with_name(f"{layer_path.stem}.places.json")


def cached_layer_bytes(conn: Connection, parent_code: str, child_level: str,
                       cache_dir: Path, version: str) -> bytes:
    """layer_bytes, computed once per (parent, level, data version) and kept on disk,
    with its `places` beside it.

    The file is written to a temporary name and renamed, so concurrent workers never
    read half a file. A new `version` (e.g. after an import) starts a new folder.
    """
    path = cached_layer_path(cache_dir, parent_code, child_level, version)
    if path.exists():
        return path.read_bytes()
    layer = build_layer(conn, parent_code, child_level)
    data = _dumps(layer)
    # places first: a layer on disk always has its places beside it
    _write_atomically(_places_path(path), json.dumps(places(layer)).encode())
    _write_atomically(path, data)
    return data


def cached_places(conn: Connection, parent_code: str, child_level: str,
                  cache_dir: Path, version: str) -> dict[str, Place]:
    """`places` of the layer, kept beside it on disk (a figure reads a few kilobytes
    instead of parsing and measuring the whole layer again)."""
    path = _places_path(cached_layer_path(cache_dir, parent_code, child_level, version))
    if not path.exists():
        layer = json.loads(cached_layer_bytes(conn, parent_code, child_level, cache_dir, version))
        if not path.exists():  # the layer was there, its places removed: measure again
            _write_atomically(path, json.dumps(places(layer)).encode())
    return {code: cast(Place, tuple(place)) for code, place in json.loads(path.read_text()).items()}


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers (other workers,
    other threads) see the whole file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def layer_etag(data: bytes) -> str:
    """A strong HTTP ETag (quoted) for layer bytes."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
