"""Tests of geo/: real boundaries, synthetic partitions, browser layers, boundary import.

No server; a small in-memory SQLite database holds Hunan's province, cities and
counties (official) and 18 synthetic townships of 永兴县 (431023).
"""
from __future__ import annotations

import itertools
import json
import re

import geopandas as gpd
import pytest
import shapely
import shapely.affinity
from shapely.geometry import Point, Polygon, mapping, shape
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.pool import StaticPool

from data.model.schema import Base, DatasetInfo, ImportBatch, Region, RegionBoundary, RejectedRow
from geo.boundaries import geometry_text, load_official_regions
from geo.importer import import_boundaries
from geo.layers import (
    build_layer,
    cached_layer_bytes,
    cached_layer_path,
    cached_places,
    clockwise,
    layer_bytes,
    layer_etag,
    layer_sources,
    places,
)
from geo.synthetic import partition_polygon, points_inside

COUNTY = "431023000000"  # 永兴县
TOWNSHIPS = 18
HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def township_code(i: int) -> str:
    return f"431023{100 + i:03d}000"


@pytest.fixture(scope="module")
def hunan() -> gpd.GeoDataFrame:
    return load_official_regions("430000")


@pytest.fixture(scope="module")
def county_geom(hunan):
    return hunan.set_index("code").geometry[COUNTY]


