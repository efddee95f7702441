"""Import a deployment's own boundary file (township or village polygons).

Township and village boundaries are not public, so a real deployment loads the file
its natural-resources bureau provides (GeoJSON or Shapefile). The import is
all-or-nothing: every feature is checked first, and only a clean file replaces the
regions' rows in `region_boundary`; otherwise the result lists every problem with its
file, feature (row) number and column, so the data administrator can fix them at once.
Either way the attempt is recorded (`import_batch`, and `rejected_row` per problem), and a
successful load stamps `dataset_info.boundaries_at`, which changes the data version, so
cached map layers are rebuilt from the new boundaries.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
from shapely.geometry import shape
from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from data.codes import InvalidRegionCode, normalize_code
from data.model.schema import DatasetInfo, ImportBatch, Region, RegionBoundary, RejectedRow
from geo.boundaries import geometry_text, repair_polygonal

GEOMETRY_COLUMN = "geometry"
_MIN_AREA = 1e-10  # square degrees, about 1 m²: less is a collapsed ring, not a region
_CHUNK = 500  # codes per IN (...) query; SQLite allows ~32k parameters, PostgreSQL more
# A township's or village's polygon must lie in its county's: at most this share of its
# area may fall outside the county outline widened by _EDGE degrees (about 500 m), which
# absorbs the usual mismatch of two survey sources along a shared border.
_OUTSIDE_SHARE = 0.05
_EDGE = 0.005


@dataclass(frozen=True)
class ImportProblem:
    """One reason a feature was rejected; row is the 1-based feature number (0: file)."""
    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file} 行 {self.row} 列 {self.column}：{self.message}"


@dataclass
class ImportResult:
    """Outcome of import_boundaries: codes written, or the problems that stopped it."""
    file: str
    imported: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    features: int = 0
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def loaded(self) -> int:
        """Number of boundaries written (what cli.py prints)."""
        return len(self.imported)


def import_boundaries(conn: Connection, path: str | Path, *, code_field: str,
                      source_label: str = "official") -> ImportResult:
    """Validate every feature of `path` and, only if all pass, replace their boundaries.

    Writes go through `conn`: inside the caller's transaction when one is open (the
    caller commits), otherwise in a transaction of our own. Geometries are reprojected
    to EPSG:4326 (a file without a CRS is taken to be EPSG:4326 already).
    """
    path = Path(path)
    started = dt.datetime.now()
    result = ImportResult(file=path.name)
    frame = _read(path, code_field, result)
    rows = [] if frame is None else _validated_rows(conn, frame, code_field, result)
    result.features = 0 if frame is None else len(frame)

    def write() -> None:
        if not result.problems:
            _replace(conn, rows, source_label, path.name)
            result.imported = [code for code, _ in rows]
            _stamp_boundaries(conn, started)
        result.batch_id = _record_batch(conn, result, started, code_field)
    if conn.in_transaction():
        write()
    else:
        with conn.begin():
            write()
    return result


def _record_batch(conn: Connection, result: ImportResult, started: dt.datetime, code_field: str) -> int:
    """One import_batch row for the attempt, and a rejected_row per problem."""
    rejected_rows = len({p.row for p in result.problems})
    batch_id = conn.execute(insert(ImportBatch).values(
        kind="boundary", source=result.file[:255], started_at=started,
        finished_at=dt.datetime.now(), status="rejected" if result.problems else "loaded",
        rows_total=result.features, rows_loaded=len(result.imported), rows_rejected=rejected_rows,
        user="system", params={"code_field": code_field}).returning(ImportBatch.id)).scalar_one()
    if result.problems:
        conn.execute(insert(RejectedRow), [
            {"batch_id": batch_id, "row_number": p.row, "column": p.column[:64], "value": "",
             "message": p.message} for p in result.problems])
    return batch_id


def _stamp_boundaries(conn: Connection, when: dt.datetime) -> None:
    """dataset_info.boundaries_at = now: a new data version, so map layers are rebuilt."""
    conn.execute(delete(DatasetInfo).where(DatasetInfo.key == "boundaries_at"))
    conn.execute(insert(DatasetInfo).values(key="boundaries_at", value=when.isoformat(timespec="seconds")))


def _read(path: Path, code_field: str, result: ImportResult) -> gpd.GeoDataFrame | None:
    """The file as a GeoDataFrame in EPSG:4326, or None with a file-level problem."""
    def fail(column: str, message: str) -> None:
        result.problems.append(ImportProblem(path.name, 0, column, message))
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for unreadable files
        fail("", f"无法读取文件 / cannot read file: {exc}")
        return None
    if code_field not in frame.columns:
        fail(code_field, "缺少区划代码列 / code column missing")
        return None
    if frame.empty:
        fail("", "文件没有要素 / file has no features")
        return None
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    return frame.to_crs("EPSG:4326")


def _validated_rows(conn: Connection, frame: gpd.GeoDataFrame, code_field: str,
                    result: ImportResult) -> list[tuple[str, object]]:
    """(code, valid geometry) per feature; problems are appended to `result`."""
    def fail(row: int, column: str, message: str) -> None:
        result.problems.append(ImportProblem(result.file, row, column, message))
    codes = [_code_or_message(v) for v in frame[code_field]]
    known = _existing_codes(conn, [c for c, _ in codes if c is not None])
    seen: set[str] = set()
    counties: dict[str, object] = {}
    rows = []
    for number, ((code, message), geom) in enumerate(zip(codes, frame.geometry), start=1):
        if message is None and code not in known:
            message = "区划代码不存在 / unknown region"
        elif message is None and code in seen:
            message = "区划代码重复 / duplicate code in file"
        if message:
            fail(number, code_field, message)
        seen.add(code or "")
        fixed, geom_message = _checked_geometry(geom)
        if geom_message is None and code is not None and code in known:
            geom_message = _outside_county(conn, code, fixed, counties)
        if geom_message:
            fail(number, GEOMETRY_COLUMN, geom_message)
        if code is not None:  # a feature without a code is a problem already: never written
            rows.append((code, fixed))
    return rows


def _code_or_message(value) -> tuple[str | None, str | None]:
    """(12-digit code, None) or (None, why the value is not a code)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == "":
        return None, "缺少区划代码 / code missing"
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():  # numeric column read as float
        text = text[:-2]
    try:
        return normalize_code(text), None
    except InvalidRegionCode:
        return None, f"区划代码须为6位或12位数字 / code must have 6 or 12 digits: {text!r}"


