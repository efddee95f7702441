"""The demo through the front door (`python cli.py demo`): the demo is built in a scratch
database, written out as exchange files, and those files are imported into the target
database by the import service, as a county's systems' files would be; the township
outlines go through the boundary import. So every demo load exercises the import path.

What the exchange format has no dataset for comes from the scratch build as the demo's
own: the beneficiaries' identities (the civil-affairs registry behind the keys), the
livelihood projects, the planted truth, the invented handling history of the clues the
import's rule runs found, and the dataset_info keys that say it is a demo.

Not one transaction: each file commits on its own, as every import does. A demo load that
fails half-way says so and leaves a partial dataset; run it again (it starts by emptying).
"""
from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Table, bindparam, delete, insert, select, update

from data import rollups
from data.intake import refresh
from data.intake.base import ensure_division_tree, prepare_database
from data.intake.export import export_exchange
from data.intake.service import FileReport, import_paths
from data.model.db import make_engine
from data.model.schema import (
    BeneficiaryIdentity,
    Clue,
    ClueEvent,
    DatasetInfo,
    DemoTruth,
    LivelihoodProject,
    Region,
    RegionBoundary,
)
from data.rules.comparison import evidence_json
from demo.generate import generate
from demo.loader import clear_all, reset_sequences
from geo.importer import import_boundaries

DEMO_USER = "system:demo"
OUTLINES = "townships.geojson"
# the demo's own tables: no exchange dataset carries them
EXTRA_TABLES = (BeneficiaryIdentity.__table__, LivelihoodProject.__table__, DemoTruth.__table__)
# dataset_info keys that make a database a demo (the as-of week is the demo's, not the data's)
DEMO_INFO = ("as_of", "scale", "seed", "root_code", "generated_with", "first_day")
COPY_CHUNK = 20_000


class DemoImportFailed(RuntimeError):
    """An exchange file of the demo was not loaded whole: the export and the import disagree."""


@dataclass
class DemoLoad:
    reports: list[FileReport]
    clues_matched: int
    clues_unmatched: int
    seconds: dict[str, float]

    def summary(self) -> str:
        rows = sum(r.loaded + r.updated + r.unchanged for r in self.reports)
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())
        unmatched = f" ({self.clues_unmatched:,} found by the import's rules only)" if self.clues_unmatched else ""
        return (f"{len(self.reports)} exchange files, {rows:,} rows imported; "
                f"{self.clues_matched:,} clues with their demo history{unmatched}; {stages}")


def load_demo(engine, *, scale: str, seed: int, as_of: dt.date | None = None, progress: bool = True,
              on_file: Callable[[str, str], None] | None = None) -> DemoLoad:
    """Replace the database content with the demo, imported from its exchange files."""
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="sunshine-demo-") as scratch:
        t0 = time.perf_counter()
        built = build_exchange(Path(scratch), scale=scale, seed=seed, as_of=as_of, progress=progress)
        seconds["build"] = time.perf_counter() - t0
        try:
            result = import_exchange(engine, Path(scratch), built, on_file=on_file)
        finally:
            built.dispose()
    result.seconds = {**seconds, **result.seconds}
    return result


def build_exchange(folder: Path, *, scale: str, seed: int, as_of: dt.date | None, progress: bool):
    """The demo generated into `folder/demo.db`, written as exchange files into
    `folder/exchange` and its township outlines into `folder/townships.geojson`;
    returns the scratch engine (the source of the demo's own tables)."""
    built = make_engine(f"sqlite:///{folder / 'demo.db'}")
    prepare_database(built)
    generate(built, scale=scale, seed=seed, as_of=as_of, progress=progress)
    with built.connect() as conn:
        export_exchange(conn, folder / "exchange")
        write_township_outlines(conn, folder / OUTLINES)
    return built


def write_township_outlines(conn, path: Path) -> int:
    """The demo's synthetic township cells as a GeoJSON file (code, name per feature)."""
    rows = conn.execute(select(RegionBoundary.code, Region.name, RegionBoundary.geometry)
                        .join(Region, Region.code == RegionBoundary.code)
                        .where(Region.level == "township").order_by(RegionBoundary.code)).all()
    features = [{"type": "Feature", "properties": {"code": code, "name": name}, "geometry": json.loads(geometry)}
                for code, name, geometry in rows]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    return len(features)


