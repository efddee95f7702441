"""Record sources of the shared records grid (明细表): paged, sorted, filtered, scoped.

Contract (pages register their own sources; components/records_grid.py shows them)
--------------------------------------------------------------------------------------
- `RecordColumn(field, label_key, kind, codes=None)`: one column a source returns.
  kind is text | number | money | date | datetime | code. `label_key` is the i18n key of
  the header. For kind "code" the raw value is a code (a category, a channel ...) and
  `codes` is the i18n prefix of its labels (`codes + "." + value`); the grid and the
  exports show the label, and a text filter on it matches the labels (callbacks/records.py
  turns it into a `{"filterType": "set", "values": [...]}` filter on the raw codes).
- `RecordSource(name, label_key, columns, fetch)`, with
  `fetch(conn, scope, params, *, sort, filters, offset, limit) -> (DataFrame, total)`:
  the rows of one page (columns = the declared fields, in order) and the number of rows
  of the whole filtered query. The scope is applied IN SQL (data.scope.scope_condition);
  `sort` is [(field, descending)], `filters` is {field: AG Grid filter model}; both are
  already whitelisted to the declared columns by `fetch_records` — sources build their
  SQL with `paged_select`, which binds every user value as a parameter (nothing typed by
  a user is ever interpolated into SQL).
- `@record_source(name, label_key, columns)` decorates such a fetch function and
  registers the source in `RECORD_SOURCES` (a name registered twice is an error).
- `load_sources()` imports every `data/records_*.py` module (each page's sources).
- `fetch_records(conn, scope, name, params, *, sort, filters, offset, limit)` is the one
  entry point of callbacks: an unknown (forged) source, a region (`params["region"]`)
  that is malformed or outside the scope, or an empty scope returns no rows and 0.
  `limit` is capped at MAX_ROWS (the export cap); the total is counted up to COUNT_CAP + 1
  (a total above COUNT_CAP means "more than COUNT_CAP": the grid asks for a filter).

Params are JSON from the page's own callbacks: at least {"region": code} and usually
{"weeks": [202645, 202646]} plus source-specific keys. Personal data (complainant
identity, beneficiary identity) is never a column of any source.
"""
from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, func, not_, or_, select

from data.codes import InvalidRegionCode, normalize_code
from data.model.schema import Region
from data.scope import EMPTY, Scope, narrow

KINDS = ("text", "number", "money", "date", "datetime", "code")
MAX_ROWS = 100_000  # the most rows one request (or one export) may read
COUNT_CAP = MAX_ROWS  # totals are counted up to this (+1 means "more")
PAGE_MAX = 1_000


@dataclass(frozen=True)
class RecordColumn:
    """A column of a record source: data field, header i18n key, kind (see KINDS)."""
    field: str
    label_key: str
    kind: str = "text"
    codes: str | None = None  # i18n prefix of the labels of a "code" column's values

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


Fetch = Callable[..., tuple[pd.DataFrame, int]]


@dataclass(frozen=True)
class RecordSource:
    """A named, registered list of records (see the module docstring)."""
    name: str
    label_key: str
    columns: tuple[RecordColumn, ...]
    fetch: Fetch
    right: str | None = None  # a right the user needs besides VIEW_RECORDS (problem clues: VIEW_CLUES)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns)

    def column(self, field: str) -> RecordColumn | None:
        return next((c for c in self.columns if c.field == field), None)


RECORD_SOURCES: dict[str, RecordSource] = {}


def record_source(name: str, label_key: str, columns: Sequence[RecordColumn], *, right: str | None = None):
    """Decorator: register `fetch` as the source `name` (returns the function unchanged);
    `right`: what a user needs besides VIEW_RECORDS to read it (callbacks/records.py checks)."""
    def register(fetch: Fetch) -> Fetch:
        if name in RECORD_SOURCES and RECORD_SOURCES[name].fetch.__qualname__ != fetch.__qualname__:
            raise ValueError(f"record source {name!r} registered twice")
        RECORD_SOURCES[name] = RecordSource(name, label_key, tuple(columns), fetch, right)
        return fetch
    return register


def load_sources() -> dict[str, RecordSource]:
    """Import every module of this package (one per domain) so their sources register;
    the registry."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{info.name}")
    return RECORD_SOURCES


def get_source(name: object) -> RecordSource | None:
    """The registered source of that name, or None (unknown, forged or not a string)."""
    if not isinstance(name, str):
        return None
    if name not in RECORD_SOURCES:
        load_sources()
    return RECORD_SOURCES.get(name)


def empty_frame(source: RecordSource | None) -> pd.DataFrame:
    return pd.DataFrame(columns=list(source.fields) if source else [])


def effective_scope(scope: Scope, params: Mapping) -> Scope:
    """The user's scope narrowed to params["region"]; EMPTY when invalid or outside it."""
    region = params.get("region") if isinstance(params, Mapping) else None
    if not isinstance(region, str):
        return EMPTY
    try:
        region = normalize_code(region)
    except InvalidRegionCode:
        return EMPTY
    return narrow(scope, region)  # the scope's part of it; EMPTY when they do not meet


def clean_sort(source: RecordSource, sort) -> list[tuple[str, bool]]:
    """Only declared fields survive; anything malformed is dropped."""
    out = []
    for item in sort or ():
        try:
            field, desc = item
        except (TypeError, ValueError):
            continue
        if isinstance(field, str) and field in source.fields:
            out.append((field, bool(desc)))
    return out


def clean_filters(source: RecordSource, filters) -> dict:
    return {f: m for f, m in (filters or {}).items()
            if isinstance(f, str) and f in source.fields and isinstance(m, Mapping)}


