"""The one registry of rollup builders: {table name: Builder}, run in dependency order.

A domain module registers each builder with `@rollup(Table, reads=(...), partial=...)`:

- the function takes a `Run` and returns either a DataFrame (inserted for it) or the
  row count of the INSERT ... SELECT it executed (`run.insert_sql`);
- `reads` names the rollup tables it is built from, so they are built first;
- `sources` names the raw tables it is built from, so an import of one dataset rebuilds
  only the rollups of that dataset (and those built from them);
- `partial=True` builders are rebuilt for a code range only (after an import touching some
  townships); `partial="county"` ones (ranked among the villages of their county) for the
  whole counties of the range; the others, summed over the city or ranked among all
  peers, are always rebuilt whole.

Everything runs inside the CALLER's transaction: nothing here commits.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from graphlib import TopologicalSorter

import pandas as pd
from sqlalchemy import Date, Table, bindparam, text
from sqlalchemy.engine import Connection

from data.model.db import insert_plain
from data.rollups import frames

log = logging.getLogger(__name__)
SERVICE_COLUMNS = ["village_code", "matter", "submitted_at", "completed_at", "due_date", "rating"]


@dataclass
class Run:
    """One rebuild: the connection, the code ranges (None = everything), the weeks CTE, and
    the raw rows the builders share, read at most once (or handed over by the loader)."""
    conn: Connection
    ranges: list[tuple[str, str]] | None
    weeks_sql: str
    week_params: dict
    given: dict = field(default_factory=dict)
    _memo: dict = field(default_factory=dict)

    def range_params(self) -> dict:
        """:rlo0, :rhi0 ... bound to the code ranges (the same for every filtered column)."""
        return {f"r{side}{i}": bound for i, r in enumerate(self.ranges or ())
                for side, bound in zip(("lo", "hi"), r, strict=True)}

    def code_filter(self, column: str) -> tuple[str, dict]:
        """SQL `(col BETWEEN :rlo0 AND :rhi0 OR ...)` with its parameters; '1 = 1' for all."""
        if self.ranges is None:
            return "1 = 1", {}
        parts = [f"{column} BETWEEN :rlo{i} AND :rhi{i}" for i in range(len(self.ranges))]
        return "(" + " OR ".join(parts) + ")", self.range_params()

    def insert_sql(self, sql: str, **filters: str) -> int:
        """Execute an INSERT ... SELECT template: `{weeks}` becomes the weeks CTE and each
        named placeholder the range filter on its column; returns the rows inserted."""
        fills = {name: self.code_filter(column)[0] for name, column in filters.items()}
        stmt = text(sql.format(weeks=self.weeks_sql, **fills))
        params = self.range_params()
        if "{weeks}" in sql:
            stmt = stmt.bindparams(*[bindparam(k, type_=Date) for k in self.week_params if k[0] == "e"])
            params.update(self.week_params)
        return self.conn.execute(stmt, params).rowcount

    def rows(self, name: str, read: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """A shared input: handed over by the caller, else read once and kept."""
        if name not in self._memo:
            given = self.given.get(name)
            self._memo[name] = read() if given is None else given
        return self._memo[name]

    def payments(self) -> pd.DataFrame:
        """The payments of the rebuilt ranges (all of them: as the loader handed them over)."""
        name = "payments" if self.ranges is None or "payments" in self.given else f"payments{self.ranges}"
        return self.rows(name, lambda: frames.read_payments(self.conn, *self.code_filter("village_code")))

    def complaint_events(self) -> pd.DataFrame:
        return self.rows("complaint_events", lambda: frames.complaint_events(
            self.rows("complaints", lambda: frames.read_complaints(self.conn))))

    def services(self) -> pd.DataFrame:
        return self.rows("services", lambda: frames.read_rows(self.conn, "service_request",
                                                              SERVICE_COLUMNS))

    def late_payments(self) -> pd.DataFrame:
        name = "late_payments" if self.ranges is None else f"late_payments{self.ranges}"
        return self.rows(name, lambda: frames.late_payments(self.payments()))

    def ledger_vm(self) -> pd.DataFrame:
        """Village x month ledger sums as the loader computed them from its own rows (the
        builders ask only then; otherwise they sum in the database)."""
        return self.given["ledger_vm"]

    def whole(self) -> Run:
        """The same run over every code (sharing the rows read so far)."""
        return replace(self, ranges=None)

    def counties(self) -> Run:
        """The same run over the whole counties of its ranges."""
        if self.ranges is None:
            return self
        return replace(self, ranges=sorted({(lo[:6] + "000000", hi[:6] + "999999") for lo, hi in self.ranges}))


@dataclass(frozen=True)
class Builder:
    table: Table
    build: Callable[[Run], pd.DataFrame | int]
    reads: tuple[str, ...] = ()
    partial: bool | str = True  # True, "county" or False (see the module's text)
    sources: tuple[str, ...] = ()
    dense: bool = False  # a row for every township and week of the data, data or not

    @property
    def code_column(self) -> str:
        names = self.table.c.keys()
        return next(c for c in ("village_code", "township_code", "county_code", "region_code")
                    if c in names)


BUILDERS: dict[str, Builder] = {}


def rollup(model, *, sources: tuple[str, ...], reads: tuple = (), partial: bool | str = True,
           dense: bool = False):
    """Decorator: register the function as the builder of `model`'s table."""
    table = model.__table__

    def register(build: Callable[[Run], pd.DataFrame | int]):
        if table.name in BUILDERS:
            raise ValueError(f"rollup {table.name} has two builders")
        BUILDERS[table.name] = Builder(table, build, tuple(r.__tablename__ for r in reads), partial,
                                       tuple(sources), dense)
        return build
    return register


def build_order() -> list[str]:
    """Table names, each after the rollups it reads (a deterministic order)."""
    sorter = TopologicalSorter({name: b.reads for name, b in BUILDERS.items()})
    return list(sorter.static_order())


def _scoped(run: Run, builder: Builder, whole: bool) -> Run:
    if whole or not builder.partial:
        return run.whole()
    return run.counties() if builder.partial == "county" else run


def run_builders(run: Run, changed: set[str] | None = None, whole: frozenset[str] | set[str] = frozenset(),
                 ) -> dict[str, int]:
    """Delete and rebuild every registered rollup (partial ones only in `run.ranges`), or
    only those built from the raw tables `changed` and the rollups built from them; the
    rollups named in `whole` are rebuilt over every code."""
    counts: dict[str, int] = {}
    for name in build_order():
        builder = BUILDERS[name]
        if (name not in whole and changed is not None
                and not (set(builder.sources) & changed or set(builder.reads) & set(counts))):
            continue
        scoped = _scoped(run, builder, name in whole)
        cond, params = scoped.code_filter(builder.code_column)
        started = time.perf_counter()
        run.conn.execute(text(f"DELETE FROM {name} WHERE {cond}"), params)
        built = builder.build(scoped)
        if isinstance(built, pd.DataFrame):
            keep = frames.in_ranges(built[builder.code_column], scoped.ranges)
            built = insert_plain(run.conn, builder.table, built[keep])
        counts[name] = built
        log.info("rebuilt %s in %.2f s", name, time.perf_counter() - started)
    return counts