@pytest.fixture(scope="module")
def engine(hunan, county_geom):
    """In-memory database: Hunan official regions + synthetic townships of 431023."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    cells = partition_polygon(county_geom, TOWNSHIPS, seed=7)
    with engine.begin() as conn:
        _insert_regions(conn, hunan)
        towns = gpd.GeoDataFrame(
            {"code": [township_code(i) for i in range(len(cells))],
             "name": [f"示例镇{i}" for i in range(len(cells))],
             "level": "township", "parent_code": COUNTY},
            geometry=cells, crs="EPSG:4326")
        _insert_regions(conn, towns, source="synthetic")
    yield engine
    engine.dispose()


def _insert_regions(conn, frame: gpd.GeoDataFrame, source: str = "official") -> None:
    conn.execute(insert(Region), [
        {"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code}
        for r in frame.itertuples()])
    conn.execute(insert(RegionBoundary), [
        {"code": r.code, "geometry": geometry_text(r.geometry), "source": source}
        for r in frame.itertuples()])


def _shapes(layer: dict) -> list:
    return [shapely.make_valid(shape(f["geometry"])) for f in layer["features"]]


def _overlap_area(geoms: list) -> float:
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = [(i, j) for i, j in zip(left, right) if i < j]
    return sum(geoms[i].intersection(geoms[j]).area for i, j in pairs)


# --- boundaries ------------------------------------------------------------------------

def test_chenzhou_has_city_and_11_counties():
    frame = load_official_regions("431000")
    assert frame.level.value_counts().to_dict() == {"city": 1, "county": 11}
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.is_valid.all()
    assert frame.set_index("code").name[COUNTY] == "永兴县"
    assert (frame.loc[frame.level == "county", "parent_code"] == "431000000000").all()
    assert frame.name.map(lambda n: bool(HAN.match(n))).all()


def test_hunan_has_14_cities_and_122_counties(hunan):
    assert hunan.level.value_counts().to_dict() == {"province": 1, "city": 14, "county": 122}
    assert hunan.code.str.fullmatch(r"43\d{10}").all()
    assert hunan.geometry.is_valid.all() and not hunan.geometry.is_empty.any()
    assert set(hunan.geom_type) <= {"Polygon", "MultiPolygon"}
    assert hunan.parent_code.iloc[0] is None
    assert load_official_regions("430000000000").code.tolist() == hunan.code.tolist()


def test_unknown_region_is_rejected():
    with pytest.raises(KeyError):
        load_official_regions("439900")
    with pytest.raises(ValueError):
        load_official_regions("43")


# --- synthetic ------------------------------------------------------------------------

def test_partition_tiles_the_county(county_geom):
    cells = partition_polygon(county_geom, 15, seed=1)
    assert len(cells) == 15
    assert all(c.is_valid and not c.is_empty for c in cells)
    assert all(c.geom_type in ("Polygon", "MultiPolygon") for c in cells)
    union = shapely.union_all(cells)
    assert county_geom.symmetric_difference(union).area < 0.001 * county_geom.area
    assert _overlap_area(cells) < 1e-9 * county_geom.area


def test_partition_is_deterministic_per_seed(county_geom):
    first = partition_polygon(county_geom, 15, seed=1)
    again = partition_polygon(county_geom, 15, seed=1)
    other = partition_polygon(county_geom, 15, seed=2)
    assert all(a.equals_exact(b, 0) for a, b in zip(first, again))
    assert not all(a.equals(b) for a, b in zip(first, other))


def test_points_inside(county_geom):
    points = points_inside(county_geom, 25, seed=3)
    assert len(points) == 25
    assert all(county_geom.contains(p) for p in points)
    assert [p.coords[0] for p in points] == [p.coords[0] for p in points_inside(county_geom, 25, seed=3)]
    nearest = min(a.distance(b) for a, b in itertools.combinations(points, 2))
    assert nearest > 0.01  # spread out, not clumped (~1 km)


# --- layers ---------------------------------------------------------------------------

def test_county_layer_of_hunan(engine, hunan):
    with engine.connect() as conn:
        layer = build_layer(conn, "430000", "county")
        data = layer_bytes(conn, "430000", "county")
    counties = hunan[hunan.level == "county"].code.tolist()
    assert [f["id"] for f in layer["features"]] == counties
    assert set(layer["features"][0]["properties"]) == {"code", "name", "source"}
    assert len(data) <= 300_000
    assert "永兴县".encode() in data  # UTF-8, not \\u escapes


def test_simplified_counties_keep_shared_borders(engine):
    with engine.connect() as conn:
        polys = _shapes(build_layer(conn, "430000", "county"))
    union = shapely.union_all(polys)
    total = sum(p.area for p in polys)
    assert abs(union.area - total) < 0.005 * total
    assert _overlap_area(polys) < 1e-4 * total
    holes = sum(Polygon(r).area for p in getattr(union, "geoms", [union]) for r in p.interiors)
    assert holes < 0.001 * total  # no gaps opened between neighbours


def test_township_layer_and_sources(engine):
    with engine.connect() as conn:
        data = layer_bytes(conn, "431023", "township")
        assert layer_sources(conn, COUNTY, "township") == {"synthetic"}
        assert layer_sources(conn, "431000", "county") == {"official"}
        chenzhou = layer_bytes(conn, "431000", "county")
    layer = json.loads(data)
    assert [f["id"] for f in layer["features"]] == [township_code(i) for i in range(TOWNSHIPS)]
    assert {f["properties"]["source"] for f in layer["features"]} == {"synthetic"}
    assert len(data) <= 200_000
    assert len(json.loads(chenzhou)["features"]) == 11


def test_layer_rejects_bad_levels(engine, tmp_path):
    with engine.connect() as conn:
        with pytest.raises(ValueError):
            build_layer(conn, "431023", "county")
        with pytest.raises(ValueError):
            layer_bytes(conn, "431023", "../../etc")
        assert build_layer(conn, "431023", "village")["features"] == []


def test_cached_layer(engine, tmp_path):
    with engine.connect() as conn:
        data = cached_layer_bytes(conn, "431000", "county", tmp_path, "v1")
        path = cached_layer_path(tmp_path, "431000", "county", "v1")
        assert path.read_bytes() == data
        path.write_bytes(b"{}")  # a second call must come from the file
        assert cached_layer_bytes(conn, "431000000000", "county", tmp_path, "v1") == b"{}"
        assert cached_layer_bytes(conn, "431000", "county", tmp_path, "v2") == data
    assert layer_etag(data) == layer_etag(data) != layer_etag(b"{}")
    assert cached_layer_path(tmp_path, "431000", "county", "../x").is_relative_to(tmp_path)


def test_layer_rings_are_wound_as_d3_reads_them(engine):
    """plotly `geo` (d3-geo) fills the outside of a counter-clockwise outer ring (RFC 7946's
    winding): every outer ring served is clockwise, every hole counter-clockwise."""
    with engine.connect() as conn:
        layer = build_layer(conn, "430000", "county")
    parts = [part for geom in _shapes(layer) for part in getattr(geom, "geoms", [geom])]
    assert len(parts) >= 122
    assert not any(part.exterior.is_ccw for part in parts)
    square_with_hole = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (1, 2), (2, 2), (2, 1)]])
    wound = shape(clockwise(mapping(square_with_hole)))
    assert not wound.exterior.is_ccw and all(ring.is_ccw for ring in wound.interiors)
    assert wound.equals(square_with_hole)
    line = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
    assert clockwise(line) is line and clockwise(None) is None


def test_label_points_lie_inside_their_regions_and_boxes_around_them(engine):
    with engine.connect() as conn:
        layer = build_layer(conn, "430000", "county")
    found = places(layer)
    assert set(found) == {f["id"] for f in layer["features"]}
    regions = {f["id"]: shape(f["geometry"]) for f in layer["features"]}
    assert all(regions[code].contains(Point(place[:2])) for code, place in found.items())
    assert all(place[3:] == pytest.approx(regions[code].bounds, abs=1e-5) for code, place in found.items())
    # room: the diameter of the largest circle inside, so less than the region's height
    assert all(0 < place[2] <= place[6] - place[4] for place in found.values())
    assert found["431023000000"][2] > 0.15  # 永兴县: ~0.3° across
    # a U-shaped region: its centroid is in the notch, outside it; its label is inside
    u_shape = Polygon([(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)])
    u_layer = {"features": [{"id": "u", "geometry": mapping(u_shape)}]}
    assert not u_shape.contains(u_shape.centroid)
    assert u_shape.contains(Point(places(u_layer)["u"][:2]))


def test_places_are_kept_beside_the_cached_layer(engine, tmp_path):
    with engine.connect() as conn:
        found = cached_places(conn, "431000", "county", tmp_path, "v1")
        assert found == places(json.loads(cached_layer_bytes(conn, "431000", "county", tmp_path, "v1")))
        beside = cached_layer_path(tmp_path, "431000", "county", "v1").with_name("431000000000-county.places.json")
        beside.write_text('{"431023000000": [1, 2, 1, 0, 0, 3, 3]}')  # a second call reads the file
        assert cached_places(conn, "431000", "county", tmp_path, "v1") == {"431023000000": (1, 2, 1, 0, 0, 3, 3)}
        beside.unlink()  # gone (the layer still cached): measured again
        assert cached_places(conn, "431000", "county", tmp_path, "v1") == found
    assert len(found) == 11


# --- importer -------------------------------------------------------------------------

@pytest.fixture()
def import_db(county_geom):
    """A small database: 永兴县 and 3 townships with synthetic boundaries."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    cells = partition_polygon(county_geom, 3, seed=1)
    frame = gpd.GeoDataFrame(
        {"code": [township_code(i) for i in range(3)], "name": ["甲镇", "乙镇", "丙镇"],
         "level": "township", "parent_code": COUNTY}, geometry=cells, crs="EPSG:4326")
    with engine.begin() as conn:
        _insert_regions(conn, frame, source="synthetic")
    yield engine, cells
    engine.dispose()