def fetch_records(conn, scope: Scope, name: object, params: Mapping | None, *,
                  sort=None, filters=None, offset: int = 0, limit: int = 100
                  ) -> tuple[pd.DataFrame, int]:
    """One page of a registered source for the user's scope (see the module docstring)."""
    source = get_source(name)
    params = dict(params) if isinstance(params, Mapping) else {}
    if source is None:
        return pd.DataFrame(), 0
    eff = effective_scope(scope, params)
    if not eff:
        return empty_frame(source), 0
    offset = max(0, int(offset or 0))
    limit = max(0, min(int(limit or 0), MAX_ROWS))
    frame, total = source.fetch(conn, eff, params, sort=clean_sort(source, sort),
                                filters=clean_filters(source, filters), offset=offset, limit=limit)
    return frame.reindex(columns=list(source.fields)), int(total)


# --- helpers for sources ----------------------------------------------------------------

def region_name(code_column):
    """A correlated lookup of the name of the region a row's code column names."""
    reg = Region.__table__
    return select(reg.c.name).where(reg.c.code == code_column).correlate_except(reg).scalar_subquery()


def week_dates(params: Mapping) -> tuple[dt.date, dt.date] | None:
    """(first Monday, last Sunday) of params["weeks"] (week keys or '2026-W46'); None if none."""
    from data.calendar import parse_week, week_bounds
    weeks = params.get("weeks") or []
    if isinstance(weeks, (str, int)):
        weeks = [weeks]
    keys = []
    for w in weeks:
        try:
            keys.append(parse_week(w))
        except (ValueError, TypeError):
            continue
    if not keys:
        return None
    return week_bounds(min(keys))[0], week_bounds(max(keys))[1]


def _parse_date(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except (TypeError, ValueError):
        return None


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _condition(expr, kind: str, model: Mapping):
    """SQL condition of one AG Grid filter model on `expr` (values bound as parameters)."""
    if "conditions" in model or "condition1" in model:
        parts = model.get("conditions") or [model.get("condition1"), model.get("condition2")]
        conds = [c for c in (_condition(expr, kind, p) for p in parts if isinstance(p, Mapping))
                 if c is not None]
        if not conds:
            return None
        return or_(*conds) if str(model.get("operator", "AND")).upper() == "OR" else and_(*conds)
    ftype, op = model.get("filterType"), model.get("type")
    op = op if isinstance(op, str) else ""  # not an operator: no condition (a list would not hash)
    if ftype == "set":
        values = [str(v) for v in (model.get("values") or [])][:500]
        return expr.in_(values) if values else expr.in_([None]) & False
    if op == "blank":
        return expr.is_(None)
    if op == "notBlank":
        return expr.is_not(None)
    if ftype == "text":
        text = model.get("filter")
        if not isinstance(text, (str, int, float)) or str(text) == "":
            return None
        text = str(text)[:100]
        low = func.lower(expr)
        value = text.lower()
        like = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return {
            "contains": low.like(f"%{like}%", escape="\\"),
            "notContains": not_(low.like(f"%{like}%", escape="\\")),
            "equals": low == value,
            "notEqual": low != value,
            "startsWith": low.like(f"{like}%", escape="\\"),
            "endsWith": low.like(f"%{like}", escape="\\"),
        }.get(op)
    if ftype == "number":
        a, b = _number(model.get("filter")), _number(model.get("filterTo"))
    elif ftype == "date":
        a, b = _parse_date(model.get("dateFrom")), _parse_date(model.get("dateTo"))
        if kind == "datetime":  # compare whole days
            expr = func.date(expr) if a or b else expr
            a = a.isoformat() if a else None
            b = b.isoformat() if b else None
    else:
        return None
    if a is None:
        return None
    return {
        "equals": expr == a, "notEqual": expr != a, "lessThan": expr < a,
        "lessThanOrEqual": expr <= a, "greaterThan": expr > a, "greaterThanOrEqual": expr >= a,
        "inRange": and_(expr >= a, expr <= b) if b is not None else expr >= a,
    }.get(op)


def paged_select(conn, source: RecordSource, exprs: Mapping, base, *, sort, filters, offset,
                 limit, default_order: Sequence = (), total: int | None = None
                 ) -> tuple[pd.DataFrame, int]:
    """Run a source's query: `base` is a select() with its FROM, joins and WHERE (scope,
    period) already applied; `exprs` maps each declared field to its SQL expression.

    Adds the filters (bound parameters only), counts the rows, orders (the requested sort,
    then `default_order` for a stable paging) and reads one page. `total`, when the
    source knows it already (from a rollup, only valid without grid filters), replaces
    the count.
    """
    conds = []
    for field, model in (filters or {}).items():
        column = source.column(field)
        if column is None or field not in exprs:
            continue
        cond = _condition(exprs[field], column.kind, model)
        if cond is not None:
            conds.append(cond)
    stmt = base.where(*conds) if conds else base
    if total is None or conds:
        # counted up to COUNT_CAP: past it the grid says "more than" and asks for a filter
        capped = stmt.order_by(None).limit(COUNT_CAP + 1).subquery()
        total = conn.execute(select(func.count()).select_from(capped)).scalar() or 0
    else:
        total = min(int(total), COUNT_CAP + 1)
    order = [exprs[f].desc() if desc else exprs[f].asc() for f, desc in sort or () if f in exprs]
    stmt = stmt.with_only_columns(*[exprs[f].label(f) for f in source.fields]).order_by(
        *order, *default_order).offset(offset).limit(limit)
    rows = [tuple(r) for r in conn.execute(stmt)] if limit else []
    return pd.DataFrame.from_records(rows, columns=list(source.fields)), int(total)
