"""What follows a load or an undo, in the same transaction: the calendar extended to the
new dates, the rollups of the affected townships rebuilt, the comparison rules re-run
when registry, payment or ledger rows changed, and dataset_info told (the as-of date of
imported data, the root region, and the stamp every cache key carries).
"""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import column, delete, func, insert, select, update
from sqlalchemy import table as sql_table

from data import calendar as cal
from data import rollups
from data.codes import LEVELS, PREFIX_LEN
from data.intake.load import UndoRefused
from data.intake.places import draw_regions
from data.model.schema import (
    CalendarDay,
    Clue,
    ClueEvent,
    DatasetInfo,
    FundAllocation,
    FundPayment,
    FundProgram,
    Region,
)
from data.rollups import bounds as fact_bounds
from data.rollups.bounds import Bounds
from data.rules.comparison import evidence_json, run_rules, store_clues
from data.rules.library import Library, active_library
from data.rules.warnings import complete_warnings, raise_clue_warnings
from data.rules.workflow import flagged_due

# the facts whose region codes name villages (what a region batch must not leave orphaned)
_FACTS_BY_VILLAGE = ("fund_payment", "village_ledger", "disclosure", "complaint", "service_request", "person")


def after_load(conn, table: str, dataset: str, places: set[str], batch: int,
               given: dict | None = None, written: Bounds | None = None) -> None:
    """`written`: the date bounds of the rows the load wrote (data.rollups.bounds)."""
    fact_bounds.widen(conn, written or Bounds())
    townships, tables = {p for p in places if p}, {table}
    if cover_calendar(conn):
        tables.add("calendar_day")
    library = active_library(conn)
    fed = library.fed_by(dataset)
    if fed:
        found = new_clues(conn, batch, None if dataset == "fund_programs" else _rule_ranges(conn, places), fed,
                          library)
        townships |= found
        tables |= {"clue"} if found else set()
    if dataset == "warnings":  # each gets its responsible unit, task deadline and loop events
        complete_warnings(conn, library)
    _rebuild(conn, townships, tables, given)
    stamp(conn, batch)
    if dataset == "regions":
        draw_regions(conn, places, conn.execute(select(DatasetInfo.value).where(DatasetInfo.key == "root_code")).scalar())


def _rebuild(conn, townships: set[str], tables: set[str], given: dict | None = None) -> None:
    """The rollups of the townships of these region codes built from these tables (nothing
    to roll up before any fact has a date)."""
    if townships and conn.execute(select(func.count()).select_from(CalendarDay.__table__)).scalar_one():
        rollups.rebuild_for_townships(conn, sorted(townships), tables, given)


def after_undo(conn, table: str, places: set[str], batch: int) -> None:
    fact_bounds.forget(conn)  # rows went: the bounds may have narrowed
    clues = select(Clue.id).where(Clue.batch_id == batch)
    gone = set(conn.execute(select(Clue.region_code).where(Clue.batch_id == batch)).scalars())
    conn.execute(delete(ClueEvent.__table__).where(ClueEvent.clue_id.in_(clues)))
    conn.execute(delete(Clue.__table__).where(Clue.batch_id == batch))
    _rebuild(conn, {p for p in places | gone if p}, {table, "clue"})
    stamp(conn, batch)


def refuse_if_referenced(conn, dataset: str, batch: int) -> None:
    """A regions or programmes batch whose regions or programmes other rows now use
    cannot be undone: the rows referring to them would be left pointing at nothing."""
    if dataset == "regions":
        added = select(Region.code).where(Region.batch_id == batch, Region.level == "village")
        for name in _FACTS_BY_VILLAGE:
            facts = sql_table(name, column("village_code"))
            if conn.execute(select(func.count()).select_from(facts)
                            .where(facts.c.village_code.in_(added))).scalar_one():
                raise UndoRefused(f"批次 {batch} 的村已有数据（{name}），请先撤销引用它们的批次"
                                  f" / rows of {name} refer to villages of batch {batch}: undo those batches first")
    else:
        programs = select(FundProgram.id).where(FundProgram.batch_id == batch)
        for table in (FundPayment.__table__, FundAllocation.__table__):
            if conn.execute(select(func.count()).select_from(table)
                            .where(table.c.program_id.in_(programs))).scalar_one():
                raise UndoRefused(f"批次 {batch} 的资金项目已被 {table.name} 引用，请先撤销引用它们的批次"
                                  f" / rows of {table.name} refer to programmes of batch {batch}")


def cover_calendar(conn) -> bool:
    """Extend calendar_day over every fact date: from a month before the first to 45 days
    after the as-of week (as a demo's), or past the last fact date; True when it grew."""
    found = fact_bounds.date_bounds(conn).facts()
    if not found:
        return False
    lo = min(found) - dt.timedelta(days=31)
    # before anything has happened (only allocations, due dates) there is no as-of week yet
    end = _data_as_of(conn) if _events(conn) else max(found)
    hi = max(*found, end + dt.timedelta(days=45))
    table = CalendarDay.__table__
    have_lo, have_hi = conn.execute(select(func.min(table.c.day), func.max(table.c.day))).one()
    if have_lo is not None:
        if have_lo <= lo and hi <= have_hi:
            return False
        lo, hi = min(lo, have_lo), max(hi, have_hi)
    cal.fill_calendar(conn, lo, hi)
    return True