def _checked_geometry(geom) -> tuple[object, str | None]:
    """(valid polygonal geometry, None) or (None, why it cannot be used)."""
    if geom is None or geom.is_empty:
        return None, "缺少几何图形 / geometry missing"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None, f"几何类型须为面 / geometry must be a polygon, got {geom.geom_type}"
    fixed = repair_polygonal(geom)  # e.g. a self-touching ring is split, not rejected
    if fixed is None or fixed.area < _MIN_AREA:
        return None, "几何图形无效且无法修复 / invalid geometry that cannot be repaired"
    return fixed, None


def _outside_county(conn: Connection, code: str, geom, counties: dict[str, object]) -> str | None:
    """Why a township's or village's polygon cannot be its own: it lies (mostly) outside
    the county's stored outline. None when inside, or when there is no county outline."""
    county = code[:6] + "000000"
    if county == code or code[4:6] == "00":  # a county, city or province itself
        return None
    if county not in counties:
        text = conn.execute(select(RegionBoundary.geometry).where(RegionBoundary.code == county)).scalar()
        counties[county] = shape(json.loads(text)).buffer(_EDGE) if text else None
    outline = counties[county]
    if outline is None or geom.difference(outline).area <= _OUTSIDE_SHARE * geom.area:
        return None
    return f"边界超出所属县 {county} / polygon lies outside its county {county}"


def _existing_codes(conn: Connection, codes: list[str]) -> set[str]:
    """The subset of `codes` present in table region."""
    found: set[str] = set()
    unique = sorted(set(codes))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start:start + _CHUNK]
        found.update(conn.execute(select(Region.code).where(Region.code.in_(chunk))).scalars())
    return found


def _replace(conn: Connection, rows: list[tuple[str, object]], source: str, origin: str) -> None:
    """Delete then insert the regions' boundary rows (inside the caller's transaction)."""
    codes = [code for code, _ in rows]
    for start in range(0, len(codes), _CHUNK):
        conn.execute(delete(RegionBoundary).where(RegionBoundary.code.in_(codes[start:start + _CHUNK])))
    values = [{"code": code, "geometry": geometry_text(geom), "source": source,
               "origin": origin[:200]} for code, geom in rows]
    conn.execute(insert(RegionBoundary), values)