def _boundary_rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(select(RegionBoundary.code, RegionBoundary.source,
                                   RegionBoundary.geometry).order_by(RegionBoundary.code)).all()


def test_import_rejects_bad_file_and_writes_nothing(import_db, tmp_path):
    engine, cells = import_db
    before = _boundary_rows(engine)
    degenerate = Polygon([(113.1, 26.1), (113.2, 26.2), (113.3, 26.3)])  # collapsed ring
    bad = gpd.GeoDataFrame(
        {"xzqdm": [township_code(0), "431023999000", None, township_code(2), township_code(1)]},
        geometry=[cells[0], cells[1], cells[2], degenerate, cells[1].centroid], crs="EPSG:4326")
    path = tmp_path / "bad.geojson"
    bad.to_file(path, driver="GeoJSON", engine="pyogrio")
    with engine.connect() as conn:
        result = import_boundaries(conn, path, code_field="xzqdm")
        conn.commit()
    assert not result.ok and result.imported == []
    found = {(p.row, p.column) for p in result.problems}
    assert found == {(2, "xzqdm"), (3, "xzqdm"), (4, "geometry"), (5, "geometry")}
    assert all(p.file == "bad.geojson" for p in result.problems)
    assert "行 2 列 xzqdm" in str(result.problems[0])
    assert _boundary_rows(engine) == before
    with engine.connect() as conn:  # the attempt is on record, with every problem
        batch = conn.execute(select(ImportBatch)).one()
        rejected = conn.execute(select(RejectedRow.row_number, RejectedRow.column)).all()
        stamped = conn.execute(select(DatasetInfo).where(DatasetInfo.key == "boundaries_at")).all()
    assert (batch.status, batch.rows_total, batch.rows_loaded, batch.rows_rejected) == ("rejected", 5, 0, 4)
    assert set(rejected) == found and stamped == []