def import_exchange(engine, folder: Path, built, *, on_file=None) -> DemoLoad:
    """Empty the database, import `folder/exchange`, the outlines, then the demo's own rows."""
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    prepare_database(engine)
    with engine.begin() as conn:
        clear_all(conn)
        ensure_division_tree(conn)
    reports = import_paths(engine, [folder / "exchange"], user=DEMO_USER, progress=on_file, kind="demo")
    _require_whole(reports)
    seconds["import"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    with engine.begin() as conn:
        outlines = import_boundaries(conn, folder / OUTLINES, code_field="code", source_label="synthetic")
    if outlines.problems:
        raise DemoImportFailed("; ".join(map(str, outlines.problems[:3])))
    with built.connect() as source, engine.begin() as conn:
        for table in EXTRA_TABLES:
            _copy_rows(source, conn, table)
        matched, unmatched = _clue_histories(source, conn)
        _demo_info(source, conn)
        reset_sequences(conn, [*EXTRA_TABLES, ClueEvent.__table__])
        townships = conn.execute(select(Region.code).where(Region.level == "township", Region.batch_id.is_not(None)))
        rollups.rebuild_for_townships(conn, set(townships.scalars()), tables={"clue"})
        refresh.stamp(conn, max(r.batch or 0 for r in reports))
    seconds["demo rows"] = time.perf_counter() - t1
    return DemoLoad(reports, matched, unmatched, seconds)


def _require_whole(reports: list[FileReport]) -> None:
    """Every row of the demo's own export must load: anything else is a bug to see at once."""
    broken = [r for r in reports if r.unreadable or r.rejected]
    if broken:
        first = broken[0]
        detail = first.unreadable or "; ".join(f"{e.line}/{e.column}: {e.reason}" for e in first.errors[:3])
        raise DemoImportFailed(f"{first.file}: {first.rejected} rows rejected: {detail}")


def _copy_rows(source, conn, table: Table) -> int:
    """Rows of `table` from the scratch build, in chunks."""
    result = source.execute(select(table))
    total = 0
    while rows := result.mappings().fetchmany(COPY_CHUNK):
        conn.execute(insert(table), [dict(r) for r in rows])
        total += len(rows)
    return total


def _clue_histories(source, conn) -> tuple[int, int]:
    """Give the clues the import's rule runs found the demo's invented handling (status,
    dates, events), matched by what makes a clue: its rule, subject and evidence."""
    history = {}
    for row in source.execute(select(Clue.id, Clue.rule, Clue.subject_key, Clue.evidence, Clue.status,
                                     Clue.flagged_on, Clue.verified_on, Clue.filed_on, Clue.handler_code,
                                     Clue.due_on, Clue.dismiss_reason)):
        history[(row.rule, row.subject_key, _evidence(row.evidence))] = row
    events: dict[int, list] = {}
    for event in source.execute(select(ClueEvent.clue_id, ClueEvent.at, ClueEvent.status, ClueEvent.note,
                                       ClueEvent.actor, ClueEvent.handler_code).order_by(ClueEvent.id)):
        events.setdefault(event.clue_id, []).append(event)
    conn.execute(delete(ClueEvent.__table__))
    updates, new_events, unmatched = [], [], 0
    for clue_id, rule, subject, evidence in conn.execute(select(Clue.id, Clue.rule, Clue.subject_key, Clue.evidence)):
        demo = history.get((rule, subject, _evidence(evidence)))
        if demo is None:
            unmatched += 1
            continue
        updates.append({"clue_id": clue_id, "to_status": demo.status, "to_flagged": demo.flagged_on,
                        "to_verified": demo.verified_on, "to_filed": demo.filed_on, "to_handler": demo.handler_code,
                        "to_due": demo.due_on, "to_reason": demo.dismiss_reason})
        new_events += [{"clue_id": clue_id, "at": e.at, "status": e.status, "note": e.note, "actor": e.actor,
                        "handler_code": e.handler_code} for e in events.get(demo.id, [])]
    if updates:
        conn.execute(update(Clue.__table__).where(Clue.id == bindparam("clue_id")).values(
            status=bindparam("to_status"), flagged_on=bindparam("to_flagged"),
            verified_on=bindparam("to_verified"), filed_on=bindparam("to_filed"), handler_code=bindparam("to_handler"),
            due_on=bindparam("to_due"), dismiss_reason=bindparam("to_reason")), updates)
    for start in range(0, len(new_events), COPY_CHUNK):
        conn.execute(insert(ClueEvent.__table__), new_events[start:start + COPY_CHUNK])
    return len(updates), unmatched


def _evidence(value) -> str:
    return evidence_json(value) if isinstance(value, dict) else str(value)


def _demo_info(source, conn) -> None:
    """The scratch build's demo keys over what the import stamped."""
    values = dict(source.execute(select(DatasetInfo.key, DatasetInfo.value)
                                 .where(DatasetInfo.key.in_(DEMO_INFO))).all())
    conn.execute(delete(DatasetInfo.__table__).where(DatasetInfo.key.in_(list(values))))
    conn.execute(insert(DatasetInfo.__table__), [{"key": k, "value": v} for k, v in values.items()])

