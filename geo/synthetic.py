"""Synthetic demo partitions: townships and village locations inside a real county.

Township and village boundaries are not public, so the demo cuts each county into
Voronoi cells (clipped to the county, relaxed by Lloyd steps for even sizes) and marks
them `synthetic`. Everything is deterministic for a seed and ordered north-west to
south-east, so the generated codes are stable from run to run.
"""
from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point
from shapely.geometry.base import BaseGeometry

from geo.boundaries import repair_polygonal

LLOYD_STEPS = 2
_MAX_DRAWS = 200  # rejection-sampling rounds before giving up on a sliver geometry


def partition_polygon(geom: BaseGeometry, n: int, seed: int) -> list[BaseGeometry]:
    """`n` non-overlapping valid cells (Polygon/MultiPolygon) that tile `geom`.

    Voronoi cells of `n` random seed points inside `geom`, moved to their cell
    centroids for LLOYD_STEPS rounds so cell sizes even out, clipped to `geom`.
    Ordered north->south in bands, west->east within a band.
    """
    geom = repair_polygonal(geom)
    if geom is None:
        raise ValueError("geometry has no polygonal area")
    if n < 1:
        raise ValueError("n must be at least 1")
    if n == 1:
        return [geom]
    seeds = _random_points(geom, n, np.random.default_rng(seed))
    for _ in range(LLOYD_STEPS):
        seeds = _relaxed(geom, _cells(geom, seeds), seeds)
    cells = _cells(geom, seeds)
    return [cells[i] for i in _reading_order(cells)]


def points_inside(geom: BaseGeometry, n: int, seed: int) -> list[Point]:
    """`n` well-spread points strictly inside `geom` (demo village locations).

    The centroids of an even partition are spread by construction; a centroid that
    falls outside its (concave) cell is replaced by the cell's surface point.
    """
    if n <= 0:
        return []
    return [_inner_point(cell) for cell in partition_polygon(geom, n, seed)]


def _random_points(geom: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` uniform random points inside `geom`, as an (n, 2) array (rejection sampling)."""
    minx, miny, maxx, maxy = geom.bounds
    shapely.prepare(geom)
    found: list[np.ndarray] = []
    count = 0
    for _ in range(_MAX_DRAWS):
        batch = rng.uniform((minx, miny), (maxx, maxy), size=(max(4 * n, 64), 2))
        inside = batch[shapely.contains_xy(geom, batch[:, 0], batch[:, 1])]
        found.append(inside)
        count += len(inside)
        if count >= n:
            return np.concatenate(found)[:n]
    raise ValueError("could not sample points inside the geometry")


def _cells(geom: BaseGeometry, seeds: np.ndarray) -> list[BaseGeometry]:
    """Voronoi cells of `seeds` clipped to `geom`, in seed order."""
    diagram = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=geom, ordered=True)
    cells = []
    for poly in diagram.geoms:
        cell = repair_polygonal(shapely.intersection(poly, geom))
        if cell is None:  # cannot happen while every seed lies inside geom
            raise ValueError("empty Voronoi cell")
        cells.append(cell)
    return cells


def _relaxed(geom: BaseGeometry, cells: list[BaseGeometry], seeds: np.ndarray) -> np.ndarray:
    """Lloyd step: move each seed to its cell's centroid when that stays inside `geom`."""
    moved = seeds.copy()
    for i, cell in enumerate(cells):
        if cell.is_empty:
            continue
        c = cell.centroid
        if geom.contains(c):
            moved[i] = (c.x, c.y)
    return moved


def _reading_order(cells: list[BaseGeometry]) -> list[int]:
    """Indices of `cells` north->south in about sqrt(n) bands, west->east in each."""
    points = [_inner_point(c) for c in cells]
    ys = np.array([p.y for p in points])
    bands = max(1, round(math.sqrt(len(cells))))
    top, bottom = ys.max(), ys.min()
    height = (top - bottom) or 1.0
    band_of = np.minimum(((top - ys) / height * bands).astype(int), bands - 1)
    return sorted(range(len(cells)), key=lambda i: (band_of[i], points[i].x, -points[i].y))


def _inner_point(cell: BaseGeometry) -> Point:
    """The centroid when it lies inside the cell, else a point on its surface."""
    c = cell.centroid
    return c if cell.contains(c) else cell.point_on_surface()