def _rule_ranges(conn, places: set[str]) -> list[tuple[str, str]] | None:
    """Code ranges of the touched villages' townships for the rules (runs of adjacent
    townships as one range: rollups.township_runs), or everything when they are many."""
    runs = rollups.township_runs(conn, {p for p in places if p})
    return runs if len(runs) <= 60 else None


def new_clues(conn, batch: int | None, ranges: list[tuple[str, str]] | None = None,
              rules: tuple[str, ...] | None = None, library: Library | None = None) -> set[str]:
    """Run the comparison rules (these, over `ranges` only, when given; `library`: the one
    in use unless given); store the clues not stored yet (a clue is its rule, subject and
    evidence); returns their region codes."""
    library = library or active_library(conn)
    found = run_rules(conn, as_of_date(conn), ranges, rules, library)
    return set(_store_fresh(conn, found, batch, library)["region_code"])


def rules_run(conn, ranges: list[tuple[str, str]] | None = None, rules: tuple[str, ...] | None = None,
              progress=None) -> dict[str, dict[str, int]]:
    """`cli.py rules run`: every rule that is on (or these), over `ranges` or everything,
    one at a time (`progress(code)` before each); new clues stored, the clue rollups of
    their townships rebuilt, the data stamped. Returns {rule: {"found", "new"}}: a rerun
    on the same data finds the same and stores nothing."""
    library = active_library(conn)
    as_of, summary, places = as_of_date(conn), {}, set()
    for spec in library.enabled():
        if rules is not None and spec.code not in rules:
            continue
        if progress:
            progress(spec.code)
        found = run_rules(conn, as_of, ranges, (spec.code,), library)
        fresh = _store_fresh(conn, found, None, library, raise_warnings=True)
        summary[spec.code] = {"found": len(found), "new": len(fresh)}
        places |= set(fresh["region_code"])
    if places:
        _rebuild(conn, places, {"clue", "warning"})
        stamp(conn, 0)
    return summary


def _store_fresh(conn, found, batch: int | None, library: Library, raise_warnings: bool = False):
    """The clues of `found` not stored yet, stored (with `batch`, and the first step's
    deadline); returns them."""
    if found.empty:
        return found
    stored = {(r, s, evidence_json(e) if isinstance(e, dict) else str(e))
              for r, s, e in conn.execute(select(Clue.rule, Clue.subject_key, Clue.evidence))}
    evidence = [e if isinstance(e, str) else evidence_json(e) for e in found["evidence"]]
    fresh = [(r, s, e) not in stored for r, s, e in zip(found["rule"], found["subject_key"], evidence)]
    clues = found[fresh].assign(batch_id=batch)
    if clues.empty:
        return clues
    clues["evidence"] = [e if isinstance(e, dict) else json.loads(e) for e in clues["evidence"]]
    clues["due_on"] = flagged_due(clues["flagged_on"], library)
    before = conn.execute(select(func.max(Clue.id))).scalar() or 0
    store_clues(conn, clues)
    # the weekly run (`rules run`) raises a red rule's clue as a warning with its task; an
    # import's run flags clues only (the monitoring sources send their own warnings)
    if raise_warnings:
        ids = list(conn.execute(select(Clue.id).where(Clue.id > before)).scalars())
        raise_clue_warnings(conn, ids, library)
    fact_bounds.widen(conn, fact_bounds.frame_bounds("clue", clues))
    return clues


def stamp(conn, batch: int) -> None:
    """dataset_info after a change: the import stamp (every cache key carries it), the
    as-of week of imported data (a demo keeps its own), and the root region."""
    info = dict(conn.execute(select(DatasetInfo.key, DatasetInfo.value)).all())
    values = {"imported_at": f"{dt.datetime.now():%Y-%m-%dT%H:%M:%S.%f}/{batch}"}
    if "scale" not in info:  # not a demo: the as-of date follows the data
        values["as_of"] = _data_as_of(conn).isoformat()
        values["root_code"] = _root(conn) or info.get("root_code", "")
    for key, value in values.items():
        if not value:
            continue
        if key in info:
            conn.execute(update(DatasetInfo.__table__).where(DatasetInfo.key == key).values(value=value))
        else:
            conn.execute(insert(DatasetInfo.__table__).values(key=key, value=value))


def as_of_date(conn) -> dt.date:
    """The week the rules judge up to: the dataset's as-of, else the data's."""
    value = conn.execute(select(DatasetInfo.value).where(DatasetInfo.key == "as_of")).scalar()
    return dt.date.fromisoformat(value) if value else _data_as_of(conn)


def _data_as_of(conn) -> dt.date:
    """The Sunday ending the week of the latest thing that happened (not a due date), and
    never after the last complete week."""
    days = _events(conn)
    today = dt.date.today()
    last_complete = today - dt.timedelta(days=today.isoweekday())
    latest = min(max(days), last_complete) if days else last_complete
    return latest + dt.timedelta(days=7 - latest.isoweekday())


def _events(conn) -> list[dt.date]:
    """The latest day anything happened (received, booked, paid, submitted), or none."""
    last = fact_bounds.date_bounds(conn).last_event
    return [last] if last else []


def _root(conn) -> str | None:
    """The smallest region holding every village (the dashboard's home)."""
    lo, hi = conn.execute(select(func.min(Region.code), func.max(Region.code))
                          .where(Region.level == "village")).one()
    if lo is None:
        return None
    for level in reversed(LEVELS[:-1]):
        digits = PREFIX_LEN[level]
        if lo[:digits] == hi[:digits]:
            code = lo[:digits].ljust(12, "0")
            if conn.execute(select(Region.code).where(Region.code == code)).scalar():
                return code
    return None
