"""Risk warnings' closed loop (风险预警闭环): 预警 raised → 核查任务 a verification task with
a due date for the responsible unit → 反馈 feedback → 销号 closed.

The responsible unit of a village's or township's warning is its township, of a county's the
county (above that the region itself). A task is due the library's working days after it was
issued, by the warning's level (`workflow.warning_days`: red 5, orange 10, yellow 15). A
warning is overdue when it is not closed and its task's due day has passed. Every step is a
`warning_event` (who, when, what was said) and an audit row; a warning imported with its dates
gets the events those dates say (`complete_warnings`), so an import and the demo agree.
Closure rate = warnings closed ÷ warnings raised in the period (GLOSSARY 预警销号率); the days
to close are calendar days from raised to closed.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import and_, bindparam, case, func, insert, select, update

from data import audit
from data.calendar import add_working_days
from data.codes import ancestor_at, code_range, level_of
from data.model.schema import Clue, Region, Warning, WarningEvent
from data.rules.library import Library
from data.rules.workflow import WorkflowRefused, stamp_workflow
from data.scope import Scope, scope_condition

STATES = ("raised", "tasked", "feedback", "closed")
ACTIONS = ("task", "feedback", "close", "reopen")
_w, _e = Warning.__table__, WarningEvent.__table__


def responsible_unit(region_code: str) -> str:
    """The region code of the unit a warning's task goes to."""
    level = level_of(region_code)
    if level in ("village", "township"):
        return ancestor_at(region_code, "township")
    return region_code


def task_due(issued: dt.date | None, level: str, library: Library) -> dt.date | None:
    days = library.warning_days.get(level)
    return add_working_days(issued, int(days)) if issued and days else None


def state_expr():
    """SQL 'closed' | 'feedback' | 'tasked' | 'raised' of a warning."""
    return case((_w.c.closed_on.is_not(None), "closed"), (_w.c.verified_on.is_not(None), "feedback"),
                (_w.c.task_issued_on.is_not(None), "tasked"), else_="raised")


def overdue_expr(today: dt.date):
    return and_(_w.c.closed_on.is_(None), _w.c.task_due_on.is_not(None), _w.c.task_due_on < today)


def complete_warnings(conn, library: Library, ids: list[int] | None = None) -> int:
    """Give warnings without them their responsible unit, task due date and the loop events
    their dates say (task issued, feedback, closed); returns how many were completed."""
    stmt = select(_w.c.id, _w.c.region_code, _w.c.level, _w.c.task_issued_on, _w.c.verified_on, _w.c.closed_on,
                  _w.c.feedback).where(_w.c.unit_code.is_(None))
    if ids is not None:
        stmt = stmt.where(_w.c.id.in_(ids))
    rows = conn.execute(stmt).all()
    if not rows:
        return 0
    conn.execute(update(_w).where(_w.c.id == bindparam("wid")).values(unit_code=bindparam("unit"), task_due_on=bindparam("due")),
                 [{"wid": r.id, "unit": responsible_unit(r.region_code), "due": task_due(r.task_issued_on, r.level,
                                                                                      library)} for r in rows])
    events = []
    for r in rows:
        events += [{"warning_id": r.id, "at": r.task_issued_on, "action": "task", "actor": "import", "note": ""}
                   ] if r.task_issued_on else []
        events += [{"warning_id": r.id, "at": r.verified_on, "action": "feedback", "actor": "import",
                    "note": r.feedback or ""}] if r.verified_on else []
        events += [{"warning_id": r.id, "at": r.closed_on, "action": "close", "actor": "import", "note": ""}
                   ] if r.closed_on else []
    for start in range(0, len(events), 5000):
        conn.execute(insert(_e), events[start:start + 5000])
    return len(rows)


def act(conn, warning_id: int, action: str, note: str, *, actor: str, scope: Scope, today: dt.date,
        library: Library) -> dict:
    """One step of the loop by a user with the right, in the caller's transaction: issue the
    task (due by the level's working days), record the unit's feedback, close (销号, only
    after feedback) or reopen; a note is required. Returns the warning's new state."""
    row = conn.execute(select(_w.c.id, _w.c.region_code, _w.c.level, _w.c.task_issued_on, _w.c.verified_on,
                              _w.c.closed_on).where(_w.c.id == int(warning_id))).first()
    if row is None or not scope.allows(row.region_code):
        raise WorkflowRefused("没有这条预警，或它不在您的管辖范围内", "no such warning in your jurisdiction")
    note = (note or "").strip()
    if not note:
        raise WorkflowRefused("请填写说明", "state what was done or decided")
    if action not in ACTIONS:
        raise WorkflowRefused("未知操作", "unknown action")
    values: dict = {}
    if action == "task":
        if row.closed_on or row.task_issued_on:
            raise WorkflowRefused("核查任务已下达", "the verification task was already issued")
        values = {"task_issued_on": today, "task_due_on": task_due(today, row.level, library),
                  "unit_code": responsible_unit(row.region_code)}
    elif action == "feedback":
        if row.closed_on or not row.task_issued_on:
            raise WorkflowRefused("须先下达核查任务，且未销号", "issue the task first (and not after closing)")
        values = {"verified_on": today, "feedback": note[:2000]}
    elif action == "close":
        if row.closed_on or not row.verified_on:
            raise WorkflowRefused("须有核查反馈才能销号", "a warning is closed only after the unit's feedback")
        values = {"closed_on": today}
    elif action == "reopen":
        if not row.closed_on:
            raise WorkflowRefused("预警未销号，无需重新打开", "the warning is not closed")
        values = {"closed_on": None, "verified_on": None}
    conn.execute(update(_w).where(_w.c.id == row.id).values(**values))
    conn.execute(insert(_e).values(warning_id=row.id, at=today, action=action, actor=actor[:64], note=note[:2000],
                                   recorded_at=dt.datetime.now().replace(microsecond=0)))
    stamp_workflow(conn)
    audit.record(conn, user=actor, action=f"warning_{action}", obj=f"warning:{row.id}", region_code=row.region_code,
                 detail={"note": note[:200]})
    state = conn.execute(select(state_expr(), _w.c.task_due_on).where(_w.c.id == row.id)).one()
    return {"state": state[0], "task_due_on": state[1]}


