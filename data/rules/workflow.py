"""Deadlines of the clue workflow and what each rule's decided clues say of it.

A clue in an open step (flagged, verifying) is due the library's working days after it
entered that step (its last event of that status), counted with the statutory holidays
and make-up working days (data.calendar). It is near its deadline (临期) from `near_days`
working days before, and overdue (超期) after the day. A rule's precision is the share of
its decided clues not dismissed as false positives: what the commission tunes thresholds by.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select

from data.calendar import add_working_days, is_workday
from data.model.schema import Clue, ClueEvent
from data.rules.library import Library

OPEN_STEPS = ("flagged", "verifying")
DECIDED = ("filed", "concluded", "dismissed")


def step_due(entered: dt.date, step: str, library: Library) -> dt.date | None:
    """The day a clue that entered `step` on `entered` must have left it (None: no deadline)."""
    days = library.deadlines.get(step)
    return add_working_days(entered, int(days)) if days else None


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative when end < start)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(is_workday(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1))


def deadline_state(due: dt.date | None, today: dt.date, near_days: int) -> str:
    """'overdue' after the due day, 'near' within `near_days` working days of it, else 'ok'."""
    if due is None:
        return "ok"
    if today > due:
        return "overdue"
    return "near" if working_days_between(today, due) <= near_days else "ok"


def clue_deadlines(conn, today: dt.date, library: Library) -> pd.DataFrame:
    """Open clues: id, rule, region_code, status, entered (its step's last event), due, state."""
    entered = (select(ClueEvent.clue_id, ClueEvent.status, func.max(ClueEvent.at).label("at"))
               .group_by(ClueEvent.clue_id, ClueEvent.status).subquery())
    rows = conn.execute(
        select(Clue.id, Clue.rule, Clue.region_code, Clue.status, func.coalesce(entered.c.at, Clue.flagged_on))
        .outerjoin(entered, (entered.c.clue_id == Clue.id) & (entered.c.status == Clue.status))
        .where(Clue.status.in_(OPEN_STEPS)).order_by(Clue.id)).all()
    frame = pd.DataFrame(rows, columns=["id", "rule", "region_code", "status", "entered"])
    frame["entered"] = pd.to_datetime(frame["entered"]).dt.date
    frame["due"] = [step_due(e, s, library) for e, s in zip(frame["entered"], frame["status"])]
    frame["state"] = [deadline_state(d, today, library.near_days) for d in frame["due"]]
    return frame


def rule_precision(conn) -> pd.DataFrame:
    """Per rule: clues, decided, dismissed, precision (decided not dismissed ÷ decided;
    None before any decision)."""
    rows = conn.execute(select(Clue.rule, Clue.status, func.count()).group_by(Clue.rule, Clue.status)).all()
    frame = pd.DataFrame(rows, columns=["rule", "status", "n"])
    out = []
    for rule, part in frame.groupby("rule", sort=True):
        counts = dict(zip(part["status"], part["n"]))
        decided = sum(counts.get(s, 0) for s in DECIDED)
        dismissed = counts.get("dismissed", 0)
        out.append({"rule": rule, "clues": int(part["n"].sum()), "decided": decided, "dismissed": dismissed,
                    "precision": (decided - dismissed) / decided if decided else None})
    return pd.DataFrame(out, columns=["rule", "clues", "decided", "dismissed", "precision"])