def test_import_rejects_a_polygon_outside_its_county(import_db, county_geom, tmp_path):
    engine, cells = import_db
    county = gpd.GeoDataFrame({"code": [COUNTY], "name": ["永兴县"], "level": "county", "parent_code": "431000000000"},
                              geometry=[county_geom], crs="EPSG:4326")
    with engine.begin() as conn:
        _insert_regions(conn, county)
    before = _boundary_rows(engine)
    away = shapely.affinity.translate(cells[1], xoff=1.5)  # the right shape, in another county
    edge = shapely.affinity.translate(cells[0], xoff=0.001)  # a survey's small offset is fine
    path = tmp_path / "towns.geojson"
    gpd.GeoDataFrame({"code": [township_code(0), township_code(1)]}, geometry=[edge, away],
                     crs="EPSG:4326").to_file(path, driver="GeoJSON", engine="pyogrio")
    with engine.connect() as conn:
        result = import_boundaries(conn, path, code_field="code")
        conn.commit()
    assert [(p.row, p.column) for p in result.problems] == [(2, "geometry")]
    assert "outside its county 431023000000" in result.problems[0].message
    assert _boundary_rows(engine) == before  # all or nothing


def test_import_reports_missing_code_column(import_db, tmp_path):
    engine, cells = import_db
    path = tmp_path / "nocode.geojson"
    gpd.GeoDataFrame({"name": ["x"]}, geometry=[cells[0]], crs="EPSG:4326").to_file(path)
    with engine.connect() as conn:
        result = import_boundaries(conn, path, code_field="xzqdm")
    assert [(p.row, p.column) for p in result.problems] == [(0, "xzqdm")]


def test_import_accepts_good_shapefile(import_db, tmp_path):
    engine, cells = import_db
    good = gpd.GeoDataFrame(
        {"XZQDM": [township_code(0), township_code(1)[:9] + "000"]},
        geometry=cells[:2], crs="EPSG:4326").to_crs("EPSG:3857")  # projected file
    path = tmp_path / "towns.shp"
    good.to_file(path, engine="pyogrio")
    with engine.connect() as conn:
        result = import_boundaries(conn, path, code_field="XZQDM")
        conn.commit()
    assert result.ok and result.imported == [township_code(0), township_code(1)]
    rows = {code: (source, shapely.from_geojson(g)) for code, source, g in _boundary_rows(engine)}
    assert rows[township_code(0)][0] == "official"
    assert rows[township_code(2)][0] == "synthetic"  # not in the file: untouched
    imported = rows[township_code(0)][1]
    assert imported.symmetric_difference(cells[0]).area < 1e-6 * cells[0].area
    with engine.connect() as conn:
        batch = conn.execute(select(ImportBatch)).one()
        stamped = conn.execute(select(DatasetInfo.value).where(DatasetInfo.key == "boundaries_at")).scalar()
    assert (batch.status, batch.rows_total, batch.rows_loaded, batch.kind) == ("loaded", 2, 2, "boundary")
    assert stamped  # a new data version: cached map layers are rebuilt


def test_cli_import_reports_rows_and_keeps_data(tmp_path, county_geom):
    """`cli.py import-boundaries` on a bad file: exit 1, messages with row and column."""
    from typer.testing import CliRunner

    import cli
    from data.model.db import make_engine
    from data.model.migrate import upgrade
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    upgrade(engine)
    path = tmp_path / "bad.geojson"
    gpd.GeoDataFrame({"code": ["431023999000"]}, geometry=[county_geom], crs="EPSG:4326").to_file(path)
    result = CliRunner().invoke(cli.app, ["import-boundaries", str(path), "--database-url", url])
    assert result.exit_code == 1
    assert "bad.geojson 行 1 列 code" in result.output
    with engine.connect() as conn:
        assert conn.execute(select(ImportBatch.status)).scalar_one() == "rejected"
        action, obj = conn.execute(text("SELECT action, object FROM audit_log")).one()  # the attempt is audited
    assert (action, obj) == ("import_boundaries", "file:bad.geojson")
    engine.dispose()


def test_layer_url_changes_with_the_data_version():
    """A new load or boundary import (new data version) gives the layer a new URL, so the
    browser's day-long cache never shows the old boundaries; export accepts the URL."""
    from exports.images import GEO_URL
    from geo.layers import layer_url
    a = layer_url("431000000000", "county", "2026-11-20T10:00|")
    b = layer_url("431000000000", "county", "2026-11-20T10:00|boundaries 2026-11-21")
    assert a != b and a.startswith("/geo/431000000000/county.json?v=")
    assert GEO_URL.match(a)["parent"] == "431000000000" and GEO_URL.match(b)["level"] == "county"
    assert not GEO_URL.match(a + "&x=1")