def _where(scope: Scope, region: str | None, since: dt.date | None, until: dt.date | None) -> list:
    conds = [scope_condition(_w.c.region_code, scope)]
    if region:
        conds.append(_w.c.region_code.between(*code_range(region)))
    if since:
        conds.append(_w.c.raised_on >= since)
    if until:
        conds.append(_w.c.raised_on <= until)
    return conds


def warning_summary(conn, scope: Scope, today: dt.date, *, region: str | None = None,
                    since: dt.date | None = None, until: dt.date | None = None) -> dict:
    """raised, closed, closure_rate, avg_days_to_close, open, overdue of the warnings raised in
    the period (since..until) in the scope."""
    days = (func.julianday(_w.c.closed_on) - func.julianday(_w.c.raised_on)
            if conn.dialect.name == "sqlite" else _w.c.closed_on - _w.c.raised_on)
    row = conn.execute(select(
        func.count(), func.count(_w.c.closed_on), func.avg(case((_w.c.closed_on.is_not(None), days))),
        func.sum(case((overdue_expr(today), 1), else_=0))).where(*_where(scope, region, since, until))).one()
    raised, closed = int(row[0] or 0), int(row[1] or 0)
    return {"raised": raised, "closed": closed, "closure_rate": closed / raised if raised else None,
            "avg_days_to_close": float(row[2]) if row[2] is not None else None,
            "open": raised - closed, "overdue": int(row[3] or 0)}


def overdue_by_unit(conn, scope: Scope, today: dt.date, **period) -> pd.DataFrame:
    """unit_code, unit (name), open, overdue: the responsible units with overdue warnings,
    the most overdue first."""
    overdue = func.sum(case((overdue_expr(today), 1), else_=0))
    rows = conn.execute(select(_w.c.unit_code, Region.name, func.count() - func.count(_w.c.closed_on), overdue)
                        .outerjoin(Region, Region.code == _w.c.unit_code)
                        .where(*_where(scope, period.get("region"), period.get("since"), period.get("until")))
                        .group_by(_w.c.unit_code, Region.name).having(overdue > 0)
                        .order_by(overdue.desc(), _w.c.unit_code)).all()
    return pd.DataFrame(rows, columns=["unit_code", "unit", "open", "overdue"]).astype({"open": int, "overdue": int})


def warning_history(conn, warning_id: int) -> pd.DataFrame:
    rows = conn.execute(select(_e.c.at, _e.c.action, _e.c.actor, _e.c.note).where(_e.c.warning_id == int(warning_id))
                        .order_by(_e.c.at, _e.c.id)).all()
    return pd.DataFrame(rows, columns=["at", "action", "actor", "note"])


def raise_clue_warnings(conn, clue_ids: list[int], library: Library) -> int:
    """A warning for each of these clues whose rule is red (the library's severity) and that has
    none yet: source 'clue', its task issued the day the clue was flagged, to the unit
    responsible for the clue's place. Idempotent; returns how many were raised."""
    red = [r.code for r in library.rules if r.severity == "red"]
    if not clue_ids or not red:
        return 0
    c = Clue.__table__
    have = select(_w.c.clue_id).where(_w.c.clue_id.is_not(None))
    rows = conn.execute(select(c.c.id, c.c.rule, c.c.region_code, c.c.flagged_on)
                        .where(c.c.id.in_(clue_ids), c.c.rule.in_(red), c.c.id.not_in(have))).all()
    for r in rows:
        spec = library.rule(r.rule)
        conn.execute(insert(_w).values(
            source="clue", level=spec.severity, region_code=r.region_code, title=f"问题线索：{spec.finding_zh}"[:120],
            raised_on=r.flagged_on, task_issued_on=r.flagged_on, task_due_on=task_due(r.flagged_on, spec.severity, library),
            unit_code=responsible_unit(r.region_code), clue_id=r.id, feedback="",
            warning_no=f"YJC{r.id:09d}"))
    return len(rows)
